"""Asset use cases: upload, import, edit, archive, delete, and the blob rules.

A blob is stored once per SHA-256 under a content-addressed key. An asset is live
while `deleted_at` is NULL. A blob or thumbnail is removed from storage only when
no live asset references its key any more.
"""

import asyncio
import logging
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState
from gql_media.kit.clock import now
from gql_media.kit.ids import get_owned
from gql_media.models import AssetStatus, JobKind, SourceType
from gql_media.runtime import Runtime
from gql_media.services.assets import quota
from gql_media.services.assets.validation import (
    AssetDetails,
    ReceivedFile,
    check_name,
    name_from_url,
    normalize_tags,
)
from gql_media.services.jobs import lifecycle as jobs
from gql_media.storage.keys import blob_key

logger = logging.getLogger(__name__)


async def get_asset(owner_id: str, asset_id: str) -> models.Asset:
    """The owner's live asset, or NotFound (also for malformed ids)."""
    return await get_owned(models.Asset, owner_id, asset_id, "asset", deleted_at=None)


async def find_duplicate(owner_id: str, sha256: str) -> models.Asset | None:
    """The owner's live asset with this content, if any."""
    return await models.Asset.get_or_none(owner_id=owner_id, dedup_key=sha256)


async def set_tags(asset: models.Asset, tags: list[str]) -> None:
    await models.AssetTag.filter(asset_id=asset.id).delete()
    await models.AssetTag.bulk_create(
        [models.AssetTag(asset_id=asset.id, tag=tag) for tag in tags]
    )


def _new_asset_fields(details: AssetDetails) -> dict[str, Any]:
    fields: dict[str, Any] = {"metadata": details.metadata, "kind": details.kind}
    if details.provenance is not None:
        fields.update(details.provenance.columns())
    return fields


async def create_from_upload(
    runtime: Runtime, owner_id: str, upload: ReceivedFile, details: AssetDetails
) -> tuple[models.Asset, models.Job | None, bool]:
    """Register an uploaded file: the existing asset for known content, else a new
    PENDING asset whose blob is stored now and whose processing job is queued.

    Returns:
        (asset, job or None for a duplicate, is_duplicate)
    """
    if upload.size == 0:
        raise InvalidInput("the file is empty", field="file")
    existing = await find_duplicate(owner_id, upload.sha256)
    if existing is not None:
        return existing, None, True
    await quota.check(runtime, owner_id, upload.size)  # before storing a byte
    key = blob_key(upload.sha256)
    # Storing first is safe: the key is content-addressed, so a concurrent upload
    # of the same bytes writes the same object.
    if not await runtime.storage.exists(key):
        await runtime.storage.put_file(key, upload.path, upload.content_type)
    return await register_stored(runtime, owner_id, upload, details)


async def register_stored(
    runtime: Runtime, owner_id: str, upload: ReceivedFile, details: AssetDetails
) -> tuple[models.Asset, models.Job | None, bool]:
    """The rows of a file already stored under its blob key: a new PENDING asset
    and its processing job (queued after the commit), or the asset a concurrent
    upload of the same bytes made first.

    Returns:
        (asset, job or None for a duplicate, is_duplicate)
    """
    key = blob_key(upload.sha256)
    try:
        async with in_transaction():
            asset = await models.Asset.create(
                owner_id=owner_id,
                name=details.name or upload.filename or upload.sha256[:12],
                original_filename=upload.filename,
                source_type=SourceType.UPLOADED,
                status=AssetStatus.PENDING,
                checksum=upload.sha256,
                dedup_key=upload.sha256,
                size_bytes=upload.size,
                storage_key=key,
                **_new_asset_fields(details),
            )
            await set_tags(asset, details.tags)
            job = await jobs.create_job(
                owner_id,
                JobKind.PROCESS_UPLOAD,
                asset=asset,
                max_attempts=runtime.settings.job_max_attempts,
                # A clue for the probe where the bytes have no signature (TGA).
                payload={"content_type": upload.content_type[:128]}
                if upload.content_type
                else None,
            )
    except IntegrityError:
        # A concurrent upload of the same content won the unique index.
        winner = await find_duplicate(owner_id, upload.sha256)
        if winner is None:
            raise
        return winner, None, True
    await jobs.enqueue(runtime, job.id)
    return asset, job, False


async def create_for_import(
    runtime: Runtime, owner_id: str, url: str, details: AssetDetails
) -> tuple[models.Asset, models.Job]:
    """A PENDING asset and a QUEUED import job for `url` (already checked)."""
    async with in_transaction():
        asset, job = await insert_import(runtime, owner_id, url, details)
    await jobs.enqueue(runtime, job.id)
    return asset, job


