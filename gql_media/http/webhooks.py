"""POST /webhooks/replicate: signed prediction deliveries from Replicate.

The endpoint answers quickly: downloads are import jobs, queued after the commit.
Replicate retries a delivery that gets no 2xx, with the same `webhook-id`, so a
refused delivery leaves nothing behind and a repeated one is answered "duplicate".
"""

import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gql_media.errors import (
    FetchFailed,
    ForbiddenUrl,
    GqlMediaError,
    TooLarge,
    TransientError,
)
from gql_media.kit.metrics import WEBHOOK_DELIVERIES
from gql_media.runtime import Runtime
from gql_media.services.assets.replicate import (
    WebhookError,
    WebhookNotConfigured,
    WebhookPayload,
    WebhookSignature,
    WebhookTimestamp,
    handle_replicate,
    verify_replicate,
)

# Prediction bodies are a few KiB; the cap applies before the signature is checked.
MAX_BODY_BYTES = 1024 * 1024

# The first class in an error's MRO found here gives its HTTP status.
_HTTP_STATUS: dict[type[GqlMediaError], int] = {
    WebhookNotConfigured: 503,
    WebhookSignature: 401,
    WebhookTimestamp: 401,
    WebhookError: 400,
    TooLarge: 413,
    ForbiddenUrl: 422,
    FetchFailed: 422,
    TransientError: 503,
}


def webhook_routes(runtime: Runtime) -> list[Route]:
    """The webhook endpoints of providers.

    Args:
        runtime: the process's backends; the secrets come from its settings.

    Returns:
        `POST /webhooks/replicate`, answering `{"status", "jobs"}` (202 when imports
        were queued, else 200) or `{"error": {"code", "message"}}` with 400, 401,
        413, 422 or 503.
    """

    async def replicate(request: Request) -> JSONResponse:
        response = await _replicate(request)
        WEBHOOK_DELIVERIES.labels("replicate", str(response.status_code)).inc()
        return response

    async def _replicate(request: Request) -> JSONResponse:
        config = runtime.settings.webhooks
        try:
            if not config.replicate_secret:
                raise WebhookNotConfigured("Replicate webhooks are not configured")
            body = await _read_body(request, MAX_BODY_BYTES)
            webhook_id = verify_replicate(
                request.headers,
                body,
                config.replicate_secret,
                config.tolerance_seconds,
                time.time(),
            )
            outcome = await handle_replicate(
                runtime,
                runtime.settings.webhooks.replicate_owner,
                webhook_id,
                _parse(body),
            )
        except GqlMediaError as exc:
            return _error(exc)
        reply = {"status": outcome.status, "jobs": outcome.jobs}
        return JSONResponse(reply, status_code=202 if outcome.jobs else 200)

    return [Route("/webhooks/replicate", replicate, methods=["POST"])]


async def _read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused as soon as it is known to be over `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        raise TooLarge(f"the body is over {limit} bytes", limit=limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the body is over {limit} bytes", limit=limit)
    return bytes(body)


def _parse(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        raise WebhookPayload("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise WebhookPayload("the body is not a JSON object")
    return payload


def _error(exc: GqlMediaError) -> JSONResponse:
    status = next(
        (_HTTP_STATUS[cls] for cls in type(exc).__mro__ if cls in _HTTP_STATUS), 400
    )
    body = {"error": {"code": exc.code, "message": exc.message}}
    return JSONResponse(body, status_code=status)
