"""Resumable uploads: a partial file per upload, appended to across requests and
hashed as it arrives, registered as an asset (like any upload) once complete.

The transport (tus, `http/tus.py`) only maps requests to these calls. State lives in
the data directory's tmp folder, `tus-<id>.part` (the bytes so far; its size is the
offset) and `tus-<id>.json` (owner, declared length, metadata), so an upload
survives a dropped connection and a restart of the process. The SHA-256 state is
kept in memory between requests; when it is missing (after a restart, or the upload
came back to another process) the bytes received so far are hashed once more.
"""

import asyncio
import fcntl
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound, TooLarge
from gql_media.runtime import Runtime
from gql_media.services.assets import library, quota
from gql_media.services.assets.validation import (
    AssetDetails,
    ReceivedFile,
    check_content_type,
)

logger = logging.getLogger(__name__)

MAX_METADATA_KEYS = 32
MAX_METADATA_VALUE = 4096
_HASH_CHUNK = 1024 * 1024


class UploadBusy(InvalidState):
    """Another request is writing to this upload right now."""


class OffsetMismatch(InvalidState):
    """The client's offset is not where the upload stands."""


@dataclass
class ResumableUpload:
    """One upload in progress, as stored in its `.json` file."""

    id: str
    owner_id: str
    length: int
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    offset: int = 0  # not stored: the size of the `.part` file


@dataclass(frozen=True)
class Finished:
    """What completing an upload made: the asset, its job, whether a duplicate."""

    asset: models.Asset
    job: models.Job | None
    duplicate: bool


# id -> (hash of the first `offset` bytes, offset), for uploads this process
# received; a cache only (see the module docstring).
_hashes: dict[str, tuple["hashlib._Hash", int]] = {}


