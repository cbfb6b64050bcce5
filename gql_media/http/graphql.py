"""The GraphQL endpoint: Strawberry's ASGI view with streamed, CSRF-safe uploads,
capped request bodies and messages, GraphQL over HTTP media types, and the typed
context."""

import json
from collections.abc import AsyncGenerator
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException, StarletteRequestAdapter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from gql_media.errors import InvalidInput
from gql_media.http.auth import AuthFailed, authenticate
from gql_media.http.graphiql import graphiql_html
from gql_media.http.limits import (
    RequestRejected,
    message_too_large,
    read_capped,
    too_large,
)
from gql_media.http.responses import (
    GRAPHQL_RESPONSE,
    is_request_error,
    negotiate,
    without_data,
)
from gql_media.http.shared_subscriptions import (
    SharedSubscriptions,
)
from gql_media.http.uploads import MultipartUpload
from gql_media.http.ws_auth import TokenWatchingHandler
from gql_media.runtime import Runtime
from gql_media.schema.common.context import Context
from gql_media.services.accounts.tokens import LOCAL, Principal

# Any of these makes a request "non-simple", so a browser must preflight it; a
# cross-site form post cannot carry them (CSRF protection for uploads).
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight")

# RFC 6455: the message is too big to process.
WS_MESSAGE_TOO_BIG = 1009


class _Adapter(StarletteRequestAdapter):
    @property
    def request(self) -> Request:
        return self._request

    async def get_body(self) -> bytes:
        return await read_capped(self._request, self._request.state.max_body)


class _WebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter, closing the socket on a message over the cap."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        view: GraphQLApp = self.view  # type: ignore[assignment]
        limit = view.runtime.settings.limits.max_request_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if message_too_large(text, limit):
                    await self.ws.close(WS_MESSAGE_TOO_BIG, "message too big")
                    return
                try:
                    yield view.decode_json(text)
                except json.JSONDecodeError as exc:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:  # a binary frame
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass

    async def send_text(self, frame: str) -> None:
        """Send a frame serialized once for many sockets (shared subscriptions)."""
        try:
            await self.ws.send_text(frame)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's view, with our context, limits and multipart handling."""

    request_adapter_class = _Adapter
    websocket_adapter_class = _WebSocketAdapter  # type: ignore[assignment]
    graphql_transport_ws_handler_class = TokenWatchingHandler

    def __init__(self, schema: Any, runtime: Runtime, **kwargs: Any) -> None:
        limits = runtime.settings.limits
        super().__init__(
            schema,
            multipart_uploads_enabled=True,
            # The legacy graphql-ws protocol has no connection_init deadline and
            # is not documented; clients use graphql-transport-ws.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=limits.ws_init_timeout_seconds
            ),
            **kwargs,
        )
        self.runtime = runtime
        # Subscriptions of one selection share an execution (per process).
        self.shared_subscriptions = SharedSubscriptions()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        max_bytes = self.runtime.settings.limits.max_request_bytes
        media_type = negotiate(request.headers.get("accept"))
        request.state.max_body = max_bytes
        request.state.media_type = media_type
        try:
            if len(scope.get("query_string", b"")) > max_bytes:
                raise too_large("the query string", max_bytes)
            if not _is_ide_page(request):
                # Before the body is read: an upload waits for a valid token.
                request.state.principal = await authenticate(
                    self.runtime,
                    request.headers.get("authorization"),
                    _client(request),
                )
            response = await self.run(request)
        except AuthFailed as exc:
            response = _error_response(exc.message, exc.code, exc.status, media_type)
            response.headers.update(exc.headers())
        except HTTPException as exc:
            response = _error_response(
                exc.reason, "BAD_REQUEST", exc.status_code, media_type
            )
        except RequestRejected as exc:
            response = _error_response(
                exc.error.message, exc.error.code, exc.status, media_type
            )
        finally:
            upload = getattr(request.state, "upload", None)
            if upload is not None:
                await upload.cleanup()
        if getattr(request.state, "request_error", False):
            response.status_code = 400
        if media_type == GRAPHQL_RESPONSE and response.media_type == "application/json":
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our page, whose scripts come from this server, not Strawberry's CDN one.
        return HTMLResponse(graphiql_html())

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        # Asked for cross-origin handshakes only, which Strawberry otherwise refuses
        # (403). The CORS list, compared as CORSMiddleware does: browsers send the
        # origin in the normalized form the setting keeps.
        return origin in self.runtime.settings.cors.allow_origins

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        # HTTP: authenticated in __call__. WebSocket: in on_ws_connect, from the
        # connection_init payload or the upgrade request; nothing runs before it.
        who: Principal = getattr(request.state, "principal", LOCAL)
        return Context(
            request=request,
            runtime=self.runtime,
            owner_id=who.owner_id,
            principal=who.principal,
            scopes=who.scopes,
            token_id=who.token_id,
        )

    def encode_json(self, data: object) -> str:
        # orjson, as subscription frames: a tree answer of a few hundred kB is
        # encoded several times faster than by json. What orjson refuses (an
        # integer beyond 64 bits) is still encoded by json.
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, separators=(",", ":"))

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object]:
        """Authenticates a graphql-transport-ws connection: the token in the
        connection_init payload's `authorization`, else the upgrade request's
        header. A bad one closes the socket with 4403 before any subscription."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is None:
            header = context.request.headers.get("authorization")
        if header is not None and not isinstance(header, str):
            raise ConnectionRejectionError()
        try:
            who = await authenticate(self.runtime, header, _client(context.request))
        except AuthFailed:
            raise ConnectionRejectionError() from None
        context.owner_id = who.owner_id
        context.principal = who.principal
        context.scopes = who.scopes
        context.token_id = who.token_id
        return UNSET

    def decode_json(self, data: str | bytes) -> object:
        try:
            return json.loads(data)
        except RecursionError:  # deeply nested arrays: a bad body, not a bug
            raise json.JSONDecodeError("nested too deeply", "", 0) from None

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        body = await super().process_result(request, result)
        asked = getattr(request.state, "media_type", None)
        if asked == GRAPHQL_RESPONSE and is_request_error(result):
            request.state.request_error = True
            return without_data(body)  # type: ignore[return-value]
        return body

    async def parse_multipart(self, request: _Adapter) -> dict[str, Any]:  # type: ignore[override]
        raw = request.request
        if not any(raw.headers.get(name) for name in PREFLIGHT_HEADERS):
            raise RequestRejected(
                InvalidInput(
                    "multipart requests need a GraphQL-Require-Preflight header"
                ),
                400,
            )
        settings = self.runtime.settings
        upload = MultipartUpload(settings.tmp_dir, settings.limits.max_upload_bytes)
        raw.state.upload = upload
        await upload.parse(raw.headers.get("content-type", ""), raw.stream())
        try:
            operations = json.loads(upload.fields.get("operations", "{}"))
            files_map = json.loads(upload.fields.get("map", "{}"))
            return replace_placeholders_with_files(operations, files_map, upload.files)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise RequestRejected(
                InvalidInput(f"operations or map do not match the files: {exc}"), 400
            ) from None


def _is_ide_page(request: Request) -> bool:
    """A browser asking for GraphiQL: a static page, served without a token (its
    queries carry the token in the headers editor)."""
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


def _client(request: Request | WebSocket) -> str:
    return request.client.host if request.client else "unknown"


def _error_response(
    message: str, code: str, status: int, media_type: str
) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, media_type=media_type)
