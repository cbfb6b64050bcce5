"""Storage cleanup: stray blobs and thumbnails, rows whose blob went missing,
and temp directories of dead jobs.

An object is a stray when no asset row that is not deleted references its key
(failed assets release their blobs, so they do not count). Objects younger than
the grace period are left alone: an upload stores its blob before it commits
its row, so a young unreferenced blob may be an upload in flight. Each stray is
checked again just before it is deleted, so a row committed meanwhile keeps it.

Strays and dead jobs' temp directories belong to nobody, so every run removes
them; marking rows whose blob is missing is scoped to the owner who asked
(`cleanupStorage`), or covers every owner when an operator runs `gql-media
cleanup` on the server.
"""

import asyncio
import logging
import shutil
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.kit.clock import now
from gql_media.kit.ids import is_uuid
from gql_media.models import AssetStatus, JobStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs

logger = logging.getLogger(__name__)

MISSING_FILE = "MISSING_FILE"
PREFIXES = {"blobs/": "blobs", "thumbs/": "thumbnails"}


@dataclass
class CleanupReport:
    """What a run found (and, unless a dry run, removed or marked)."""

    dry_run: bool
    stray_blobs: int = 0
    stray_blob_bytes: int = 0
    stray_thumbnails: int = 0
    stray_thumbnail_bytes: int = 0
    missing_files: int = 0
    temp_dirs: int = 0
    temp_bytes: int = 0
    skipped_young: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def _referenced(key: str) -> bool:
    live = models.Asset.filter(deleted_at=None)
    return (
        await live.filter(storage_key=key).exists()
        or await live.filter(thumbnail_key=key).exists()
    )


async def cleanup(
    runtime: Runtime,
    *,
    dry_run: bool,
    current_job_id: str | None = None,
    owner_id: str | None = None,
) -> CleanupReport:
    """Find (and unless `dry_run`, remove) what no live row needs; rows with a
    missing blob are looked for among `owner_id`'s (None: every owner's)."""
    report = CleanupReport(dry_run=dry_run)
    cutoff = now() - timedelta(seconds=runtime.settings.retention.cleanup_grace_seconds)
    live = models.Asset.filter(deleted_at=None)
    keys = set(
        await live.filter(storage_key__isnull=False).values_list(
            "storage_key", flat=True
        )
    )
    keys |= set(
        await live.filter(thumbnail_key__isnull=False).values_list(
            "thumbnail_key", flat=True
        )
    )
    present: set[str] = set()
    for prefix, what in PREFIXES.items():
        async for obj in runtime.storage.list_objects(prefix):
            present.add(obj.key)
            if obj.key in keys:
                continue
            if obj.modified > cutoff:
                report.skipped_young += 1
                continue
            if await _referenced(obj.key):  # a row committed since we looked
                continue
            if what == "blobs":
                report.stray_blobs += 1
                report.stray_blob_bytes += obj.size
            else:
                report.stray_thumbnails += 1
                report.stray_thumbnail_bytes += obj.size
            if not dry_run:
                await runtime.storage.delete(obj.key)
                logger.info("cleanup: deleted stray %s (%d bytes)", obj.key, obj.size)
    await _missing(runtime, report, present, dry_run, owner_id)
    await _temp_dirs(runtime, report, dry_run, current_job_id)
    return report


async def _missing(
    runtime: Runtime,
    report: CleanupReport,
    present: set[str],
    dry_run: bool,
    owner_id: str | None,
) -> None:
    """READY assets whose blob is gone become FAILED with MISSING_FILE."""
    ready = models.Asset.filter(
        deleted_at=None, status=AssetStatus.READY, storage_key__isnull=False
    )
    if owner_id is not None:
        ready = ready.filter(owner_id=owner_id)
    for row in await ready.only("id", "storage_key"):
        key = row.storage_key
        if key is None or key in present or await runtime.storage.exists(key):
            continue
        report.missing_files += 1
        if not dry_run:
            # dedup_key goes too: the content is gone, a new upload may bring it.
            await models.Asset.filter(id=row.id, status=AssetStatus.READY).update(
                status=AssetStatus.FAILED,
                dedup_key=None,
                error_code=MISSING_FILE,
                error_message=f"the stored file {key} is missing",
            )
            logger.warning("cleanup: asset %s lost its file %s", row.id, key)


async def _temp_dirs(
    runtime: Runtime, report: CleanupReport, dry_run: bool, current: str | None
) -> None:
    """`job-<id>` temp directories of jobs that are over or unknown."""
    tmp = runtime.settings.tmp_dir
    if not tmp.is_dir():
        return
    for path in tmp.iterdir():
        job_id = path.name.removeprefix("job-")
        if not path.name.startswith("job-") or not is_uuid(job_id) or job_id == current:
            continue
        job = await models.Job.get_or_none(id=job_id)
        if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            continue
        report.temp_dirs += 1
        report.temp_bytes += await asyncio.to_thread(_size, path)
        if not dry_run:
            await asyncio.to_thread(shutil.rmtree, path, ignore_errors=True)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


async def create_cleanup_job(
    runtime: Runtime, owner_id: str, dry_run: bool, *, all_owners: bool = False
) -> models.Job:
    """A QUEUED CLEANUP_STORAGE job (the caller enqueues it, or runs it);
    `all_owners` (the operator's CLI) marks missing files of every owner."""
    return await jobs.create_job(
        owner_id,
        models.JobKind.CLEANUP_STORAGE,
        asset=None,
        max_attempts=runtime.settings.job_max_attempts,
        payload={"dry_run": dry_run, "all_owners": all_owners},
    )


async def start_cleanup(runtime: Runtime, owner_id: str, dry_run: bool) -> models.Job:
    """Queue a storage cleanup; its report is on the job once it SUCCEEDED."""
    job = await create_cleanup_job(runtime, owner_id, dry_run)
    await jobs.enqueue(runtime, job.id)
    return job
