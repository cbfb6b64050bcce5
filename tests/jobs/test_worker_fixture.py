"""The in-process arq worker of the distributed job tests stops cleanly however
soon after its start: no hang, no leaked Redis connection, no missing pool."""

import asyncio

import pytest

from gql_media.settings import Settings
from tests.jobs.conftest import InProcessWorker

GUARD = 20.0  # seconds; only ever reached when something is broken


@pytest.mark.parametrize("rounds", [3])
async def test_stop_right_after_start(
    settings: Settings, private_redis: str, rounds: int
) -> None:
    settings.redis_url = private_redis
    for _ in range(rounds):
        worker = InProcessWorker(settings)
        await asyncio.wait_for(worker.start(), GUARD)
        assert worker.worker.main_task is not None
        assert worker.worker.pool is not None
        await asyncio.wait_for(worker.stop(), GUARD)
