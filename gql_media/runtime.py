"""The backends one process works with, built from Settings by an entry point."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.bus import MemoryBus, ProgressBus, RedisBus
from gql_media.queue import JobHandler, JobQueue, LocalQueue
from gql_media.queue.arq import ArqQueue
from gql_media.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from gql_media.settings import Settings
from gql_media.storage import Storage, build_storage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobFollower:
    """Something whose state follows jobs (an asset, a generation's scene).

    Registered at wiring time (`runtime.job_followers`), so the job lifecycle
    never names a domain.

    Attributes:
        name: for the log.
        on_end: called once by `finish` for every job that ends, before the job
            reads as ended, with the job row as it is about to be written. A
            failure is logged and does not change the job's outcome.
        on_retry: called before a FAILED or CANCELED job is queued again, inside
            the retry's transaction; it may refuse with InvalidState.
    """

    name: str
    on_end: Callable[["Runtime", models.Job], Awaitable[None]]
    on_retry: Callable[["Runtime", models.Job], Awaitable[None]] | None = None


@dataclass
class Runtime:
    """Settings plus the three swappable backends: storage, queue and bus, and
    the followers of jobs the entry point registered.

    Services and job functions receive this instead of reading globals.
    """

    settings: Settings
    storage: Storage
    bus: ProgressBus
    queue: JobQueue = field(init=False)
    # Failed authentications and per-token request counts.
    limiter: RateLimiter = field(default_factory=MemoryRateLimiter)
    job_followers: list[JobFollower] = field(default_factory=list)
    # Per-process helpers a domain keeps beside the backends (the publishing
    # limiter's Redis client, say); each one's `close()` runs with the runtime's.
    extensions: dict[str, Any] = field(default_factory=dict)

    def tmp_path(self, name: str) -> Path:
        """A path in the data directory's tmp folder (not created)."""
        return self.settings.tmp_dir / name

    async def close(self) -> None:
        for extension in self.extensions.values():
            close = getattr(extension, "close", None)
            if close is not None:
                await close()
        self.extensions.clear()
        await self.queue.close()
        await self.bus.close()
        await self.storage.close()
        await self.limiter.close()


def build_runtime(
    settings: Settings, make_handler: Callable[[Runtime], JobHandler]
) -> Runtime:
    """Build the backends the settings choose.

    With `redis_url` set (the distributed mode) jobs go to arq workers and
    progress travels over Redis pub/sub; otherwise both stay in this process.

    Args:
        settings: this process's settings.
        make_handler: given the runtime, returns the function that runs one job by
            id (`jobs.handler`); passed in because the queue sits below the jobs.
    """
    settings.ensure_dirs()
    storage = build_storage(settings)
    if settings.redis_url:
        bus = RedisBus(
            settings.redis_url,
            subscribe_timeout=settings.bus_subscribe_timeout_seconds,
        )
        runtime = Runtime(settings, storage, bus)
        runtime.queue = ArqQueue(settings.redis_url)
        runtime.limiter = RedisRateLimiter(settings.redis_url)
    else:
        runtime = Runtime(settings, storage, MemoryBus())
        runtime.queue = LocalQueue(make_handler(runtime), settings.job_concurrency)
    return runtime
