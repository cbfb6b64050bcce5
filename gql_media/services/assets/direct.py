"""Direct uploads to S3: the client sends the parts of a presigned multipart upload
straight to the bucket; completing it checks the size and SHA-256 it declared
while reading the object back once, then registers it like any upload.

The bytes land under a staging key (`uploads/<id>`), never under a blob key, so
nothing unverified is ever served as content; a mismatch leaves the upload FAILED
and the bucket without the staging object or its parts.
"""

import hashlib
import logging
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gql_media import models
from gql_media.errors import (
    GqlMediaError,
    InvalidInput,
    InvalidState,
    QuotaExceeded,
    TooLarge,
)
from gql_media.kit.clock import now
from gql_media.kit.ids import get_owned
from gql_media.models import DirectUploadStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import library, quota
from gql_media.services.assets.resumable import ResumableUploads
from gql_media.services.assets.validation import (
    AssetDetails,
    ReceivedFile,
    check_content_type,
    check_name,
)
from gql_media.storage import s3_presigned
from gql_media.storage.keys import blob_key
from gql_media.storage.s3 import S3Storage

logger = logging.getLogger(__name__)

MAX_PARTS = 10_000  # S3's limit
_MiB = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class DirectUploadRequest:
    """What a client declares before sending the bytes."""

    size: int
    sha256: str
    filename: str | None
    content_type: str | None
    details: AssetDetails


@dataclass(frozen=True)
class Completed:
    upload: models.DirectUpload
    asset: models.Asset
    job: models.Job | None
    duplicate: bool


def _s3(runtime: Runtime) -> S3Storage:
    if not isinstance(runtime.storage, S3Storage):
        raise InvalidState(
            "direct uploads need S3 storage (GQL_MEDIA_STORAGE__BACKEND=s3); "
            "use /uploads/ (tus) or uploadAsset"
        )
    return runtime.storage


def part_size_for(size: int, preferred: int) -> int:
    """The part size: the setting, raised (in whole MiB) to fit S3's part count."""
    needed = math.ceil(size / MAX_PARTS)
    return max(preferred, math.ceil(needed / _MiB) * _MiB)


async def create(
    runtime: Runtime, owner_id: str, request: DirectUploadRequest
) -> tuple[models.DirectUpload, list[str]]:
    """Open a presigned multipart upload for the declared file.

    Returns:
        (the PENDING upload, one presigned PUT URL per part, in order)

    Raises:
        InvalidState: the storage is not S3.
        InvalidInput: an empty file, a malformed hash, name or content type.
        TooLarge: over the upload limit.
        QuotaExceeded: the file and the owner's open uploads would pass the
            owner's storage quota.
    """
    storage = _s3(runtime)
    limit = runtime.settings.limits.max_upload_bytes
    if request.size <= 0:
        raise InvalidInput("the file is empty", field="sizeBytes")
    if request.size > limit:
        raise TooLarge(f"the file is larger than the limit of {limit} bytes", limit)
    sha256 = request.sha256.lower()
    if not _SHA256.fullmatch(sha256):
        raise InvalidInput("sha256 must be 64 hex digits", field="sha256")
    if request.filename is not None:
        check_name(request.filename)
    content_type = check_content_type(request.content_type, "contentType")
    # Before any part link exists; content the owner has already costs nothing.
    if quota.enabled(runtime) and not await library.find_duplicate(owner_id, sha256):
        pending = await ResumableUploads(runtime).open_bytes(owner_id)
        await quota.check(runtime, owner_id, request.size, pending=pending)
    part_size = part_size_for(request.size, runtime.settings.storage.part_size_bytes)
    count = math.ceil(request.size / part_size)
    ttl = runtime.settings.url_ttl_seconds
    row = models.DirectUpload(
        owner_id=owner_id,
        size_bytes=request.size,
        sha256=sha256,
        part_size_bytes=part_size,
        part_count=count,
        filename=request.filename,
        content_type=content_type,
        details=_stored_details(request.details),
        expires_at=now() + timedelta(seconds=ttl),
    )
    row.staging_key = f"uploads/{row.id}"
    row.s3_upload_id = await s3_presigned.start_multipart(
        storage, row.staging_key, content_type
    )
    try:
        await row.save()
    except BaseException:
        await s3_presigned.abort_multipart(storage, row.staging_key, row.s3_upload_id)
        raise
    urls = [
        await s3_presigned.part_url(
            storage, row.staging_key, row.s3_upload_id, number, ttl
        )
        for number in range(1, count + 1)
    ]
    return row, urls


