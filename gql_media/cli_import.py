"""`gql-media import`: import a URL or a local file in this process, with a
progress bar, and return the resulting asset."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

from tqdm import tqdm

from gql_media import db, models
from gql_media.bus import job_channel
from gql_media.media.hashing import HashingWriter
from gql_media.runtime import Runtime
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.services.assets import imports
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import AssetDetails, ReceivedFile
from gql_media.services.jobs.state import JobState
from gql_media.settings import Settings
from gql_media.wiring import wire


async def run_import(
    settings: Settings, source: str, name: str | None, tags: list[str]
) -> dict[str, Any]:
    settings.ensure_dirs()
    await db.migrate(settings.db_url)
    await db.connect(settings.db_url)
    runtime = wire(settings)
    try:
        details = AssetDetails(name=name, tags=tags).validate()
        job: models.Job | None
        if "://" in source:
            asset, job = await imports.start_import(
                runtime, LOCAL_OWNER, source, details
            )
        else:
            asset, job = await _from_file(runtime, Path(source), details)
        if job is not None:
            await _follow(runtime, str(job.id))
            job = await models.Job.get(id=job.id)
            if job.status is not models.JobStatus.SUCCEEDED:
                return {
                    "status": "FAILED",
                    "error": job.error_code,
                    "message": job.error_message,
                }
            asset = await models.Asset.get(id=job.asset_id)  # type: ignore[attr-defined]
        return {
            "id": str(asset.id),
            "status": asset.status.value,
            "name": asset.name,
            "kind": asset.kind.value if asset.kind else None,
            "checksum": asset.checksum,
            "size_bytes": asset.size_bytes,
            "duration_seconds": asset.duration_seconds,
            "width": asset.width,
            "height": asset.height,
            "fps": asset.fps,
            "codec": asset.codec,
            "aspect_ratio": asset.aspect_ratio,
            "is_duplicate": bool(job and job.is_duplicate) or job is None,
        }
    finally:
        await runtime.close()
        await db.close()


async def _from_file(
    runtime: Runtime, path: Path, details: AssetDetails
) -> tuple[models.Asset, models.Job | None]:
    tmp = runtime.tmp_path(f"cli-{uuid.uuid4().hex}")
    try:
        with HashingWriter(tmp, runtime.settings.limits.max_upload_bytes) as sink:
            with path.open("rb") as source:
                while chunk := await asyncio.to_thread(source.read, 1024 * 1024):
                    sink.write(chunk)
        received = ReceivedFile(tmp, sink.sha256, sink.size, path.name, None)
        asset, job, _duplicate = await assets.create_from_upload(
            runtime, LOCAL_OWNER, received, details
        )
        return asset, job
    finally:
        tmp.unlink(missing_ok=True)


async def _follow(runtime: Runtime, job_id: str) -> None:
    """Show the job's progress until it ends."""
    bar = tqdm(total=100, unit="%", bar_format="{desc} {bar} {n:.0f}%")
    async with runtime.bus.subscribe(job_channel(job_id)) as events:
        state = JobState.from_model(await models.Job.get(id=job_id))
        while not state.status.is_terminal:
            bar.set_description(state.stage)
            bar.n = state.progress * 100
            bar.refresh()
            state = JobState.from_event(await anext(events))
    bar.n = state.progress * 100
    bar.set_description(state.status.value.lower())
    bar.close()
