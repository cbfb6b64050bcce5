"""arq `JobQueue`: job ids go to Redis, `worker.py` processes run them.

The arq job id is the job row's id, so enqueueing an id that is already waiting
does nothing (arq refuses a second job with the same id). Workers keep no result
in Redis (the row is the truth), which also lets a retried job use its id again.
"""

import logging
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import (
    abort_jobs_ss,
    default_queue_name,
    in_progress_key_prefix,
    job_key_prefix,
)
from arq.jobs import Job as ArqJob
from arq.jobs import JobStatus as ArqStatus
from arq.utils import timestamp_ms

from gql_media.queue.base import JobQueue

logger = logging.getLogger(__name__)

# The one arq function: `worker.run_job(ctx, job_id)` dispatches on the row's kind.
FUNCTION = "run_job"


class ArqQueue(JobQueue):
    """Enqueue to and abort through arq on Redis."""

    def __init__(self, redis_url: str, queue_name: str = default_queue_name) -> None:
        self.redis_settings = RedisSettings.from_dsn(redis_url)
        # Fail fast when Redis is down: the caller keeps the row QUEUED and the
        # sweeper enqueues it later, instead of a mutation hanging on retries.
        self.redis_settings.conn_retries = 0
        self.redis_settings.conn_timeout = 2
        self.queue_name = queue_name
        self._pool: ArqRedis | None = None

    async def pool(self) -> ArqRedis:
        if self._pool is None:
            self._pool = await create_pool(
                self.redis_settings, default_queue_name=self.queue_name
            )
        return self._pool

    async def check(self) -> None:
        """PING Redis through the queue's pool."""
        await (await self.pool()).ping()

    async def enqueue(self, job_id: str, *, defer_seconds: float = 0.0) -> None:
        pool = await self.pool()
        options: dict[str, Any] = {"_job_id": job_id, "_queue_name": self.queue_name}
        if defer_seconds > 0:
            options["_defer_by"] = defer_seconds
        job = await pool.enqueue_job(FUNCTION, job_id, **options)
        if job is None:
            logger.debug("job %s is already in the arq queue", job_id)

    async def abort(self, job_id: str) -> bool:
        """True when a worker is running the job and was told to cancel it; a job
        still waiting is taken out of the queue and False tells the caller to
        record the cancellation itself."""
        pool = await self.pool()
        arq_job = ArqJob(job_id, pool, _queue_name=self.queue_name)
        status = await arq_job.status()
        if status is ArqStatus.in_progress:
            await pool.zadd(abort_jobs_ss, {job_id: timestamp_ms()})
            return True
        if status in (ArqStatus.queued, ArqStatus.deferred):
            await pool.zrem(self.queue_name, job_id)
            await pool.delete(job_key_prefix + job_id)
        return False

    async def requeue(self, job_id: str) -> None:
        """Run again a job whose worker died.

        arq keeps a started job in its queue and marks it with an in-progress key
        that expires only after the job timeout; deleting the key lets the next
        poll of any worker pick the job up now.
        """
        pool = await self.pool()
        await pool.delete(in_progress_key_prefix + job_id)
        await self.enqueue(job_id)

    async def is_known(self, job_id: str) -> bool:
        """Whether arq holds the job (waiting or running)."""
        pool = await self.pool()
        status = await ArqJob(job_id, pool, _queue_name=self.queue_name).status()
        return status in (ArqStatus.queued, ArqStatus.deferred, ArqStatus.in_progress)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None