async def complete(runtime: Runtime, owner_id: str, upload_id: str) -> Completed:
    """Join the parts, verify size and hash on one read, and register the asset.

    Raises:
        NotFound: no such upload for this owner.
        InvalidState: the upload is not PENDING (or another call completes it).
        InvalidInput: the parts are missing or the bytes do not match what was
            declared; the upload is FAILED and nothing of it stays in storage.
        QuotaExceeded: the owner's quota filled up since the upload opened; the
            upload is FAILED and its parts are dropped.
    """
    storage = _s3(runtime)
    row = await get_owned(models.DirectUpload, owner_id, upload_id, "direct upload")
    # Claim it: of two concurrent calls, one goes on.
    claimed = await models.DirectUpload.filter(
        id=row.id, status=DirectUploadStatus.PENDING, completed_at=None
    ).update(completed_at=now())
    if not claimed:
        raise InvalidState(f"the direct upload is {row.status.value}, not PENDING")
    try:
        # Again now: other files may have been stored since the upload opened.
        if not await library.find_duplicate(owner_id, row.sha256):
            await quota.check(runtime, owner_id, row.size_bytes)
    except QuotaExceeded as exc:
        await s3_presigned.abort_multipart(storage, row.staging_key, row.s3_upload_id)
        raise await _fail(row, exc) from None
    try:
        await s3_presigned.complete_multipart(
            storage, row.staging_key, row.s3_upload_id
        )
    except Exception as exc:
        logger.info("direct upload %s: joining the parts failed: %s", row.id, exc)
        await s3_presigned.abort_multipart(storage, row.staging_key, row.s3_upload_id)
        error = InvalidInput("the parts are missing or too small")
        raise await _fail(row, error) from None
    try:
        size, sha256 = await _read_back(storage, row.staging_key, row.size_bytes)
        if size != row.size_bytes or sha256 != row.sha256:
            raise await _fail(
                row,
                InvalidInput(
                    f"the bytes do not match: {size} bytes with SHA-256 {sha256}, "
                    f"declared {row.size_bytes} bytes with SHA-256 {row.sha256}"
                ),
            )
        key = blob_key(sha256)
        duplicate = await library.find_duplicate(owner_id, sha256)
        if duplicate is None and not await storage.exists(key):
            await s3_presigned.copy(storage, row.staging_key, key)
    finally:
        await storage.delete(row.staging_key)
    if duplicate is not None:
        asset, job, is_duplicate = duplicate, None, True
    else:
        received = ReceivedFile(
            path=None,
            sha256=sha256,
            size=size,
            filename=row.filename,
            content_type=row.content_type,
        )
        asset, job, is_duplicate = await library.register_stored(
            runtime, owner_id, received, _loaded_details(row.details)
        )
    await models.DirectUpload.filter(id=row.id).update(
        status=DirectUploadStatus.COMPLETED, asset_id=asset.id
    )
    await row.refresh_from_db()
    logger.info("direct upload %s became asset %s", row.id, asset.id)
    return Completed(row, asset, job, is_duplicate)


async def _read_back(storage: S3Storage, key: str, declared: int) -> tuple[int, str]:
    """Size and SHA-256 of the object, reading it once; stops one chunk past the
    declared size (the answer is a mismatch either way)."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in storage.open(key):
        size += len(chunk)
        if size > declared:
            break
        digest.update(chunk)
    return size, digest.hexdigest()


async def _fail(row: models.DirectUpload, error: GqlMediaError) -> GqlMediaError:
    await models.DirectUpload.filter(id=row.id).update(
        status=DirectUploadStatus.FAILED,
        error_code=error.code,
        error_message=error.message,
    )
    logger.info("direct upload %s FAILED: %s", row.id, error.message)
    return error


def _stored_details(details: AssetDetails) -> dict[str, Any]:
    return {
        "name": details.name,
        "kind": details.kind.value if details.kind else None,
        "tags": details.tags,
        "metadata": details.metadata,
    }


def _loaded_details(stored: dict[str, Any]) -> AssetDetails:
    kind = stored.get("kind")
    return AssetDetails(
        name=stored.get("name"),
        kind=models.AssetKind(kind) if kind else None,
        tags=list(stored.get("tags") or []),
        metadata=dict(stored.get("metadata") or {}),
    )
