"""The sweeper: takes back jobs whose worker died and queue entries that were lost.

Runs in every worker (distributed mode). Two sweepers may run at once: each row is
taken with a conditional UPDATE (compare-and-set on status and heartbeat), so
only one of them acts on it.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from gql_media import models
from gql_media.errors import GqlMediaError
from gql_media.kit.clock import now
from gql_media.models import JobStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs

logger = logging.getLogger(__name__)


class WorkerLost(GqlMediaError):
    code = "WORKER_LOST"


@dataclass
class SweepReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    reenqueued: list[str] = field(default_factory=list)


async def sweep(runtime: Runtime) -> SweepReport:
    """Re-queue RUNNING jobs with a stale heartbeat (or fail them past their
    attempt limit) and enqueue again QUEUED rows that the queue does not hold."""
    report = SweepReport()
    settings = runtime.settings
    cutoff = now() - timedelta(seconds=settings.job_stale_seconds)
    stale = await models.Job.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    for job in stale:
        # Compare-and-set: only the sweeper whose UPDATE matches takes the row.
        taken = await models.Job.filter(
            id=job.id, status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
        ).update(status=JobStatus.QUEUED, heartbeat_at=None)
        if not taken:
            continue
        if job.attempts >= job.max_attempts:
            error = WorkerLost(
                f"the worker stopped during attempt {job.attempts} of "
                f"{job.max_attempts}"
            )
            await jobs.finish(runtime, job.id, JobStatus.FAILED, error=error)
            report.failed.append(str(job.id))
            continue
        await jobs.update_job(
            runtime, job.id, stage="queued", message="worker lost; running again"
        )
        await runtime.queue.requeue(str(job.id))
        report.requeued.append(str(job.id))
    # QUEUED rows the queue lost (Redis flushed or restarted, enqueue failed).
    settled = now() - timedelta(seconds=settings.job_sweep_seconds)
    for job in await models.Job.filter(status=JobStatus.QUEUED, updated_at__lt=settled):
        if not await runtime.queue.is_known(str(job.id)):
            await runtime.queue.enqueue(str(job.id))
            report.reenqueued.append(str(job.id))
    if report.requeued or report.failed or report.reenqueued:
        logger.info(
            "sweeper: requeued %s, failed %s, enqueued again %s",
            report.requeued,
            report.failed,
            report.reenqueued,
        )
    return report
