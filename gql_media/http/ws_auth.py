"""graphql-transport-ws connections that end when their token stops being valid."""

import asyncio
import contextlib
import logging

from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
)

from gql_media.http.shared_subscriptions import SharedTransportWSHandler
from gql_media.services.accounts.tokens import still_valid

logger = logging.getLogger(__name__)

# The close code of a refused connection (bad token at connection_init too).
FORBIDDEN = 4403


class TokenWatchingHandler(SharedTransportWSHandler):
    """The shared-subscriptions handler; after a token-authenticated connection_init it
    re-checks the token every `auth.recheck_seconds` and closes the connection
    (4403), ending its subscriptions, once it is revoked or expired."""

    _watch: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        token_id = getattr(self.context, "token_id", None)
        if self.connection_acknowledged and token_id is not None:
            seconds = self.context.runtime.settings.auth.recheck_seconds
            self._watch = asyncio.create_task(self._watch_token(token_id, seconds))

    async def _watch_token(self, token_id: str, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                valid = await still_valid(token_id)
            except Exception:  # the database is down: keep the connection, retry
                logger.warning("could not re-check a WebSocket's token", exc_info=True)
                continue
            if not valid:
                logger.info("closing a WebSocket whose token was revoked or expired")
                await self.websocket.close(
                    code=FORBIDDEN, reason="token revoked or expired"
                )
                return

    async def shutdown(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await super().shutdown()
