"""The GraphQL endpoint: Strawberry's ASGI view with streamed, CSRF-safe uploads
and the typed context."""

import json
from typing import Any

from cross_web import HTTPException, StarletteRequestAdapter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.file_uploads.utils import replace_placeholders_with_files

from gql_media.errors import InvalidInput
from gql_media.http.uploads import MultipartUpload, UploadRejected
from gql_media.runtime import Runtime
from gql_media.schema.common.context import Context, get_owner

# Any of these makes a request "non-simple", so a browser must preflight it; a
# cross-site form post cannot carry them (CSRF protection for uploads).
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight")


class _Adapter(StarletteRequestAdapter):
    @property
    def request(self) -> Request:
        return self._request


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's view, with our context and our multipart handling."""

    request_adapter_class = _Adapter

    def __init__(self, schema: Any, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(schema, multipart_uploads_enabled=True, **kwargs)
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = _error_response(exc.reason, "BAD_REQUEST", exc.status_code)
        except UploadRejected as exc:
            response = _error_response(exc.error.message, exc.error.code, exc.status)
        finally:
            upload = getattr(request.state, "upload", None)
            if upload is not None:
                upload.cleanup()
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            request=request, runtime=self.runtime, owner_id=get_owner(request)
        )

    async def parse_multipart(self, request: _Adapter) -> dict[str, Any]:  # type: ignore[override]
        raw = request.request
        if not any(raw.headers.get(name) for name in PREFLIGHT_HEADERS):
            raise UploadRejected(
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
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UploadRejected(
                InvalidInput(f"operations or map do not match the files: {exc}"), 400
            ) from None


def _error_response(message: str, code: str, status: int) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)
