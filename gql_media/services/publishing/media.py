"""The video as an uploader sees it: streamed from storage, verified on the way.

The bytes must still hash to the asset's SHA-256. The stream hashes as it goes
and holds back its last chunk until the digest is known, so a changed file is
never sent complete: the platform cannot finish a post from it, and the upload
aborts with `ChecksumMismatch`. Platforms that pull the file (a presigned URL)
get the link only after a full verifying read.
"""

import hashlib
from collections.abc import AsyncIterator

from gql_media import models
from gql_media.errors import NotFound
from gql_media.runtime import Runtime
from gql_media.services.publishing.uploaders.base import Media, PermanentError

CHUNK = 1024 * 1024
LINK_SECONDS = 900  # a presigned link for pulling platforms lives 15 minutes


class ChecksumMismatch(PermanentError):
    """The stored bytes no longer hash to the asset's SHA-256."""


class FileMissing(PermanentError):
    """The asset's file is not in storage."""


class VerifiedFile:
    """The stored file of one asset, and whether a read found it changed."""

    def __init__(self, runtime: Runtime, asset: models.Asset) -> None:
        self.runtime = runtime
        self.key = asset.storage_key or ""
        self.size = asset.size_bytes or 0
        self.sha256 = asset.checksum or ""
        self.content_type = asset.mime_type or "video/mp4"
        self.mismatch = False

    async def check_present(self) -> None:
        """FileMissing unless the file is stored; ChecksumMismatch when its size
        already differs (cheap, before any byte is sent)."""
        if not self.key or not await self.runtime.storage.exists(self.key):
            raise FileMissing("video file not found")
        if await self.runtime.storage.size(self.key) != self.size:
            self.mismatch = True
            raise ChecksumMismatch("checksum mismatch: the stored file changed size")

    def media(self) -> Media:
        return Media(
            size=self.size,
            sha256=self.sha256,
            content_type=self.content_type,
            open=self.open,
            presigned_url=self.presigned_url,
        )

    async def open(self, offset: int = 0) -> AsyncIterator[bytes]:
        """The bytes from `offset` to the end; all bytes are hashed, and the last
        chunk comes only once the digest matched."""
        digest = hashlib.sha256()
        position = 0
        held: bytes | None = None
        try:
            async for chunk in self.runtime.storage.open(self.key, CHUNK):
                digest.update(chunk)
                start, position = position, position + len(chunk)
                if position <= offset:
                    continue
                piece = chunk[max(0, offset - start) :]
                if held is not None:
                    yield held
                held = piece
        except NotFound:
            raise FileMissing("video file not found") from None
        if position != self.size or digest.hexdigest() != self.sha256:
            self.mismatch = True
            raise ChecksumMismatch("checksum mismatch: the stored file changed")
        if held is not None:
            yield held

    async def verify(self) -> None:
        """Read the whole file once; ChecksumMismatch when it changed."""
        async for _ in self.open(self.size):
            pass

    async def presigned_url(self) -> str:
        await self.verify()
        return await self.runtime.storage.url(self.key, LINK_SECONDS)
