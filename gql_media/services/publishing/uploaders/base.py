"""The uploader interface: one platform's way to post a video.

Uploaders are found through the Python entry-point group `gql_media.uploaders`
(see registry.py); each entry point names a `build(settings) -> Uploader | None`
factory (None: the platform is not configured in these settings).
"""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class UploadError(Exception):
    """Base of what an uploader raises; `message` is the platform's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(UploadError):
    """HTTP 429 or a quota answer: retry after `retry_after` seconds (the
    platform's Retry-After or reset time; None when it gave none). Not a failure."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(UploadError):
    """Bad credentials, rejected content, invalid metadata: never retried."""


class TransientError(UploadError):
    """5xx, dropped connections, timeouts: retried with backoff."""


@dataclass(frozen=True)
class PublishMetadata:
    """What is sent with the video. `caption` is the description on YouTube."""

    title: str | None = None
    caption: str | None = None
    hashtags: list[str] = field(default_factory=list)
    privacy: str = "private"  # "public" | "unlisted" | "private"


@dataclass(frozen=True)
class Media:
    """The video to post.

    Attributes:
        size: bytes.
        sha256: hex digest the bytes must have (the caller checks while streaming
            and aborts the upload on a mismatch).
        content_type: e.g. "video/mp4".
        open: `open(offset)` yields the bytes from `offset` to the end, in chunks.
        presigned_url: a short-lived URL of the file, for platforms that pull it.
    """

    size: int
    sha256: str
    content_type: str
    open: Callable[[int], AsyncIterator[bytes]]
    presigned_url: Callable[[], Awaitable[str]]


@dataclass
class Resume:
    """What an earlier, interrupted attempt of this publication saved (a resumable
    session URL, an upload or container id), and how to save it for the next.

    An uploader calls `await save({...})` as soon as it holds a session, BEFORE
    sending bytes, so a killed worker's next attempt resumes that session or asks
    the platform whether the post exists instead of posting twice.
    """

    state: dict[str, Any]
    save: Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class UploadResult:
    post_id: str
    url: str | None = None


class Uploader(ABC):
    """One platform."""

    platform: str  # "youtube", "tiktok", "instagram", "webhook", or a plugin's

    @abstractmethod
    def validate(self, metadata: PublishMetadata) -> list[str]:
        """The metadata's problems for this platform (empty when it may be sent),
        e.g. "title is over 100 characters"."""

    @abstractmethod
    async def upload(
        self, media: Media, metadata: PublishMetadata, resume: Resume
    ) -> UploadResult:
        """Post the video; resume `resume.state` when it holds a session.

        Raises:
            RateLimited, PermanentError, TransientError.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; called when the runtime closes."""
