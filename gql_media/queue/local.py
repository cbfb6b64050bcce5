"""In-process `JobQueue`: asyncio tasks, at most `concurrency` running at once."""

import asyncio
import logging

from gql_media.queue.base import JobHandler, JobQueue, RetryLater

logger = logging.getLogger(__name__)


class LocalQueue(JobQueue):
    """Runs jobs as tasks of this event loop (the embedded mode)."""

    def __init__(self, handler: JobHandler, concurrency: int = 2) -> None:
        self._handler = handler
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    async def enqueue(self, job_id: str, *, defer_seconds: float = 0.0) -> None:
        if self._closed:
            raise RuntimeError("the job queue is closed")
        if job_id in self._tasks:
            return
        task = asyncio.create_task(
            self._run(job_id, defer_seconds), name=f"job:{job_id}"
        )
        self._tasks[job_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(job_id, None))

    async def _run(self, job_id: str, defer_seconds: float) -> None:
        # One task per job id, also across retries, so abort() always finds it.
        while True:
            if defer_seconds > 0:
                await asyncio.sleep(defer_seconds)
            async with self._slots:
                try:
                    await self._handler(job_id)
                    return
                except asyncio.CancelledError:
                    raise
                except RetryLater as retry:
                    defer_seconds = retry.defer_seconds
                except Exception:
                    # Job functions record their own failures; this is a last resort.
                    logger.exception("job %s crashed in the local queue", job_id)
                    return

    async def is_known(self, job_id: str) -> bool:
        return job_id in self._tasks

    async def abort(self, job_id: str) -> bool:
        task = self._tasks.get(job_id)
        if task is None:
            return False
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return True

    async def join(self) -> None:
        """Wait until every queued and running job has finished (for tests, CLI)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
