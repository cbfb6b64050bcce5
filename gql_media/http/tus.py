"""Resumable uploads over tus 1.0.0 (core, creation, termination) under /uploads/.

Every request but OPTIONS must carry `Tus-Resumable: 1.0.0`, a header no HTML form
can send, so a cross-site page cannot upload in a user's name without a CORS
preflight (the same CSRF rule as GraphQL multipart uploads). The PATCH that
completes an upload registers the asset and answers with its id in
`GQL-Media-Asset-Id` (and `GQL-Media-Job-Id`, `GQL-Media-Duplicate`).
"""

import base64
import binascii
import logging
import re

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gql_media.errors import (
    Forbidden,
    GqlMediaError,
    InvalidInput,
    NotFound,
    TooLarge,
)
from gql_media.http.auth import AuthFailed, authenticate
from gql_media.runtime import Runtime
from gql_media.services.assets.resumable import (
    OffsetMismatch,
    ResumableUpload,
    ResumableUploads,
    UploadBusy,
)

logger = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
OFFSET_TYPE = "application/offset+octet-stream"
_ID = re.compile(r"[0-9a-f]{32}")
_STATUS = {
    NotFound: 404,
    Forbidden: 403,
    OffsetMismatch: 409,
    UploadBusy: 423,
    TooLarge: 413,
}
# Headers a browser on another origin may read from our answers.
EXPOSE_HEADERS = (
    "Location",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Metadata",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "GQL-Media-Asset-Id",
    "GQL-Media-Job-Id",
    "GQL-Media-Duplicate",
)
ALLOW_HEADERS = ("tus-resumable", "upload-length", "upload-offset", "upload-metadata")


def tus_routes(runtime: Runtime) -> list[BaseRoute]:
    """The /uploads/ routes of a runtime."""
    uploads = ResumableUploads(runtime)

    async def owner_of(request: Request) -> str | Response:
        """The token's owner (bearer, as for /graphql), or the refusal: 401 or
        429 without a good token, 403 without the scope (HEAD reads, the rest
        writes)."""
        client = request.client.host if request.client else "unknown"
        try:
            who = await authenticate(
                runtime, request.headers.get("authorization"), client
            )
        except AuthFailed as exc:
            return _response(exc.status, exc.headers(), f"{exc.code}: {exc.message}")
        scope = "read" if request.method == "HEAD" else "write"
        if scope not in who.scopes:
            return _error(Forbidden(f"this token lacks the {scope!r} scope"))
        return who.owner_id

    async def collection(request: Request) -> Response:
        if request.method == "OPTIONS":
            return _options(runtime)
        refused = _check_version(request)
        if refused is not None:
            return refused
        owner = await owner_of(request)
        if isinstance(owner, Response):
            return owner
        try:
            length = _int_header(request, "upload-length")
            metadata = parse_metadata(request.headers.get("upload-metadata", ""))
            upload = await uploads.create(owner, length, metadata)
        except GqlMediaError as exc:
            return _error(exc)
        location = str(request.url_for("tus_upload", upload_id=upload.id))
        return _response(201, {"Location": location})

    async def one(request: Request) -> Response:
        if request.method == "OPTIONS":
            return _options(runtime)
        refused = _check_version(request)
        if refused is not None:
            return refused
        upload_id = request.path_params["upload_id"]
        owner = await owner_of(request)
        if isinstance(owner, Response):
            return owner
        try:
            if not _ID.fullmatch(upload_id):
                raise NotFound(f"no upload with id {upload_id!r}")
            if request.method == "HEAD":
                return _head(await uploads.get(owner, upload_id))
            if request.method == "DELETE":
                await uploads.terminate(owner, upload_id)
                return _response(204)
            return await _patch(uploads, request, owner, upload_id)
        except GqlMediaError as exc:
            return _error(exc)

    return [
        Route("/uploads/", collection, methods=["OPTIONS", "POST"]),
        Route(
            "/uploads/{upload_id}",
            one,
            methods=["OPTIONS", "HEAD", "PATCH", "DELETE"],
            name="tus_upload",
        ),
    ]


async def _patch(
    uploads: ResumableUploads, request: Request, owner: str, upload_id: str
) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != OFFSET_TYPE:
        return _response(415, body=f"Content-Type must be {OFFSET_TYPE}")
    offset = _int_header(request, "upload-offset")
    try:
        upload = await uploads.append(owner, upload_id, offset, request.stream())
    except ClientDisconnect:
        # Nobody reads this answer; the bytes that arrived are kept for a resume.
        logger.info("upload %s: the client went away; kept what arrived", upload_id)
        return _response(400)
    headers = {"Upload-Offset": str(upload.offset)}
    if upload.offset == upload.length:
        finished = await uploads.finish(upload)
        headers["GQL-Media-Asset-Id"] = str(finished.asset.id)
        headers["GQL-Media-Duplicate"] = "true" if finished.duplicate else "false"
        if finished.job is not None:
            headers["GQL-Media-Job-Id"] = str(finished.job.id)
    return _response(204, headers)


def _head(upload: ResumableUpload) -> Response:
    headers = {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }
    if upload.metadata:
        headers["Upload-Metadata"] = format_metadata(upload.metadata)
    return _response(200, headers)


def _options(runtime: Runtime) -> Response:
    return _response(
        204,
        {
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(runtime.settings.limits.max_upload_bytes),
        },
    )


def _check_version(request: Request) -> Response | None:
    if request.headers.get("tus-resumable") == TUS_VERSION:
        return None
    return _response(
        412,
        {"Tus-Version": TUS_VERSION},
        body=f"requests need the header Tus-Resumable: {TUS_VERSION}",
    )


def _int_header(request: Request, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit() or len(value) > 19:
        raise InvalidInput(f"{name} must be a non-negative integer", field=name)
    return int(value)


def parse_metadata(header: str) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64value` pairs (value optional).

    Raises:
        InvalidInput: a malformed pair, a repeated key, or a value not UTF-8.
    """
    metadata: dict[str, str] = {}
    for pair in filter(None, (item.strip() for item in header.split(","))):
        key, _, encoded = pair.partition(" ")
        if not key or " " in encoded.strip() or key in metadata:
            raise InvalidInput("malformed Upload-Metadata", field="Upload-Metadata")
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidInput(
                f"Upload-Metadata {key!r} is not base64 of UTF-8",
                field="Upload-Metadata",
            ) from None
        metadata[key] = value
    return metadata


def format_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in metadata.items()
    )


def _error(exc: GqlMediaError) -> Response:
    status = next(
        (code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400
    )
    return _response(status, body=f"{exc.code}: {exc.message}")


def _response(
    status: int, headers: dict[str, str] | None = None, body: str = ""
) -> Response:
    return Response(
        body,
        status_code=status,
        headers={"Tus-Resumable": TUS_VERSION, **(headers or {})},
        media_type="text/plain" if body else None,
    )