async def insert_import(
    runtime: Runtime, owner_id: str, url: str, details: AssetDetails
) -> tuple[models.Asset, models.Job]:
    """The rows of an import; call inside a transaction and enqueue the job after
    the commit (`jobs.enqueue`)."""
    asset = await models.Asset.create(
        owner_id=owner_id,
        name=details.name or name_from_url(url) or "imported",
        source_type=(
            SourceType.GENERATED if details.provenance else SourceType.IMPORTED
        ),
        source_url=url,
        status=AssetStatus.PENDING,
        **_new_asset_fields(details),
    )
    await set_tags(asset, details.tags)
    job = await jobs.create_job(
        owner_id,
        JobKind.IMPORT_URL,
        asset=asset,
        max_attempts=runtime.settings.job_max_attempts,
        payload={"url": url},
    )
    return asset, job


async def update(
    owner_id: str,
    asset_id: str,
    *,
    name: str | None = None,
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> models.Asset:
    """Rename, re-tag or replace the metadata of an asset."""
    asset = await get_asset(owner_id, asset_id)
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = check_name(name)
        if not fields["name"]:
            raise InvalidInput("name must not be empty", field="name")
    if metadata is not None:
        AssetDetails(metadata=metadata).validate()
        fields["metadata"] = metadata
    clean_tags = normalize_tags(tags) if tags is not None else None
    async with in_transaction():
        if fields:
            await models.Asset.filter(id=asset.id).update(**fields)
        if clean_tags is not None:
            await set_tags(asset, clean_tags)
    return await get_asset(owner_id, asset_id)


async def set_archived(owner_id: str, asset_id: str, archived: bool) -> models.Asset:
    asset = await get_asset(owner_id, asset_id)
    if archived == (asset.archived_at is not None):
        state = "archived" if archived else "not archived"
        raise InvalidState(f"the asset is already {state}")
    await models.Asset.filter(id=asset.id).update(
        archived_at=now() if archived else None
    )
    return await get_asset(owner_id, asset_id)


async def delete(runtime: Runtime, owner_id: str, asset_id: str) -> str:
    """Soft-delete an asset, cancel its running jobs, and free unshared files."""
    asset = await get_asset(owner_id, asset_id)
    for job in await models.Job.filter(asset_id=asset.id, status__in=jobs.ACTIVE):
        await jobs.halt(runtime, job, "the asset was deleted")
    await models.Asset.filter(id=asset.id).update(deleted_at=now(), dedup_key=None)
    await release(runtime, asset.storage_key, asset.thumbnail_key)
    return str(asset.id)


async def release(runtime: Runtime, *keys: str | None) -> None:
    """Delete each stored key that no live asset references any more."""
    for key in filter(None, keys):
        in_use = (
            await models.Asset.filter(deleted_at=None).filter(storage_key=key).exists()
            or await models.Asset.filter(deleted_at=None, thumbnail_key=key).exists()
        )
        if not in_use:
            await runtime.storage.delete(key)
            logger.info("released stored object %s", key)


class _DeferredReleases:
    """Releases waiting for the links signed before them to expire: timers of
    this process. If it stops first, the objects are strays for the storage
    cleanup."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def release_later(runtime: Runtime, key: str | None) -> None:
    """`release(key)` once every link to it signed until now has expired (the
    link lifetime, `url_ttl_seconds`): for an object an asset stops referencing
    while it lives on (a replaced thumbnail), so a page showing the old link
    does not get a 404."""
    if key is None:
        return
    pending = runtime.extensions.setdefault(
        "assets.deferred_releases", _DeferredReleases()
    )

    async def later() -> None:
        await asyncio.sleep(runtime.settings.url_ttl_seconds)
        try:
            await release(runtime, key)
        except Exception:  # the storage cleanup removes what this leaves
            logger.exception("deferred release of %s failed", key)

    task = asyncio.create_task(later(), name=f"release:{key}")
    pending.tasks.add(task)
    task.add_done_callback(pending.tasks.discard)


async def start_thumbnail(
    runtime: Runtime, owner_id: str, asset_id: str, at_seconds: float
) -> tuple[models.Asset, models.Job]:
    """Queue making the thumbnail again at `at_seconds` into the asset."""
    asset = await get_asset(owner_id, asset_id)
    if not at_seconds >= 0:  # also refuses NaN
        raise InvalidInput("atSeconds must be zero or more", field="atSeconds")
    if asset.duration_seconds is not None and at_seconds > asset.duration_seconds:
        raise InvalidInput(
            f"atSeconds is past the end ({asset.duration_seconds:.3f} s)",
            field="atSeconds",
        )
    if asset.status is not AssetStatus.READY:
        raise InvalidState("the asset is not READY")
    if asset.kind is models.AssetKind.AUDIO:
        raise InvalidState("audio assets have no thumbnail")
    job = await jobs.create_job(
        owner_id,
        JobKind.REGENERATE_THUMBNAIL,
        asset=asset,
        max_attempts=runtime.settings.job_max_attempts,
        payload={"at_seconds": at_seconds},
    )
    await jobs.enqueue(runtime, job.id)
    return asset, job
