"""A byte range of a file as a seekable stream (the body of one S3 part)."""

import io
from pathlib import Path


class FilePart(io.RawIOBase):
    """A byte range of a file as a seekable stream: botocore hashes it for the
    signature and rewinds it for a retry, aiohttp sends it in small reads. A
    part held as bytes would cost its size two or three times over (the read,
    the socket's send buffer), per part in flight."""

    def __init__(self, path: Path, start: int, length: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._start = start
        self._length = length
        self._pos = 0
        self._file.seek(start)

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
