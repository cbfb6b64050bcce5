"""An arq Worker that waits out a Redis outage instead of exiting.

arq 0.28 lets the first connection error of its polling loop end `Worker.main()`:
the process exits 1, its running jobs are cancelled and its sweeper dies with it.
This subclass catches that error per poll, waits with capped exponential backoff
and polls again. Running jobs go on meanwhile (their heartbeats go to the
database, not to Redis) and queued work is picked up once Redis answers.

Two places of arq need help besides the loop: `start_jobs` takes a job slot
before its Redis calls and does not give it back when they fail, and `run_job`
records a job's end in Redis, which fails while Redis is down.
"""

import asyncio
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from arq.constants import in_progress_key_prefix
from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

logger = logging.getLogger(__name__)

# What a lost or restarting Redis raises (socket errors are OSError subclasses).
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientWorker(Worker):
    """arq's Worker, except that losing Redis pauses it instead of ending it.

    The constructor is arq's (arq's CLI builds the worker from its signature), so
    the state kept here is created on first use.
    """

    # Backoff between polls while Redis is unreachable: 0.5, 1, 2, 4, 5, 5 ... s.
    backoff_base_seconds = 0.5
    backoff_max_seconds = 5.0

    _down_since: float | None = None
    _failures = 0
    # Jobs whose end arq could not record; their in-progress keys are dropped
    # once Redis answers, or they would wait for the whole job timeout.
    _unsettled: set[str] | None = None
    # The tasks writing the end of a job to Redis (`finish_job`), shielded by arq.
    _finishing: "set[asyncio.Task[Any]] | None" = None

    async def _poll_iteration(self) -> None:
        try:
            if self._unsettled:
                await self._settle()
            await super()._poll_iteration()
        except REDIS_DOWN as exc:
            await self._wait_for_redis(exc)
            return
        if self._down_since is not None:
            # A warning like the outage itself: arq's CLI shows no info lines of
            # ours, and the end of an outage belongs next to its start.
            logger.warning(
                "redis back after %.1f s; polling again",
                time.monotonic() - self._down_since,
            )
            self._down_since = None
            self._failures = 0

    async def _wait_for_redis(self, exc: BaseException) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            logger.warning(
                "redis unreachable (%s: %s); running jobs go on, retrying with backoff",
                type(exc).__name__,
                exc,
            )
        self._failures += 1
        delay = min(
            self.backoff_max_seconds,
            self.backoff_base_seconds * 2 ** (self._failures - 1),
        )
        await asyncio.sleep(delay)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        for job_id in job_ids:
            if self.job_counter >= self.max_jobs:
                return
            try:
                await super().start_jobs([job_id])
            except (*REDIS_DOWN, WatchError) as exc:
                # arq counted the job and took a semaphore slot before the Redis
                # calls that failed; without this the worker would lose a slot per
                # outage until it could start nothing. A WatchError here means the
                # connection dropped while watching (arq handles the other kind).
                self.job_counter -= 1
                self.sem.release()
                if isinstance(exc, WatchError):
                    raise RedisConnectionError(str(exc)) from exc
                raise

    async def run_job(self, job_id: str, score: int) -> None:
        try:
            await super().run_job(job_id, score)
        except REDIS_DOWN as exc:
            # The job's row holds its outcome; only arq's own record of it failed.
            if self._unsettled is None:
                self._unsettled = set()
            self._unsettled.add(job_id)
            logger.warning(
                "job %s: arq could not record it (%s); settled when redis is back",
                job_id,
                type(exc).__name__,
            )

    async def _settle(self) -> None:
        """Drop the in-progress keys of jobs whose end arq could not record, so a
        job still in the queue runs (or is skipped by its row's state) now."""
        assert self._unsettled is not None
        for job_id in list(self._unsettled):
            task = self.tasks.get(job_id)
            if task is not None and not task.done():
                continue  # running here again already
            await self.pool.delete(in_progress_key_prefix + job_id)
            self._unsettled.discard(job_id)

    async def finish_job(self, *args: Any, **kwargs: Any) -> None:
        with self._finishing_task():
            await super().finish_job(*args, **kwargs)

    async def finish_failed_job(self, *args: Any, **kwargs: Any) -> None:
        with self._finishing_task():
            await super().finish_failed_job(*args, **kwargs)

    @contextmanager
    def _finishing_task(self) -> Iterator[None]:
        # arq runs a job's last Redis writes shielded from cancellation, so they
        # outlive a stopped worker's job task; `settle` waits for them.
        task = asyncio.current_task()
        if self._finishing is None:
            self._finishing = set()
        if task is not None:
            self._finishing.add(task)
        try:
            yield
        finally:
            self._finishing.discard(task)  # type: ignore[arg-type]

    async def settle(self) -> None:
        """Wait for the Redis writes of jobs that ended as the worker stopped.
        Closing the pool under one would leave its pipeline holding a
        connection (redis-py's "Unclosed client session" when it is collected)."""
        if self._finishing:
            await asyncio.gather(*self._finishing, return_exceptions=True)

    async def close(self) -> None:
        await self.settle()
        try:
            await super().close()
        except REDIS_DOWN:
            # arq deletes its health key before it calls on_shutdown; with Redis
            # gone the database connections and the runtime still need closing.
            logger.warning("redis unreachable at shutdown; closing without it")
            if self.on_shutdown:
                await self.on_shutdown(self.ctx)
            if self._pool is not None:
                await self._pool.aclose()
                self._pool = None
