"""A byte range of a file as a seekable stream (the body of one S3 part), and the
digests of such a range."""

import base64
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

_READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class PartDigests:
    """What an S3 part's request carries about its bytes: the SHA-256 its SigV4
    signature covers (hex) and the CRC32 S3 checks and keeps (base64)."""

    sha256: str
    crc32: str


def part_digests(path: Path, start: int, length: int) -> PartDigests:
    """Both digests of a byte range, in one read (blocking: run it in a thread;
    hashlib and zlib release the GIL on large buffers)."""
    sha256 = hashlib.sha256()
    crc = 0
    with path.open("rb") as file:
        file.seek(start)
        remaining = length
        while remaining > 0:
            chunk = file.read(min(_READ_SIZE, remaining))
            if not chunk:
                raise ValueError(f"{path} ended {remaining} bytes before the part")
            sha256.update(chunk)
            crc = zlib.crc32(chunk, crc)
            remaining -= len(chunk)
    return PartDigests(
        sha256=sha256.hexdigest(),
        crc32=base64.b64encode(crc.to_bytes(4, "big")).decode("ascii"),
    )


class FilePart(io.RawIOBase):
    """A byte range of a file as a seekable stream: botocore hashes it for the
    signature (unless `payload_sha256` says the hash) and rewinds it for a
    retry, aiohttp sends it in small reads. A part held as bytes would cost its
    size two or three times over (the read, the socket's send buffer), per part
    in flight."""

    def __init__(
        self,
        path: Path,
        start: int,
        length: int,
        *,
        payload_sha256: str | None = None,
    ) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._start = start
        self._length = length
        self._pos = 0
        self._file.seek(start)
        # The hex SHA-256 of the range when the caller has it (`part_digests`).
        self.payload_sha256 = payload_sha256

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def __len__(self) -> int:
        # botocore takes the Content-Length from len().
        return self._length

    def read(self, size: int | None = -1) -> bytes:
        remaining = self._length - self._pos
        if size is None or size < 0 or size > remaining:
            size = remaining
        data = self._file.read(size)
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}
        self._pos = max(0, min(self._length, base[whence] + offset))
        self._file.seek(self._start + self._pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._file.close()
        super().close()
