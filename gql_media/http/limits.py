"""Request-level limits of the GraphQL endpoint: bodies and messages are counted
while they are read, so an oversized one is refused before it is parsed."""

from collections.abc import AsyncIterator

from starlette.requests import Request

from gql_media.errors import GqlMediaError, TooLarge


class RequestRejected(Exception):
    """The request cannot be parsed or breaks a limit; `status` is the HTTP code."""

    def __init__(self, error: GqlMediaError, status: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.status = status


def too_large(what: str, limit: int) -> RequestRejected:
    return RequestRejected(
        TooLarge(f"{what} is larger than the limit of {limit} bytes", limit=limit), 413
    )


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The whole body, or RequestRejected (413) as soon as it passes `max_bytes`.

    A declared Content-Length over the cap is refused before reading anything; a
    chunked or lying body is refused at the chunk that crosses the cap.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large("the request body", max_bytes)
    return await collect(request.stream(), max_bytes)


async def collect(chunks: AsyncIterator[bytes], max_bytes: int) -> bytes:
    body = bytearray()
    async for chunk in chunks:
        if len(body) + len(chunk) > max_bytes:
            raise too_large("the request body", max_bytes)
        body.extend(chunk)
    return bytes(body)


def message_too_large(text: str, max_bytes: int) -> bool:
    """Whether a WebSocket text message is over the cap, in UTF-8 bytes."""
    # One character is 1 to 4 bytes: only the band in between needs encoding.
    if len(text) > max_bytes:
        return True
    return len(text) * 4 > max_bytes and len(text.encode()) > max_bytes
