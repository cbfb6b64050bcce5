"""Turning a local file the job holds into its asset: the steps every import-like
job shares (duplicate check, probe, thumbnail, store, READY)."""

import logging
from pathlib import Path

from tortoise.exceptions import IntegrityError

from gql_media import models
from gql_media.jobs.base import Outcome
from gql_media.models import AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.assets import processing, quota
from gql_media.services.jobs.lifecycle import Reporter
from gql_media.storage.keys import blob_key

logger = logging.getLogger(__name__)


async def ingest(
    runtime: Runtime,
    reporter: Reporter,
    asset: models.Asset,
    path: Path,
    work_dir: Path,
    *,
    sha256: str,
    size: int,
    start: float,
    hints: tuple[str | None, ...] = (),
) -> Outcome:
    """Make `asset` READY with the file at `path` (hashed by the caller), or
    point the job at the owner's existing asset with the same content.

    Args:
        start: the progress (0..1) the job has reached; the steps use the rest.
        hints: what the source called the file (URL, Content-Type), for formats
            without a signature (TGA).
    """
    existing = await assets.find_duplicate(asset.owner_id, sha256)
    if existing is not None and existing.id != asset.id:
        return await resolve_duplicate(asset, existing)
    await quota.check(runtime, asset.owner_id, size)  # before storing
    await models.Asset.filter(id=asset.id).update(
        status=AssetStatus.PROCESSING, checksum=sha256, size_bytes=size
    )
    step = (1.0 - start) / 10
    await reporter.stage("probe", start + step, "reading metadata")
    result, columns = await processing.inspect(runtime, asset, path, hints)
    await reporter.stage("thumbnail", start + 3 * step, "making thumbnail")
    thumb = await processing.store_thumbnail(
        runtime,
        path,
        work_dir,
        sha256=sha256,
        kind=result.kind,
        duration=result.duration_seconds,
        codec=result.codec,
    )
    await reporter.stage("store", start + 5 * step, "storing")
    key = blob_key(sha256)
    if not await runtime.storage.exists(key):
        await runtime.storage.put_file(key, path, result.mime_type)
    try:
        await models.Asset.filter(id=asset.id).update(
            **columns,
            status=AssetStatus.READY,
            dedup_key=sha256,
            storage_key=key,
            thumbnail_key=thumb,
        )
    except IntegrityError:
        # Another job with the same content finished first.
        winner = await assets.find_duplicate(asset.owner_id, sha256)
        if winner is None:
            raise
        return await resolve_duplicate(asset, winner)
    return Outcome(str(asset.id))


async def resolve_duplicate(
    placeholder: models.Asset, existing: models.Asset
) -> Outcome:
    """The owner already has this content: point the job at the existing asset and
    drop the placeholder the mutation created (nothing else references it)."""
    await models.Job.filter(asset_id=placeholder.id).update(asset_id=existing.id)
    await placeholder.delete()
    logger.info("asset %s is a duplicate of %s", placeholder.id, existing.id)
    return Outcome(str(existing.id), is_duplicate=True)
