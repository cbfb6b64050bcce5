"""import_url: download a remote file safely, then process it like an upload."""

from pathlib import Path

from gql_media import models
from gql_media.jobs.base import Outcome, load_asset
from gql_media.jobs.ingest import ingest
from gql_media.media.fetch import download
from gql_media.models import AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs.lifecycle import Reporter

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
    return await ingest(
        runtime,
        reporter,
        asset,
        dest,
        work_dir,
        sha256=fetched.sha256,
        size=fetched.size,
        start=DOWNLOAD_SHARE,
        hints=(job.payload["url"], fetched.url, fetched.content_type),
    )
