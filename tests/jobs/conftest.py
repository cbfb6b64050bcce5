"""The job tests run in both modes: embedded (in-process queue, memory bus) and
distributed (arq on a private Redis, Redis bus, with an arq worker running in
this process, the API in front of it as in production)."""

import asyncio
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from gql_media.arq_worker import worker_options
from gql_media.queue.arq_worker import ResilientWorker
from gql_media.settings import Settings
from gql_media.wiring import wire
from tests.conftest import Server
from tests.support.processes import free_port, redis_server, wait_for_redis


@pytest.fixture(scope="session")
async def private_redis(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A redis-server of our own, so flushing it touches nothing else."""
    port = free_port()
    with redis_server(port, tmp_path_factory.mktemp("redis")):
        await wait_for_redis(port)
        yield f"redis://127.0.0.1:{port}/0"


class InProcessWorker:
    """An arq worker with the production options, in this event loop."""

    def __init__(self, settings: Settings) -> None:
        self.runtime = wire(settings)
        self._started = asyncio.Event()

        async def startup(ctx: dict[str, Any]) -> None:
            ctx["runtime"] = self.runtime
            self._started.set()

        self.worker = ResilientWorker(
            **worker_options(settings), on_startup=startup, handle_signals=False
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Return once the worker has its Redis pool and has run its startup: a
        stop() before that (a short test on a loaded machine) would find no main
        task to cancel, or cancel create_pool half-way and leak its connection."""
        self._task = asyncio.create_task(self.worker.async_run())
        started = asyncio.create_task(self._started.wait())
        await asyncio.wait({self._task, started}, return_when=asyncio.FIRST_COMPLETED)
        if not started.done():
            started.cancel()
            self._task.result()  # the worker ended before starting: raise why

    async def stop(self) -> None:
        # What Worker.close() does, minus its deprecated redis close() call.
        self.worker.handle_sig(signal.SIGUSR1)
        pending = [t for t in (self._task,) if t is not None]
        await asyncio.gather(
            *pending, *self.worker.tasks.values(), return_exceptions=True
        )
        await self.worker.settle()
        if self.worker.pool is not None:
            await self.worker.pool.aclose()
        await self.runtime.close()


@pytest.fixture(params=["embedded", "distributed"])
async def server(
    request: pytest.FixtureRequest, settings: Settings, private_redis: str
) -> AsyncIterator[Server]:
    if request.param == "distributed":
        client = aioredis.from_url(private_redis)
        await client.flushall()
        await client.aclose()
        settings.redis_url = private_redis
        # The distributed mode needs tokens unless anonymous access is allowed;
        # these tests are about jobs, not access (tests/accounts/ covers that).
        settings.auth.allow_anonymous = True
    srv = Server(settings)
    await srv.start()
    worker = InProcessWorker(settings) if settings.redis_url else None
    if worker is not None:
        await worker.start()
    yield srv
    if worker is not None:
        await worker.stop()
    await srv.stop()
