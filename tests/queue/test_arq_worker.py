"""The arq worker against a private Redis that goes away and comes back."""

import asyncio
import logging
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
