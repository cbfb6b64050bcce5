"""Cancel and retry: the job use cases that also touch the job's asset."""

import logging

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.models import JobStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.jobs import lifecycle as jobs

logger = logging.getLogger(__name__)

CANCEL_WAIT_SECONDS = 5.0


async def cancel(runtime: Runtime, owner_id: str, job_id: str) -> models.Job:
    """Cancel a QUEUED or RUNNING job; its ffmpeg child is killed, temp files go."""
    job = await jobs.get_job(owner_id, job_id)
    if job.status not in jobs.ACTIVE:
        raise InvalidState(f"the job is {job.status.value} and cannot be cancelled")
    if await jobs.stop(runtime, job):
        # Its worker records CANCELED once the ffmpeg child is dead and the temp
        # files are gone; answer with that outcome when it comes quickly.
        return await jobs.wait_until_finished(job.id, CANCEL_WAIT_SECONDS)
    await assets.record_cancel(runtime, job, "the job was cancelled")
    return await models.Job.get(id=job.id)


async def retry(runtime: Runtime, owner_id: str, job_id: str) -> models.Job:
    """Queue a FAILED or CANCELED job again (after the commit)."""
    job = await jobs.get_job(owner_id, job_id)
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELED):
        raise InvalidState(f"the job is {job.status.value}; only failed or cancelled")

    async with in_transaction():
        await assets.prepare_retry(job)
        job = await jobs.update_job(
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
    await jobs.enqueue(runtime, job.id)
    return job
