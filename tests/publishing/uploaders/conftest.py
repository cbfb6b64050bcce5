"""Clips generated with ffmpeg at test time, read from disk through `Media.open`,
and a `Resume` that keeps what an uploader saves, as the ledger's attempt row does."""

import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gql_media.services.publishing.uploaders.base import Media, Resume
from tests.support.media import make_video

READ_SIZE = 64 * 1024


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real H.264 MP4 of about a megabyte: several 256 KiB chunks."""
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    return make_video(path, width=640, height=360, seconds=4, audio=True)


def media_of(path: Path, presigned_url: str = "http://unused.invalid/") -> Media:
    """A Media whose bytes come from `path`, opened at any offset."""
    data_size = path.stat().st_size

    async def open_at(offset: int) -> AsyncIterator[bytes]:
        with path.open("rb") as file:
            file.seek(offset)
            while chunk := file.read(READ_SIZE):
                yield chunk

    async def url() -> str:
        return presigned_url

    return Media(
        size=data_size,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        content_type="video/mp4",
        open=open_at,
        presigned_url=url,
    )


@dataclass
class Saved:
    """What the ledger keeps for a publication between attempts."""

    state: dict[str, Any] = field(default_factory=dict)
    saves: list[dict[str, Any]] = field(default_factory=list)

    def resume(self) -> Resume:
        async def save(state: dict[str, Any]) -> None:
            self.saves.append(dict(state))
            self.state = dict(state)

        return Resume(state=dict(self.state), save=save)


@pytest.fixture
def saved() -> Saved:
    return Saved()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


MediaFactory = Callable[[Path], Media]


class ChangedOnDisk(Exception):
    """What a caller's checksum check raises while the bytes stream out."""


def failing_after(media: Media, good_bytes: int) -> Media:
    """`media`, whose stream raises ChangedOnDisk past `good_bytes` (the caller's
    SHA-256 check noticing a file changed on disk)."""

    async def open_at(offset: int) -> AsyncIterator[bytes]:
        position = offset
        async for chunk in media.open(offset):
            if position + len(chunk) > good_bytes:
                raise ChangedOnDisk(f"bytes differ after {good_bytes}")
            position += len(chunk)
            yield chunk

    return Media(
        media.size, media.sha256, media.content_type, open_at, media.presigned_url
    )
