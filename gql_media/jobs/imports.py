"""import_url: download a remote file safely, then process it like an upload."""

import logging
from pathlib import Path

from tortoise.exceptions import IntegrityError

from gql_media import models
from gql_media.jobs.base import Outcome, load_asset
from gql_media.media.fetch import download
from gql_media.models import AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.assets import processing, quota
from gql_media.services.jobs.lifecycle import Reporter
from gql_media.storage.keys import blob_key

logger = logging.getLogger(__name__)

# Shares of the progress bar per stage; downloading dominates.
DOWNLOAD_SHARE = 0.8


async def import_url(
    runtime: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
) -> Outcome:
    asset = await load_asset(job)
    if asset.status is AssetStatus.READY:
        return Outcome(str(asset.id))  # an earlier run finished the work
    settings = runtime.settings

    async def on_progress(done: int, total: int | None) -> None:
        if total:
            await reporter.progress(DOWNLOAD_SHARE * done / total, f"{done} bytes")
        else:
            await reporter.progress(0.0, f"{done} bytes")

    await reporter.stage("download", 0.0, "connecting")
    dest = work_dir / "download"
    dest.unlink(missing_ok=True)  # left by an interrupted attempt
    fetched = await download(
        job.payload["url"],
        dest,
        settings=settings.import_,
        max_bytes=settings.limits.max_import_bytes,
        on_progress=on_progress,
    )
    existing = await assets.find_duplicate(asset.owner_id, fetched.sha256)
    if existing is not None and existing.id != asset.id:
        return await _resolve_duplicate(runtime, asset, existing)
    await quota.check(runtime, asset.owner_id, fetched.size)  # before storing

    await models.Asset.filter(id=asset.id).update(
        status=AssetStatus.PROCESSING, checksum=fetched.sha256, size_bytes=fetched.size
    )
    await reporter.stage("probe", DOWNLOAD_SHARE + 0.02, "reading metadata")
    result, columns = await processing.inspect(runtime, asset, dest)
    await reporter.stage("thumbnail", DOWNLOAD_SHARE + 0.06, "making thumbnail")
    thumb = await processing.store_thumbnail(
        runtime,
        dest,
        work_dir,
        sha256=fetched.sha256,
        kind=result.kind,
        duration=result.duration_seconds,
    )
    await reporter.stage("store", DOWNLOAD_SHARE + 0.1, "storing")
    key = blob_key(fetched.sha256)
    if not await runtime.storage.exists(key):
        await runtime.storage.put_file(key, dest, result.mime_type)
    try:
        await models.Asset.filter(id=asset.id).update(
            **columns,
            status=AssetStatus.READY,
            dedup_key=fetched.sha256,
            storage_key=key,
            thumbnail_key=thumb,
        )
    except IntegrityError:
        # Another import of the same content finished first.
        winner = await assets.find_duplicate(asset.owner_id, fetched.sha256)
        if winner is None:
            raise
        return await _resolve_duplicate(runtime, asset, winner)
    return Outcome(str(asset.id))


async def _resolve_duplicate(
    runtime: Runtime, placeholder: models.Asset, existing: models.Asset
) -> Outcome:
    """The owner already has this content: point the job at the existing asset and
    drop the placeholder created by importAsset (nothing else references it)."""
    await models.Job.filter(asset_id=placeholder.id).update(asset_id=existing.id)
    await placeholder.delete()
    logger.info("import of asset %s is a duplicate of %s", placeholder.id, existing.id)
    return Outcome(str(existing.id), is_duplicate=True)
