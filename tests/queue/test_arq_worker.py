"""The arq worker against a private Redis that goes away and comes back."""

import asyncio
import logging
import signal
from pathlib import Path
from typing import Any

import pytest
from arq import create_pool, func
from arq.connections import RedisSettings

from gql_media.queue.arq_worker import REDIS_DOWN, ResilientWorker
from tests.support.processes import free_port, redis_server, wait_for_redis


async def test_a_worker_keeps_its_job_slots_across_an_outage(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    async def work(ctx: dict[str, Any], name: str) -> None:
        ran.append(name)

    port = free_port()
    settings = RedisSettings(port=port, conn_retries=0)
    with redis_server(port, tmp_path) as server:
        await wait_for_redis(port)
        pool = await create_pool(settings)
    worker = ResilientWorker(
        [func(work, name="work")],  # type: ignore[arg-type]
        redis_pool=pool,
        max_jobs=1,
        keep_result=0,
        handle_signals=False,
    )
    worker.backoff_base_seconds = 0.01
    assert not server.alive()
    try:
        # Redis is gone: starting a job fails, and its slot must come back.
        for _ in range(3):
            with pytest.raises(REDIS_DOWN):
                await worker.start_jobs([b"lost"])
        assert (worker.job_counter, worker.sem._value) == (0, 2)
        # A poll waits instead of raising; the outage is logged once.
        with caplog.at_level(logging.WARNING, "gql_media.queue.arq_worker"):
            for _ in range(3):
                await worker._poll_iteration()
            with redis_server(port, tmp_path):
                await wait_for_redis(port)
                await pool.enqueue_job("work", "after", _job_id="after")
                async with asyncio.timeout(10):
                    while not ran:
                        await worker._poll_iteration()
                        await asyncio.sleep(0.01)
                await asyncio.gather(*worker.tasks.values())
        assert ran == ["after"]  # one slot was enough: none had leaked
        messages = [r.getMessage() for r in caplog.records]
        assert sum(m.startswith("redis unreachable") for m in messages) == 1
        assert sum(m.startswith("redis back") for m in messages) == 1
    finally:
        await pool.aclose()


async def test_stopping_waits_for_the_end_of_job_writes(tmp_path: Path) -> None:
    """arq writes a job's end to Redis shielded from cancellation, so the write
    outlives the stopped job task; `settle` (run by `close`) waits for it before
    the pool is closed under it."""

    async def work(ctx: dict[str, Any]) -> None:
        pass

    port = free_port()
    with redis_server(port, tmp_path) as server:
        await wait_for_redis(port)
        pool = await create_pool(RedisSettings(port=port))
        worker = ResilientWorker(
            [func(work, name="work")],  # type: ignore[arg-type]
            redis_pool=pool,
            keep_result=0,
            handle_signals=False,
        )
        in_progress = "arq:in-progress:ending"
        await pool.set(in_progress, b"1")
        server.popen.send_signal(signal.SIGSTOP)  # Redis hangs: the write waits
        try:

            async def job_ends() -> None:  # as arq's run_job ends a job
                await asyncio.shield(
                    worker.finish_job("ending", True, None, None, False, None, None)
                )

            ending = asyncio.create_task(job_ends())
            await asyncio.sleep(0.05)
            ending.cancel()  # what stopping the worker does to the job's task
            settling = asyncio.create_task(worker.settle())
            await asyncio.sleep(0.3)
            assert not settling.done()  # the write is still on its way
        finally:
            server.popen.send_signal(signal.SIGCONT)
        async with asyncio.timeout(10):
            await settling
        assert not await pool.exists(in_progress)  # the end was written
        await pool.aclose()
