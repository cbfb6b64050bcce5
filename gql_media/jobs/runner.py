"""Run one job by id: claim the row, call its function, record the outcome.

The same function serves every queue backend, so no job logic lives in a backend.
"""

import asyncio
import logging
import random
import shutil

from tortoise.exceptions import DBConnectionError

from gql_media import models
from gql_media.errors import (
    Cancelled,
    GqlMediaError,
    Internal,
    JobTimeout,
    TransientError,
)
from gql_media.jobs.base import JobFunction
from gql_media.jobs.cleanup import cleanup_storage
from gql_media.jobs.exports import export_generation
from gql_media.jobs.imports import import_url
from gql_media.jobs.publish import publish
from gql_media.jobs.stitch import stitch_videos
from gql_media.jobs.thumbnails import regenerate_thumbnail
from gql_media.jobs.uploads import process_upload
from gql_media.kit import tracing
from gql_media.kit.clock import now
from gql_media.kit.logs import job_context
from gql_media.models import JobKind, JobStatus
from gql_media.queue import JobHandler, RetryLater
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs

logger = logging.getLogger(__name__)

# Exceptions of libraries below us that mean "try again later".
_TRANSIENT = (DBConnectionError, ConnectionError)

JOB_FUNCTIONS: dict[JobKind, JobFunction] = {
    JobKind.IMPORT_URL: import_url,
    JobKind.PROCESS_UPLOAD: process_upload,
    JobKind.REGENERATE_THUMBNAIL: regenerate_thumbnail,
    JobKind.EXPORT_GENERATION: export_generation,
    JobKind.STITCH: stitch_videos,
    JobKind.PUBLISH: publish,
    JobKind.CLEANUP_STORAGE: cleanup_storage,
}


def make_handler(runtime: Runtime) -> JobHandler:
    """The function a queue calls with a job id."""

    async def handle(job_id: str) -> None:
        await run_job(runtime, job_id)

    return handle


async def run_job(runtime: Runtime, job_id: str) -> None:
    """Run one job; raises RetryLater when a transient error leaves attempts.

    Every line logged while it runs carries the job id (`kit.logs`)."""
    with job_context(job_id):
        await _run_job(runtime, job_id)


async def _run_job(runtime: Runtime, job_id: str) -> None:
    job = await jobs.claim(runtime, job_id)
    if job is None:
        logger.info("job %s is not queued any more; skipped", job_id)
        return
    with tracing.job_span(job.kind.value, str(job.id), job.payload or {}):
        await _run_claimed(runtime, job)


async def _run_claimed(runtime: Runtime, job: models.Job) -> None:
    function = JOB_FUNCTIONS[JobKind(job.kind)]
    work_dir = runtime.tmp_path(f"job-{job.id}")
    work_dir.mkdir(parents=True, exist_ok=True)
    logger.info("job %s (%s) started, attempt %d", job.id, job.kind, job.attempts)
    heartbeat = asyncio.create_task(_beat(runtime, job.id))
    try:
        try:
            async with asyncio.timeout(await _time_limit(runtime, job)) as limit:
                reporter = jobs.Reporter(runtime, job)
                outcome = await function(runtime, reporter, job, work_dir)
        except TimeoutError:
            if not limit.expired():
                raise
            raise JobTimeout("the job ran past its time limit") from None
        finally:
            heartbeat.cancel()
            # Before the outcome is recorded: a finished job leaves no temp files.
            await asyncio.to_thread(shutil.rmtree, work_dir, ignore_errors=True)
        await jobs.finish(
            runtime,
            job.id,
            JobStatus.SUCCEEDED,
            asset_id=outcome.asset_id,
            is_duplicate=outcome.is_duplicate,
            message="duplicate of an existing asset" if outcome.is_duplicate else "",
        )
        logger.info("job %s succeeded", job.id)
    except asyncio.CancelledError:
        # Shielded: the bookkeeping must finish although our task is cancelled.
        await asyncio.shield(_interrupted(runtime, job))
        raise
    except GqlMediaError as error:
        if error.retryable and job.attempts < job.max_attempts:
            raise await _retry_later(runtime, job, error) from error
        await _failed(runtime, job, error)
    except _TRANSIENT as exc:
        # A database or network hiccup outside our own error mapping: retried.
        hiccup = TransientError(f"{type(exc).__name__}: {exc}"[:500])
        if job.attempts < job.max_attempts:
            raise await _retry_later(runtime, job, hiccup) from exc
        await _failed(runtime, job, hiccup)
    except Exception as exc:
        logger.exception("job %s crashed", job.id)
        await _failed(
            runtime, job, Internal(f"unexpected error ({type(exc).__name__})")
        )


async def _time_limit(runtime: Runtime, job: models.Job) -> float:
    settings = runtime.settings
    kind = await models.Asset.filter(id=job.asset_id).values_list("kind", flat=True)  # type: ignore[attr-defined]
    if kind and kind[0] == models.AssetKind.IMAGE:
        return settings.job_timeout_image_seconds
    return settings.job_timeout_video_seconds


async def _beat(runtime: Runtime, job_id: object) -> None:
    """Keep the heartbeat fresh while a stage runs long without progress."""
    while True:
        await asyncio.sleep(runtime.settings.job_heartbeat_seconds)
        await models.Job.filter(id=job_id, status=JobStatus.RUNNING).update(
            heartbeat_at=now()
        )


async def _retry_later(
    runtime: Runtime, job: models.Job, error: GqlMediaError
) -> RetryLater:
    settings = runtime.settings
    delay = min(
        settings.job_retry_max_seconds,
        settings.job_retry_base_seconds * 2 ** (job.attempts - 1),
    )
    delay *= random.uniform(0.8, 1.2)  # spread retries of many failed jobs
    logger.info("job %s: %s, retrying in %.1f s", job.id, error.code, delay)
    await jobs.update_job(
        runtime,
        job.id,
        status=JobStatus.QUEUED,
        stage="retrying",
        message=f"{error.code}: {error.message}"[:255],
        heartbeat_at=None,
    )
    return RetryLater(delay)


async def _failed(runtime: Runtime, job: models.Job, error: GqlMediaError) -> None:
    status = JobStatus.CANCELED if isinstance(error, Cancelled) else JobStatus.FAILED
    logger.info("job %s %s: %s %s", job.id, status.value, error.code, error.message)
    # `finish` tells the job's followers (its asset, a scene) first.
    await jobs.finish(runtime, job.id, status, error=error)


async def _interrupted(runtime: Runtime, job: models.Job) -> None:
    """Our task was cancelled: by a user (CANCELED) or by shutdown (run again at
    the next start, so the job goes back to QUEUED)."""
    current = await models.Job.get(id=job.id)
    if current.cancel_requested:
        await _failed(runtime, current, Cancelled("the job was cancelled"))
    else:
        await jobs.update_job(
            runtime,
            job.id,
            status=JobStatus.QUEUED,
            stage="queued",
            message="interrupted",
        )
