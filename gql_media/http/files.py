"""GET /files/<key>: serves local storage through HMAC-signed, expiring links.

The link's signature (see `storage.signing`) covers the key, the expiry and the
suggested file name. Responses support a single or multiple byte ranges (video
players seek with them) through Starlette's `FileResponse`.
"""

import asyncio
import mimetypes
import os
import stat
import time

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from gql_media.storage.local import LocalStorage
from gql_media.storage.signing import verify

# File names come from users: only media types are trusted enough to be guessed
# from them, so an uploaded "page.html" is never served as HTML from our origin.
_GUESSABLE = ("video/", "audio/", "image/")
_NOT_GUESSABLE = {"image/svg+xml"}


def media_type(key: str, filename: str | None) -> str:
    """The Content-Type of a stored file: from the key's suffix (thumbnails), else
    from a media file name signed into the link, else application/octet-stream."""
    guessed = mimetypes.guess_type(key)[0]
    if guessed is None and filename:
        guessed = mimetypes.guess_type(filename)[0]
    if (
        guessed is None
        or not guessed.startswith(_GUESSABLE)
        or guessed in _NOT_GUESSABLE
    ):
        return "application/octet-stream"
    return guessed


def files_route(storage: LocalStorage, secret: bytes) -> Route:
    """The route serving `storage`'s files at /files/{key} (GET and HEAD).

    Args:
        storage: the local backend whose links this route answers.
        secret: the HMAC key the links were signed with (`Settings.signing_key()`).

    Returns:
        A Starlette route answering 403 for an expired or altered link, 404 for a
        missing file, and the file (200 or 206 for a Range request) otherwise.
    """

    async def serve_file(request: Request) -> Response:
        key: str = request.path_params["key"]
        if not verify(key, request.query_params, secret, time.time()):
            return PlainTextResponse("link expired or invalid", status_code=403)
        try:
            path = storage.local_path(key)
            info = await asyncio.to_thread(os.stat, path)
        except (ValueError, OSError):
            return PlainTextResponse("not found", status_code=404)
        if not stat.S_ISREG(info.st_mode):
            return PlainTextResponse("not found", status_code=404)
        filename = request.query_params.get("fn") or None
        return FileResponse(
            path,
            stat_result=info,
            media_type=media_type(key, filename),
            filename=filename,
            headers={
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Cache-Control": "private",
            },
        )

    return Route("/files/{key:path}", serve_file, methods=["GET", "HEAD"])
