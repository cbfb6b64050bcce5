"""The job tests run in both modes: embedded (in-process queue, memory bus) and
distributed (arq on a private Redis, Redis bus, with an arq worker running in
this process, the API in front of it as in production)."""

import asyncio
import signal
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from gql_media import jobs
from gql_media.arq_worker import worker_options
from gql_media.queue.arq_worker import ResilientWorker
from gql_media.runtime import build_runtime
from gql_media.settings import Settings
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
        self.runtime = build_runtime(settings, jobs.make_handler)

        async def startup(ctx: dict[str, Any]) -> None:
            ctx["runtime"] = self.runtime

        self.worker = ResilientWorker(
            **worker_options(settings), on_startup=startup, handle_signals=False
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.worker.async_run())

    async def stop(self) -> None:
        # What Worker.close() does, minus its deprecated redis close() call.
        self.worker.handle_sig(signal.SIGUSR1)
        pending = [t for t in (self._task,) if t is not None]
        await asyncio.gather(
            *pending, *self.worker.tasks.values(), return_exceptions=True
        )
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
    srv = Server(settings)
    await srv.start()
    worker = InProcessWorker(settings) if settings.redis_url else None
    if worker is not None:
        await worker.start()
    yield srv
    if worker is not None:
        await worker.stop()
    await srv.stop()
