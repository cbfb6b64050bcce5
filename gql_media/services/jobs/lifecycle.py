"""Job use cases: create, claim, report progress, finish, cancel, retry, recover.

This package knows no domain: whatever follows a job (an asset, a scene)
registered a `JobFollower` on the runtime, and `finish`, the one place every job
ends (runner, sweeper, cancellations), calls each follower once.
"""

import asyncio
import logging
import time
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.bus import job_channel
from gql_media.errors import Cancelled, GqlMediaError, InvalidState
from gql_media.kit import tracing
from gql_media.kit.clock import now
from gql_media.kit.ids import get_owned
from gql_media.kit.metrics import JOB_SECONDS, JOB_STAGE_SECONDS, JOBS_ENDED
from gql_media.models import JobStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs.state import JobState

logger = logging.getLogger(__name__)

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# How long cancelling waits for a worker to stop a running job.
CANCEL_WAIT_SECONDS = 5.0


async def get_job(owner_id: str, job_id: str) -> models.Job:
    """The owner's job, or NotFound (also for malformed ids)."""
    return await get_owned(models.Job, owner_id, job_id, "job")


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
    """Put a job in a terminal state, with an error code and message on failure.

    Each registered follower is told first, with the row as it is about to be
    written, so a job that reads ended has settled everything it leads to. A job
    that has ended already is left as it is (its followers were told then).
    """
    if error is not None:
        fields.update(error_code=error.code, error_message=error.message[:2000])
    if status is JobStatus.SUCCEEDED:
        fields.update(progress=1.0, stage="done")
    fields.update(status=status, finished_at=now(), heartbeat_at=None)
    job = await models.Job.get(id=job_id)
    if job.status.is_terminal:
        logger.warning("job %s already ended %s", job_id, job.status.value)
        return job
    for name, value in fields.items():
        setattr(job, name, value)
    for follower in runtime.job_followers:
        try:
            await follower.on_end(runtime, job)
        except Exception:  # a follower's bug must not change the job's outcome
            logger.exception("job %s: follower %s failed", job_id, follower.name)
    ended = await update_job(runtime, job_id, **fields)
    _count_end(ended)
    return ended


def _count_end(job: models.Job) -> None:
    JOBS_ENDED.labels(job.kind.value, job.status.value).inc()
    if job.started_at is not None and job.finished_at is not None:
        seconds = (job.finished_at - job.started_at).total_seconds()
        JOB_SECONDS.labels(job.kind.value, job.status.value).observe(max(0.0, seconds))


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
        self._stage_started = time.monotonic()

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
        if stage != self.job.stage:
            # The time of the stage that just ended; a job's last stage is in
            # its total (gql_media_job_seconds).
            JOB_STAGE_SECONDS.labels(self.job.kind.value, self.job.stage).observe(
                clock - self._stage_started
            )
            self._stage_started = clock
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
    """Insert a QUEUED job row (call inside the caller's transaction).

    The current trace context rides along in the payload, so the job's span joins
    the trace of the request that asked for it (`kit.tracing`)."""
    payload = dict(payload or {})
    if trace := tracing.carrier():
        payload[tracing.TRACE_KEY] = trace
    return await models.Job.create(
        owner_id=owner_id,
        kind=kind,
        asset=asset,
        max_attempts=max_attempts,
        payload=payload,
    )


async def stop(runtime: Runtime, job: models.Job) -> bool:
    """Ask a QUEUED or RUNNING job to stop; True when its runner will record it.

    A job running in this process, or on an arq worker, is cancelled there (its
    ffmpeg child is killed, its temp files removed) and records CANCELED itself.
    False means nothing runs it: the caller records the cancellation.
    """
    await models.Job.filter(id=job.id).update(cancel_requested=True)
    return await runtime.queue.abort(str(job.id))


async def halt(
    runtime: Runtime, job: models.Job, reason: str, *, wait: float = 0.0
) -> models.Job:
    """Stop a QUEUED or RUNNING job: its runner records CANCELED (waited for up
    to `wait` seconds), or, when nothing runs it, it is recorded here."""
    if await stop(runtime, job):
        return await wait_until_finished(job.id, wait)
    return await finish(
        runtime,
        job.id,
        JobStatus.CANCELED,
        error=Cancelled(reason),
        message="cancelled",
    )


async def cancel(runtime: Runtime, owner_id: str, job_id: str) -> models.Job:
    """Cancel a QUEUED or RUNNING job; its ffmpeg child is killed, temp files go.

    Answers with the outcome when the worker records it within a few seconds.
    """
    job = await get_job(owner_id, job_id)
    if job.status not in ACTIVE:
        raise InvalidState(f"the job is {job.status.value} and cannot be cancelled")
    return await halt(runtime, job, "the job was cancelled", wait=CANCEL_WAIT_SECONDS)


async def retry(runtime: Runtime, owner_id: str, job_id: str) -> models.Job:
    """Queue a FAILED or CANCELED job again (after the commit); a follower may
    refuse (InvalidState), e.g. when the file the job needs was discarded."""
    job = await get_job(owner_id, job_id)
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELED):
        raise InvalidState(f"the job is {job.status.value}; only failed or cancelled")
    async with in_transaction():
        for follower in runtime.job_followers:
            if follower.on_retry is not None:
                await follower.on_retry(runtime, job)
        job = await update_job(
            runtime,
            job.id,
            status=JobStatus.QUEUED,
            stage="queued",
            progress=0.0,
            message="",
            error_code=None,
            error_message=None,
            cancel_requested=False,
            finished_at=None,
            max_attempts=max(job.max_attempts, job.attempts + 1),
        )
    await enqueue(runtime, job.id)
    return job


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
