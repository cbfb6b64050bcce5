"""Write a stream to a file while hashing and counting it: each byte is read once."""

import hashlib
import os
from pathlib import Path
from types import TracebackType

from gql_media.errors import TooLarge


class HashingWriter:
    """A file sink that computes SHA-256 and enforces a size cap as bytes arrive.

    Used by uploads (multipart parts) and imports (HTTP bodies). On any error the
    partial file is removed, so a rejected request leaves nothing behind.

    Example:
        with HashingWriter(path, max_bytes=limit) as sink:
            async for chunk in body:
                sink.write(chunk)
        sink.sha256, sink.size
    """

    def __init__(self, path: Path, max_bytes: int, *, durable: bool = True) -> None:
        self.path = path
        self.max_bytes = max_bytes
        # fsync on close: an upload's file outlives the request that wrote it (a
        # queued job reads it later); a download read by the job that made it is
        # fetched again if that job dies, so it needs no fsync.
        self._durable = durable
        self.size = 0
        self._hash = hashlib.sha256()
        self._file = open(path, "xb")

    def write(self, chunk: bytes) -> None:
        """Append `chunk`; raise TooLarge (and stop writing) past the cap."""
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge(
                f"the file is larger than the limit of {self.max_bytes} bytes",
                limit=self.max_bytes,
            )
        self._hash.update(chunk)
        self._file.write(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            if self._durable:
                os.fsync(self._file.fileno())
            self._file.close()

    def discard(self) -> None:
        """Close and remove the partial file."""
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "HashingWriter":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()
