"""regenerate_thumbnail: make an asset's thumbnail again at a chosen time."""

from pathlib import Path

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.jobs.base import Outcome, load_asset, local_copy
from gql_media.models import AssetKind, AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.assets import processing
from gql_media.services.jobs.lifecycle import Reporter


async def regenerate_thumbnail(
    runtime: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
) -> Outcome:
    asset = await load_asset(job)
    # A READY asset has all three; anything else has nothing to make one from.
    if asset.status is not AssetStatus.READY or not (
        asset.storage_key and asset.checksum and asset.kind
    ):
        raise InvalidState("only a READY asset has a thumbnail to regenerate")
    await reporter.stage("fetch", 0.1, "reading the stored file")
    path = await local_copy(runtime, asset.storage_key, work_dir)
    await reporter.stage("thumbnail", 0.5, "making thumbnail")
    thumb = await processing.store_thumbnail(
        runtime,
        path,
        work_dir,
        sha256=asset.checksum,
        kind=AssetKind(asset.kind),
        duration=asset.duration_seconds,
        at_seconds=float(job.payload.get("at_seconds", 0.0)),
        codec=asset.codec,
    )
    old = asset.thumbnail_key
    await models.Asset.filter(id=asset.id).update(thumbnail_key=thumb)
    if old != thumb:
        # Pages and clients hold signed links to the old one until they expire.
        assets.release_later(runtime, old)
    return Outcome(str(asset.id))
