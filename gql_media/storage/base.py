"""The `Storage` interface: blobs and thumbnails under server-built keys.

Keys are built only by `storage.keys`, never from user-supplied names. Backends:
`local.LocalStorage` (a directory, links served by the app under /files/ with an
HMAC-signed expiry) and `s3.S3Storage` (aioboto3, multipart for large files,
presigned GET links).
"""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class StoredObject:
    """One object as a listing sees it."""

    key: str
    size: int
    modified: datetime


class Storage(ABC):
    """An async key -> bytes store."""

    @abstractmethod
    async def put_file(
        self,
        key: str,
        path: Path,
        content_type: str | None = None,
        *,
        ready: Awaitable[object] | None = None,
    ) -> None:
        """Store the file at `path` under `key`, replacing what was there.

        Atomic from a reader's point of view: `exists(key)` is false or the object
        is complete. Large files stream in chunks (multipart on S3, aborted if any
        part fails, so no parts are left behind).

        Args:
            key: a key built by `storage.keys`.
            path: a local file; it is read, not moved.
            content_type: stored with the object and served with it.
            ready: other work the object must wait for (a task making the file's
                thumbnail): the transfer may run alongside it, but the object
                appears only once `ready` has succeeded. If `ready` fails, nothing
                is stored (a multipart upload is aborted) and its error propagates.
        """

    @abstractmethod
    async def put_bytes(
        self, key: str, data: bytes, content_type: str | None = None
    ) -> None:
        """Store a small object (a thumbnail) under `key`."""

    @abstractmethod
    async def download(self, key: str, dest: Path) -> None:
        """Copy the object under `key` into the local file `dest`.

        Raises:
            NotFound: no object under `key`.
        """

    @abstractmethod
    def open(self, key: str, chunk_size: int = 1024 * 1024) -> AsyncIterator[bytes]:
        """Stream the object under `key` in chunks.

        Raises:
            NotFound: no object under `key` (when iteration starts).
        """

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object under `key`; a missing key is not an error."""

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    @abstractmethod
    async def size(self, key: str) -> int:
        """The size in bytes of the object under `key`.

        Raises:
            NotFound: no object under `key`.
        """

    @abstractmethod
    def list_objects(self, prefix: str) -> AsyncIterator[StoredObject]:
        """Every object whose key starts with `prefix` (e.g. "blobs/"), in no
        particular order; objects still being written are not listed."""

    @abstractmethod
    async def url(self, key: str, expires_in: int, filename: str | None = None) -> str:
        """A link that lets anyone GET the object for `expires_in` seconds.

        Args:
            key: the object.
            expires_in: lifetime of the link in seconds.
            filename: suggested download name (Content-Disposition), if any.
        """

    @abstractmethod
    async def check(self) -> None:
        """Prove the store can be used now (readiness): the directory is
        writable, the bucket answers.

        Raises:
            TransientError: the store cannot be used; the message says why.
        """

    def local_path(self, key: str) -> Path | None:
        """The object's path on this machine when the backend keeps files locally.

        Lets jobs run ffprobe on a stored blob without copying it. None otherwise.
        """
        return None

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Get ready to serve at start-up, without contacting the store: work the
        first request would otherwise pay for (loading an SDK's models)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients and sessions."""