class ResumableUploads:
    """The resumable uploads of one runtime's data directory."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.dir = runtime.settings.tmp_dir
        self.max_bytes = runtime.settings.limits.max_upload_bytes
        self.expiry = runtime.settings.limits.upload_expiry_seconds

    def _paths(self, upload_id: str) -> tuple[Path, Path]:
        return self.dir / f"tus-{upload_id}.part", self.dir / f"tus-{upload_id}.json"

    async def create(
        self, owner_id: str, length: int, metadata: dict[str, str]
    ) -> ResumableUpload:
        """Start an upload of `length` bytes.

        Raises:
            InvalidInput: an empty file or unusable metadata.
            TooLarge: `length` is over the upload limit.
            QuotaExceeded: `length` and the owner's open uploads would pass the
                owner's storage quota.
        """
        if length <= 0:
            raise InvalidInput("the file is empty", field="Upload-Length")
        if length > self.max_bytes:
            raise TooLarge(
                f"the file is larger than the limit of {self.max_bytes} bytes",
                limit=self.max_bytes,
            )
        _details(metadata)  # refuse bad names and tags now, not after the bytes
        await asyncio.to_thread(self._sweep)  # abandoned uploads reserve nothing
        if quota.enabled(self.runtime):
            pending = await self.open_bytes(owner_id)
            await quota.check(self.runtime, owner_id, length, pending=pending)
        upload = ResumableUpload(
            id=uuid.uuid4().hex,
            owner_id=owner_id,
            length=length,
            metadata=metadata,
            created_at=time.time(),
        )
        await asyncio.to_thread(self._create_files, upload)
        return upload

    async def open_bytes(self, owner_id: str) -> int:
        """The bytes the owner's open uploads may still store: the declared
        lengths of its tus uploads here and of its presigned uploads."""
        here = await asyncio.to_thread(self._open_lengths, owner_id)
        return here + await quota.open_direct_bytes(owner_id)

    def _open_lengths(self, owner_id: str) -> int:
        total = 0
        for info in self.dir.glob("tus-*.json"):
            try:
                stored = json.loads(info.read_text())
            except (FileNotFoundError, ValueError):
                continue  # completed or removed meanwhile
            if stored.get("owner_id") == owner_id:
                total += int(stored.get("length") or 0)
        return total

    def _create_files(self, upload: ResumableUpload) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        part, info = self._paths(upload.id)
        stored = asdict(upload)
        del stored["offset"]
        part.touch(exist_ok=False)
        info.write_text(json.dumps(stored))

    def _sweep(self) -> None:
        """Remove uploads nobody touched for `expiry` seconds (abandoned)."""
        cutoff = time.time() - self.expiry
        for info in self.dir.glob("tus-*.json"):
            part = info.with_suffix(".part")
            try:
                touched = max(info.stat().st_mtime, part.stat().st_mtime)
            except FileNotFoundError:
                touched = 0.0
            if touched < cutoff:
                part.unlink(missing_ok=True)
                info.unlink(missing_ok=True)
                upload_id = info.stem.removeprefix("tus-")
                _hashes.pop(upload_id, None)
                logger.info("removed abandoned upload %s", upload_id)

    async def get(self, owner_id: str, upload_id: str) -> ResumableUpload:
        """The owner's upload with its offset; another owner's reads as unknown.

        Raises:
            NotFound: no such upload for this owner (or it completed or expired).
        """
        return await asyncio.to_thread(self._load, owner_id, upload_id)

    def _load(self, owner_id: str, upload_id: str) -> ResumableUpload:
        part, info = self._paths(upload_id)
        try:
            stored: dict[str, Any] = json.loads(info.read_text())
            offset = part.stat().st_size
        except (FileNotFoundError, ValueError):
            raise NotFound(f"no upload with id {upload_id!r}") from None
        upload = ResumableUpload(**stored, offset=offset)
        if upload.owner_id != owner_id:
            raise NotFound(f"no upload with id {upload_id!r}")
        return upload

    async def append(
        self,
        owner_id: str,
        upload_id: str,
        offset: int,
        chunks: AsyncIterator[bytes],
    ) -> ResumableUpload:
        """Write `chunks` at `offset`; on a dropped connection what arrived stays.

        Raises:
            NotFound: unknown upload.
            OffsetMismatch: `offset` is not the upload's offset.
            UploadBusy: another request is writing to the upload.
            TooLarge: more bytes than the declared length (the excess is dropped).
        """
        upload = await self.get(owner_id, upload_id)
        part, _ = self._paths(upload_id)
        file = await asyncio.to_thread(open, part, "r+b")
        try:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadBusy("another request is writing this upload") from None
            # Read the offset again under the lock: the other writer may have moved it.
            upload.offset = os.fstat(file.fileno()).st_size
            if offset != upload.offset:
                raise OffsetMismatch(
                    f"Upload-Offset is {offset}, the upload stands at {upload.offset}"
                )
            digest = await self._hash_state(upload, file)
            file.seek(upload.offset)
            try:
                async for chunk in chunks:
                    if upload.offset + len(chunk) > upload.length:
                        raise TooLarge(
                            f"more bytes than the declared {upload.length}",
                            limit=upload.length,
                        )
                    # One network read (~64 KiB): writing it inline costs less than
                    # a thread hop; the fsync below runs in a thread.
                    file.write(chunk)
                    digest.update(chunk)
                    upload.offset += len(chunk)
            finally:
                # Whatever arrived is kept (a resume continues after it) and its
                # hash state with it.
                file.truncate(upload.offset)
                await asyncio.to_thread(_sync, file)
                _hashes[upload_id] = (digest, upload.offset)
        finally:
            file.close()  # releases the lock
        return upload

    async def _hash_state(self, upload: ResumableUpload, file: Any) -> "hashlib._Hash":
        cached = _hashes.get(upload.id)
        if cached is not None and cached[1] == upload.offset:
            return cached[0]
        logger.info(
            "upload %s: hashing the %s bytes received", upload.id, upload.offset
        )
        return await asyncio.to_thread(_hash_prefix, file, upload.offset)

    async def finish(self, upload: ResumableUpload) -> Finished:
        """Register a complete upload as an asset (dedup, storage and the
        processing job as for any upload) and remove its files.

        Raises:
            InvalidState: the upload is not complete.
            QuotaExceeded: the owner's quota filled up meanwhile (the bytes are
                dropped, as for any refusal here).
        """
        if upload.offset != upload.length:
            raise InvalidState("the upload is not complete")
        part, _ = self._paths(upload.id)
        cached = _hashes.get(upload.id)
        if cached is not None and cached[1] == upload.offset:
            sha256 = cached[0].hexdigest()
        else:
            sha256 = await asyncio.to_thread(_hash_file, part)
        received = ReceivedFile(
            path=part,
            sha256=sha256,
            size=upload.offset,
            filename=_filename(upload.metadata),
            content_type=upload.metadata.get("filetype") or None,
        )
        try:
            asset, job, duplicate = await library.create_from_upload(
                self.runtime, upload.owner_id, received, _details(upload.metadata)
            )
        finally:
            await self.remove(upload.id)
        logger.info("upload %s became asset %s", upload.id, asset.id)
        return Finished(asset, job, duplicate)

    async def terminate(self, owner_id: str, upload_id: str) -> None:
        """Drop an upload and its bytes.

        Raises:
            NotFound: unknown upload.
        """
        await self.get(owner_id, upload_id)
        await self.remove(upload_id)

    async def remove(self, upload_id: str) -> None:
        _hashes.pop(upload_id, None)
        await asyncio.to_thread(self._unlink, upload_id)

    def _unlink(self, upload_id: str) -> None:
        for path in self._paths(upload_id):
            path.unlink(missing_ok=True)


def _details(metadata: dict[str, str]) -> AssetDetails:
    """The asset details a client sent as upload metadata: `name` (or the file
    name), and `tags` separated by commas."""
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidInput(f"at most {MAX_METADATA_KEYS} metadata keys")
    for key, value in metadata.items():
        if len(value) > MAX_METADATA_VALUE:
            raise InvalidInput(f"metadata {key!r} is over {MAX_METADATA_VALUE} bytes")
    # It becomes the stored object's Content-Type: refused now if malformed.
    check_content_type(metadata.get("filetype"), "filetype")
    tags = [tag for tag in metadata.get("tags", "").split(",") if tag.strip()]
    name = metadata.get("name") or _filename(metadata)
    return AssetDetails(name=name, tags=tags).validate()


def _filename(metadata: dict[str, str]) -> str | None:
    # tus-js-client and Uppy send "filename"; tuspy's examples use "filename" too.
    return metadata.get("filename") or None


def _sync(file: Any) -> None:
    file.flush()
    os.fsync(file.fileno())


def _hash_prefix(file: Any, length: int) -> "hashlib._Hash":
    digest = hashlib.sha256()
    file.seek(0)
    remaining = length
    while remaining > 0:
        block = file.read(min(_HASH_CHUNK, remaining))
        if not block:
            break
        digest.update(block)
        remaining -= len(block)
    return digest


def _hash_file(path: Path) -> str:
    with open(path, "rb") as file:
        return _hash_prefix(file, path.stat().st_size).hexdigest()
