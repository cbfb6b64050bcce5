"""`gql-media import`: import a URL or a local file in this process, with a
progress bar, and return the resulting asset."""

import asyncio
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from gql_media import db, models
from gql_media.errors import InvalidInput
from gql_media.media.hashing import HashingWriter
from gql_media.runtime import Runtime
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.services.assets import imports
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import AssetDetails, ReceivedFile
from gql_media.services.jobs.progress import follow_job
from gql_media.services.jobs.state import JobState
from gql_media.settings import Settings
from gql_media.wiring import wire


def check_source(source: str) -> None:
    """Refuse a local path that is not a readable file before anything is written.

    Raises:
        InvalidInput: the file is missing, a directory or unreadable.
    """
    if "://" in source:
        return
    path = Path(source)
    if not path.is_file():
        reason = "is a directory" if path.is_dir() else "no such file"
        raise InvalidInput(f"cannot import {source}: {reason}", field="source")
    if not os.access(path, os.R_OK):
        raise InvalidInput(f"cannot import {source}: not readable", field="source")


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


def _terminal_width() -> int:
    """Columns of the terminal on stderr; 0 when stderr is no terminal or its size
    is unknown (a pipe, a CI log, a pty nobody sized)."""
    try:
        if not sys.stderr.isatty():
            return 0
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        return 0


class _Lines:
    """Progress as plain lines, for a stderr that is not a sized terminal: a line
    when the stage changes or the progress moves by 10 points."""

    def __init__(self) -> None:
        self._last: tuple[str, int] | None = None

    def show(self, label: str, progress: float, final: bool = False) -> None:
        percent = int(progress * 100)
        if (
            final
            or self._last is None
            or self._last[0] != label
            or percent - self._last[1] >= 10
        ):
            print(f"{label} {percent}%", file=sys.stderr, flush=True)
            self._last = (label, percent)


async def _follow(runtime: Runtime, job_id: str) -> None:
    """Show the job's progress until it ends: a bar on a terminal (log records
    go through the bar's writer, above it), plain lines anywhere else."""
    if _terminal_width() <= 0:
        lines = _Lines()
        state = await _watch(runtime, job_id, lines.show)
        lines.show(state.status.value.lower(), state.progress, final=True)
        return
    bar = tqdm(total=100, unit="%", bar_format="{desc} {bar} {n:.0f}%")

    def draw(label: str, progress: float) -> None:
        bar.set_description(label)
        bar.n = progress * 100
        bar.refresh()

    with logging_redirect_tqdm():
        state = await _watch(runtime, job_id, draw)
        draw(state.status.value.lower(), state.progress)
        bar.close()


async def _watch(
    runtime: Runtime, job_id: str, show: Callable[[str, float], None]
) -> JobState:
    """Call `show(stage, progress)` for each state of the job until it ends."""
    state: JobState | None = None
    async for state in follow_job(runtime, job_id):
        if not state.status.is_terminal:
            show(state.stage, state.progress)
    if state is None:
        raise InvalidInput(f"job {job_id} is gone")
    return state
