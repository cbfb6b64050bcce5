"""What the platform uploaders share: an HTTP client, byte windows, Retry-After.

The uploaders stream the video in windows read from `Media.open(offset)`, so the
file never sits whole in memory, and a resumed upload reopens it at the offset the
platform reports instead of trusting what this process believes it sent.
"""

import functools
import re
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from gql_media.kit import clock
from gql_media.services.publishing import limits
from gql_media.services.publishing.uploaders.base import (
    Media,
    PermanentError,
    PublishMetadata,
    TransientError,
)

# Connect fast or give up; a chunk of several MB may take a while to write.
TIMEOUT = httpx.Timeout(connect=10.0, read=120.0, write=120.0, pool=30.0)

_PACIFIC = ZoneInfo("America/Los_Angeles")
_HASHTAG = re.compile(r"#\w+")


async def _take_a_request_token(request: httpx.Request) -> None:
    await limits.before_request()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings, made once per process: loading the CA bundle
    takes tens of milliseconds of CPU, which each new client paid again (one per
    publication attempt). An SSLContext is safe to share between clients."""
    return httpx.create_ssl_context()


def new_client() -> httpx.AsyncClient:
    """A client for one uploader: timeouts set, no redirects (a platform API that
    redirects an upload is answering something we do not speak), and every request
    through it (token refresh, session, each chunk, status) paid for with the
    platform's request rate (`limits.before_request`), so an attempt that makes
    many requests still keeps the platform's limit."""
    return httpx.AsyncClient(
        verify=tls_context(),
        timeout=TIMEOUT,
        follow_redirects=False,
        event_hooks={"request": [_take_a_request_token]},
    )


@contextmanager
def transport_errors(platform: str) -> Iterator[None]:
    """Dropped connections and timeouts are transient: the next attempt resumes."""
    try:
        yield
    except httpx.TransportError as exc:
        raise TransientError(f"{platform}: connection failed ({exc!r})") from exc


def retry_after(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds (delta or HTTP date), None if absent."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - clock.now()).total_seconds())


def seconds_to_pacific_midnight(now: datetime | None = None) -> float:
    """YouTube's daily quota resets at midnight Pacific time."""
    local = (now or clock.now()).astimezone(_PACIFIC)
    midnight = (local + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return (midnight - local).total_seconds()


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def caption_text(metadata: PublishMetadata) -> str:
    """The caption as posted: the text, then the hashtags not already in it."""
    text = metadata.caption or ""
    present = {tag.lower() for tag in _HASHTAG.findall(text)}
    extra = []
    for raw in metadata.hashtags:
        tag = "#" + raw.lstrip("#")
        if tag.lower() not in present:
            present.add(tag.lower())
            extra.append(tag)
    return " ".join(part for part in (text.strip(), " ".join(extra)) if part)


def caption_problems(
    metadata: PublishMetadata, *, max_chars: int = 2200, max_hashtags: int = 30
) -> list[str]:
    """TikTok's and Instagram's caption limits, counted on the caption as posted."""
    text = caption_text(metadata)
    problems = []
    if len(text) > max_chars:
        problems.append(f"caption is over {max_chars:,} characters ({len(text):,})")
    hashtags = {tag.lower() for tag in _HASHTAG.findall(text)}
    if len(hashtags) > max_hashtags:
        problems.append(f"caption has more than {max_hashtags} hashtags")
    return problems


class ByteCursor:
    """Reads a Media's bytes as request bodies of a given length, from an offset.

    One `Media.open` stream serves consecutive windows; `seek` to another offset
    (the platform kept less than was sent) closes it and opens a new one.
    """

    def __init__(self, media: Media, offset: int = 0) -> None:
        self._media = media
        self.offset = offset
        self._stream: AsyncIterator[bytes] | None = None
        self._pending = b""

    async def seek(self, offset: int) -> None:
        if offset != self.offset:
            await self.aclose()
            self.offset = offset

    async def window(self, length: int) -> AsyncIterator[bytes]:
        """Yield the next `length` bytes, in the stream's own chunks."""
        if self._stream is None:
            self._stream = aiter(self._media.open(self.offset))
        remaining = length
        while remaining > 0:
            if not self._pending:
                try:
                    self._pending = await anext(self._stream)
                except StopAsyncIteration:
                    raise PermanentError(
                        f"the file ended at byte {self.offset} of {self._media.size}"
                    ) from None
            piece, self._pending = self._pending[:remaining], self._pending[remaining:]
            remaining -= len(piece)
            self.offset += len(piece)
            yield piece

    async def aclose(self) -> None:
        stream, self._stream, self._pending = self._stream, None, b""
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
