"""stitch_videos: join READY videos end to end into the job's new asset.

Stream copy when the inputs match (media/stitch.py says how, and why it is
safe), else one re-encode; then the file becomes an asset like any import
(jobs/ingest.py): de-duplicated, probed, thumbnailed, stored.
"""

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from uuid import UUID

from gql_media import models
from gql_media.errors import InvalidState, MediaError, TooLarge
from gql_media.jobs.base import Outcome, load_asset
from gql_media.jobs.ingest import ingest
from gql_media.media import stitch as media
from gql_media.media.process import run_tool
from gql_media.models import AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs.lifecycle import Reporter

logger = logging.getLogger(__name__)

FETCH_SHARE = 0.05
STITCH_SHARE = 0.8
# Inputs read (downloaded, probed) at once: each probe is a process of its own.
AT_ONCE = 4
Item = TypeVar("Item")
Result = TypeVar("Result")


async def stitch_videos(
    runtime: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
) -> Outcome:
    asset = await load_asset(job)
    if asset.status is AssetStatus.READY:
        return Outcome(str(asset.id))  # an earlier run finished the work
    inputs = await _inputs(runtime, job.payload["inputs"])
    settings = runtime.settings
    await reporter.stage("fetch", 0.0, "reading the inputs")
    # An input may come back (an intro between scenes): each stored file is
    # fetched and probed once, then listed as often as it appears.
    keys = list(dict.fromkeys(_key(row) for row in inputs))
    local = await _each(
        list(enumerate(keys)),
        lambda item: _local(runtime, item[1], work_dir / f"input-{item[0]}"),
    )
    found = await _each(local, lambda path: media.layout(path, settings.media))
    path_of = dict(zip(keys, local, strict=True))
    layout_of = dict(zip(keys, found, strict=True))
    paths = [path_of[_key(row)] for row in inputs]
    layouts = [layout_of[_key(row)] for row in inputs]
    durations = [row.duration_seconds or 0.0 for row in inputs]
    total = sum(durations) or 1.0
    dest = work_dir / "stitched.mp4"
    mode = "copy" if media.can_copy(layouts) else "encode"
    if mode == "copy":
        script = work_dir / "inputs.ffconcat"
        await asyncio.to_thread(media.write_script, paths, script)
        audio = layouts[0].audio_codec is not None
        args = media.copy_args(script, dest, settings.media, audio=audio)
        if not await _run(reporter, args, total, runtime, "copying streams"):
            # A copy that ffmpeg refuses (odd timestamps, say) gets encoded.
            logger.info("job %s: stream copy failed; re-encoding", job.id)
            mode = "encode"
    if mode == "encode":
        args = media.encode_args(paths, layouts, durations, dest, settings.media)
        if not await _run(reporter, args, total, runtime, "encoding"):
            raise MediaError("ffmpeg could not stitch the videos")
    logger.info("job %s: stitched %d videos by %s", job.id, len(inputs), mode)
    params = {"inputs": [str(r.id) for r in inputs], "mode": mode}
    await models.Asset.filter(id=asset.id).update(generation_params=params)
    sha256, size = await asyncio.to_thread(_digest, dest)
    return await ingest(
        runtime,
        reporter,
        asset,
        dest,
        work_dir,
        sha256=sha256,
        size=size,
        start=FETCH_SHARE + STITCH_SHARE,
    )


async def _each(
    items: list[Item], step: Callable[[Item], Awaitable[Result]]
) -> list[Result]:
    """`step` of each item, a few at a time (each is a download or an ffprobe:
    100 inputs must not start 100 at once); the results in the items' order.
    The first failure cancels the others and is raised as itself."""
    slots = asyncio.Semaphore(AT_ONCE)

    async def one(item: Item) -> Result:
        async with slots:
            return await step(item)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(item)) for item in items]
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


async def _inputs(runtime: Runtime, ids: list[str]) -> list[models.Asset]:
    """The inputs again (the job may run long after the mutation checked them)."""
    rows = await models.Asset.filter(
        id__in=list({UUID(i) for i in ids}), deleted_at=None
    )
    by_id = {str(r.id): r for r in rows}
    ordered = []
    for asset_id in ids:
        row = by_id.get(asset_id)
        if row is None or row.status is not AssetStatus.READY or not row.storage_key:
            raise InvalidState(f"input {asset_id} is no longer a READY video")
        ordered.append(row)
    total = sum(r.duration_seconds or 0.0 for r in ordered)
    limit = runtime.settings.limits.max_stitch_seconds
    if total > limit:
        raise TooLarge(f"the inputs last {total:.1f} s; at most {limit:g} s", limit)
    return ordered


def _key(row: models.Asset) -> str:
    assert row.storage_key is not None  # `_inputs` admits stored files only
    return row.storage_key


async def _local(runtime: Runtime, key: str, dest: Path) -> Path:
    """A local path of a stored file (the stored file itself when local)."""
    path = runtime.storage.local_path(key)
    if path is not None:
        return path
    await runtime.storage.download(key, dest)
    return dest


async def _run(
    reporter: Reporter, args: list[str], total: float, runtime: Runtime, what: str
) -> bool:
    """Run one ffmpeg command, reporting its `-progress`; True on success."""
    await reporter.stage("stitch", FETCH_SHARE, what)
    parser = media.ProgressParser()

    async def on_stdout(chunk: bytes) -> None:
        parser.feed(chunk)
        done = min(parser.seconds / total, 1.0)
        await reporter.progress(FETCH_SHARE + STITCH_SHARE * done, f"{what}")

    result = await run_tool(
        args, timeout=runtime.settings.job_timeout_video_seconds, on_stdout=on_stdout
    )
    if result.returncode != 0:
        logger.info("ffmpeg stitch failed: %s", result.stderr[-2000:])
    return result.returncode == 0


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
