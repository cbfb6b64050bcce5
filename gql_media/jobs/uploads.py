"""process_upload: probe and thumbnail a blob that an upload already stored."""

from pathlib import Path

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.jobs.base import Outcome, load_asset, local_copy
from gql_media.models import AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import processing
from gql_media.services.jobs.lifecycle import Reporter


async def process_upload(
    runtime: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
) -> Outcome:
    asset = await load_asset(job)
    if asset.status is AssetStatus.READY:
        return Outcome(str(asset.id))
    if not asset.storage_key or not asset.checksum:
        raise InvalidState("the uploaded file is gone; upload it again")
    await models.Asset.filter(id=asset.id).update(status=AssetStatus.PROCESSING)
    await reporter.stage("fetch", 0.05, "reading the stored file")
    path = await local_copy(runtime, asset.storage_key, work_dir)
    await reporter.stage("probe", 0.2, "reading metadata")
    # The client's name and Content-Type: the only clue for a TGA (no signature).
    hints = (asset.original_filename, job.payload.get("content_type"))
    result, columns = await processing.inspect(runtime, asset, path, hints)
    await reporter.stage("thumbnail", 0.5, "making thumbnail")
    thumb = await processing.store_thumbnail(
        runtime,
        path,
        work_dir,
        sha256=asset.checksum,
        kind=result.kind,
        duration=result.duration_seconds,
        codec=result.codec,
    )
    await models.Asset.filter(id=asset.id).update(
        **columns, status=AssetStatus.READY, thumbnail_key=thumb
    )
    return Outcome(str(asset.id))
