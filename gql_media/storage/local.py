"""Storage in a local directory; links are served by the app under /files/."""

import asyncio
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from gql_media.errors import NotFound, TransientError
from gql_media.storage.base import Storage, StoredObject
from gql_media.storage.signing import sign


def _write_atomic(dest: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a temp file next to `dest`, then rename it over `dest`.

    A reader sees either the old file or the complete new one, never a prefix.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The dot prefix keeps temp files out of the key space (keys never start so).
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as tmp:
            write(tmp)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _copy_from(src: Path) -> Callable[[BinaryIO], None]:
    def write(out: BinaryIO) -> None:
        with src.open("rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)

    return write


class LocalStorage(Storage):
    """Objects are files under `root`, one per key.

    Args:
        root: the directory holding all objects (created on first write).
        secret: the HMAC key that signs links (`Settings.signing_key()`).
        base_url: prefix of links, e.g. "https://media.example.com"; links are
            relative ("/files/...") when empty.
    """

    def __init__(self, root: Path, secret: bytes, base_url: str = "") -> None:
        self.root = root
        self._secret = secret
        self._base_url = base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        """The file of `key`; ValueError unless `key` is a clean relative path."""
        return self.root.joinpath(*_clean_parts(key))

    async def put_file(
        self,
        key: str,
        path: Path,
        content_type: str | None = None,
        *,
        ready: Awaitable[object] | None = None,
    ) -> None:
        """Copy `path` under `key` atomically; `content_type` is not kept locally.

        With `ready`, the copy starts once it has succeeded: a local copy is quick,
        and a copy begun in a thread could not be stopped if `ready` failed.
        """
        dest = self._path(key)
        if ready is not None:
            await ready
        await asyncio.to_thread(_write_atomic, dest, _copy_from(path))

    async def put_bytes(
        self, key: str, data: bytes, content_type: str | None = None
    ) -> None:
        """Write `data` under `key` atomically."""

        def write(out: BinaryIO) -> None:
            out.write(data)

        await asyncio.to_thread(_write_atomic, self._path(key), write)

    async def download(self, key: str, dest: Path) -> None:
        """Copy the file of `key` to `dest`.

        Raises:
            NotFound: no object under `key`.
        """
        src = self._path(key)
        try:
            await asyncio.to_thread(shutil.copyfile, src, dest)
        except (FileNotFoundError, IsADirectoryError):
            if not src.is_file():
                raise NotFound(f"no stored object {key}") from None
            raise  # the problem is the destination

    async def open(
        self, key: str, chunk_size: int = 1024 * 1024
    ) -> AsyncGenerator[bytes, None]:
        """Stream the file of `key` in chunks read in a worker thread.

        Raises:
            NotFound: no object under `key` (when iteration starts).
        """
        path = self._path(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise NotFound(f"no stored object {key}") from None
        try:
            while chunk := await asyncio.to_thread(file.read, chunk_size):
                yield chunk
        finally:
            file.close()

    async def delete(self, key: str) -> None:
        """Remove the file of `key` and the directories it leaves empty."""
        await asyncio.to_thread(self._delete, self._path(key))

    def _delete(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:  # not empty (or already gone): stop climbing
                break
            parent = parent.parent

    async def check(self) -> None:
        """Create the root if needed and write and remove a temp file in it."""

        def probe() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            # A dot name is outside the key space, like the put temp files.
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".check-"):
                pass

        try:
            await asyncio.to_thread(probe)
        except OSError as exc:
            raise TransientError(
                f"cannot write to {self.root}: {exc.strerror or exc}"
            ) from exc

    async def exists(self, key: str) -> bool:
        """Whether a file is stored under `key`."""
        return self._path(key).is_file()

    async def size(self, key: str) -> int:
        """The size in bytes of the file of `key`.

        Raises:
            NotFound: no object under `key`.
        """
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"no stored object {key}")
        return path.stat().st_size

    async def list_objects(self, prefix: str) -> AsyncGenerator[StoredObject, None]:
        """Every file under `prefix`; temp files of writes in flight (".tmp-...")
        are not objects yet and are left out."""
        top = self.root.joinpath(*[p for p in prefix.split("/") if p])
        found = await asyncio.to_thread(_walk, self.root, top)
        for item in found:
            yield item

    async def url(self, key: str, expires_in: int, filename: str | None = None) -> str:
        """A signed `/files/<key>` link valid for `expires_in` seconds.

        Args:
            key: the object.
            expires_in: lifetime of the link in seconds.
            filename: suggested download name (Content-Disposition), if any.
        """
        _clean_parts(key)  # validates
        query = sign(key, int(time.time()) + expires_in, self._secret, filename)
        return f"{self._base_url}/files/{_quoted(key)}?{query}"

    def local_path(self, key: str) -> Path:
        """The file of `key` (which may not exist)."""
        return self._path(key)


# Keys are built by the server (blobs/sha256/ab/cd/<hash>, thumbs/...): these need
# no quoting, so a link skips quote() for them.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_./-]+")


def _clean_parts(key: str) -> list[str]:
    """The parts of `key`; ValueError unless it is a clean relative path."""
    parts = key.split("/")
    # A part starting with "." covers "." and ".." and our own temp files.
    if (
        "\\" in key
        or "\x00" in key
        or any(part == "" or part.startswith(".") for part in parts)
    ):
        raise ValueError(f"not a clean storage key: {key!r}")
    return parts


def _quoted(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else quote(key, safe="/")


def _walk(root: Path, top: Path) -> list[StoredObject]:
    found = []
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                stat = path.stat()
            except FileNotFoundError:  # deleted while we walked
                continue
            found.append(
                StoredObject(
                    key=path.relative_to(root).as_posix(),
                    size=stat.st_size,
                    modified=datetime.fromtimestamp(stat.st_mtime, UTC),
                )
            )
    return found
