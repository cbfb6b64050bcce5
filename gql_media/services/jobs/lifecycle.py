"""Job use cases: create, claim, report progress, finish, cancel, retry, recover."""

import asyncio
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F

from gql_media import models
from gql_media.bus import job_channel
from gql_media.errors import Cancelled, GqlMediaError, NotFound
from gql_media.models import JobStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs.state import JobState

logger = logging.getLogger(__name__)

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


def now() -> datetime:
    return datetime.now(UTC)


async def get_job(owner_id: str, job_id: str) -> models.Job:
    """The owner's job, or NotFound (also for malformed ids)."""
    try:
        uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound(f"no job with id {job_id!r}") from None
    job = await models.Job.get_or_none(id=job_id, owner_id=owner_id)
    if job is None:
        raise NotFound(f"no job with id {job_id!r}")
    return job


async def update_job(runtime: Runtime, job_id: Any, **fields: Any) -> models.Job:
    """Change a job row, bump its revision and publish the new state on the bus."""
    await models.Job.filter(id=job_id).update(**fields, revision=F("revision") + 1)
    job = await models.Job.get(id=job_id)
    await publish(runtime, job)
    return job


async def publish(runtime: Runtime, job: models.Job) -> None:
    """Send the job's state on its bus channel; a bus outage is only logged, as
    the row (already written) is the truth and subscribers start from it."""
    try:
        await runtime.bus.publish(
            job_channel(job.id), JobState.from_model(job).to_event()
        )
    except Exception as exc:  # any transport error of any backend
        logger.warning("job %s: progress not published: %s", job.id, exc)


async def enqueue(runtime: Runtime, job_id: Any) -> None:
    """Hand a committed job to the queue. If the queue is unreachable the row
    stays QUEUED and the sweeper enqueues it once the queue is back."""
    try:
        await runtime.queue.enqueue(str(job_id))
    except Exception as exc:  # any transport error of any backend
        logger.warning("job %s stays queued for the sweeper: %s", job_id, exc)


async def claim(runtime: Runtime, job_id: str) -> models.Job | None:
    """Move a job to RUNNING for this worker; None when it must not run.

    A RUNNING row is claimed again: it belonged to a process that stopped (at-least-
    once delivery). Each claim counts an attempt.
    """
    claimed = await models.Job.filter(id=job_id, status__in=ACTIVE).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now(),
        heartbeat_at=now(),
        finished_at=None,
        revision=F("revision") + 1,
    )
    if not claimed:
        return None
    job = await models.Job.get(id=job_id)
    await publish(runtime, job)
    return job


async def finish(
    runtime: Runtime,
    job_id: Any,
    status: JobStatus,
    *,
    error: GqlMediaError | None = None,
    **fields: Any,
) -> models.Job:
    """Put a job in a terminal state, with an error code and message on failure."""
    if error is not None:
        fields.update(error_code=error.code, error_message=error.message[:2000])
    if status is JobStatus.SUCCEEDED:
        fields.update(progress=1.0, stage="done")
    await _settle_scenes(runtime, job_id, status, fields)
    return await update_job(
        runtime, job_id, status=status, finished_at=now(), heartbeat_at=None, **fields
    )


async def _settle_scenes(
    runtime: Runtime, job_id: Any, status: JobStatus, fields: dict[str, Any]
) -> None:
    """Move the generation scenes that follow this job first, as the asset is: a
    job that reads finished has finished everything it leads to. This is the one
    place every job ends (runner, sweeper, cancellations), hence the hook.

    Imported here because generations build on jobs. A failure is only logged: it
    must not turn the job's outcome into another one.
    """
    from gql_media.services.generations import state as generation_progress

    try:
        await generation_progress.before_job_finish(runtime, job_id, status, fields)
    except Exception:
        logger.exception("job %s: its generation scene was not updated", job_id)


class Reporter:
    """Reports a running job's stage and progress: updates the row and the bus.

    Writes are throttled (at most one per `interval` seconds within a stage) so a
    fast download does not turn into thousands of UPDATEs; a stage change is
    always written. Progress never goes backwards within one attempt.
    """

    def __init__(self, runtime: Runtime, job: models.Job, interval: float = 0.2):
        self.runtime = runtime
        self.job = job
        self._interval = interval
        self._last_write = 0.0
        self._progress = 0.0

    async def stage(self, stage: str, progress: float, message: str = "") -> None:
        await self._write(stage, progress, message, force=True)

    async def progress(self, progress: float, message: str = "") -> None:
        await self._write(self.job.stage, progress, message, force=False)

    async def _write(self, stage: str, progress: float, message: str, force: bool):
        progress = max(self._progress, min(1.0, progress))
        clock = time.monotonic()
        if not force and clock - self._last_write < self._interval:
            return
        self._last_write = clock
        self._progress = progress
        self.job = await update_job(
            self.runtime,
            self.job.id,
            stage=stage,
            progress=progress,
            message=message[:255],
            heartbeat_at=now(),
        )
        if self.job.cancel_requested:
            # Another process asked to cancel; stop at the next checkpoint.
            raise Cancelled("the job was cancelled")


async def create_job(
    owner_id: str,
    kind: models.JobKind,
    *,
    asset: models.Asset | None,
    max_attempts: int,
    payload: dict[str, Any] | None = None,
) -> models.Job:
    """Insert a QUEUED job row (call inside the caller's transaction)."""
    return await models.Job.create(
        owner_id=owner_id,
        kind=kind,
        asset=asset,
        max_attempts=max_attempts,
        payload=payload or {},
    )


async def stop(runtime: Runtime, job: models.Job) -> bool:
    """Ask a QUEUED or RUNNING job to stop; True when its runner will record it.

    A job running in this process, or on an arq worker, is cancelled there (its
    ffmpeg child is killed, its temp files removed) and records CANCELED itself.
    False means nothing runs it: the caller records the cancellation.
    """
    await models.Job.filter(id=job.id).update(cancel_requested=True)
    return await runtime.queue.abort(str(job.id))


async def wait_until_finished(job_id: Any, within: float) -> models.Job:
    """The job row once terminal, or as it is after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        job = await models.Job.get(id=job_id)
        if job.status.is_terminal or loop.time() >= deadline:
            return job
        await asyncio.sleep(0.05)


async def recover(runtime: Runtime) -> int:
    """Queue again the jobs that were QUEUED or RUNNING when the server stopped."""
    stale = await models.Job.filter(status__in=ACTIVE).order_by("created_at")
    for job in stale:
        if job.status is JobStatus.RUNNING:
            await update_job(runtime, job.id, status=JobStatus.QUEUED, stage="queued")
        await runtime.queue.enqueue(str(job.id))
    if stale:
        logger.info("recovered %d unfinished jobs", len(stale))
    return len(stale)
