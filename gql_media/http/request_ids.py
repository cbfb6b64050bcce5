"""A request id for every HTTP request and WebSocket: the client's `X-Request-Id`
when it is a short token, else a new one; sent back in the response and carried
by every log line written while the request runs (`kit.logs`)."""

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gql_media.kit.logs import request_id

HEADER = "x-request-id"
_USABLE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIds:
    """Pure ASGI middleware (no buffering), so streamed bodies stay streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = (
            dict(scope.get("headers") or []).get(HEADER.encode(), b"").decode("latin-1")
        )
        rid = given if _USABLE.fullmatch(given) else uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(HEADER, rid)
            await send(message)

        token = request_id.set(rid)
        try:
            # A WebSocket's messages carry no response headers: its frames (a
            # thousand subscribers' events) go out without the extra layer.
            wrapped = send_with_id if scope["type"] == "http" else send
            await self.app(scope, receive, wrapped)
        finally:
            request_id.reset(token)
