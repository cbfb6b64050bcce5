"""The `RateLimiter` contract, run against both backends (memory and Redis)."""

import asyncio
import gc
import os
import sys
import uuid
from collections.abc import AsyncIterator

import pytest

from gql_media.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("GQL_MEDIA_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    backend: RateLimiter = (
        MemoryRateLimiter()
        if request.param == "memory"
        else RedisRateLimiter(REDIS_URL)
    )
    yield backend
    await backend.close()


@pytest.fixture
def key() -> str:
    """A key no other test (or run) shares."""
    return f"test:{uuid.uuid4().hex}"


async def test_hits_count_within_a_window_and_block_at_the_limit(
    limiter: RateLimiter, key: str
) -> None:
    assert await limiter.count(key) == (0, 0)
    assert await limiter.blocked(key, 3) is None
    for expected in (1, 2, 3):
        hits, remaining = await limiter.hit(key, 60)
        assert hits == expected and 1 <= remaining <= 60
    wait = await limiter.blocked(key, 3)
    assert wait is not None and 1 <= wait <= 60
    assert await limiter.blocked(f"{key}:other", 3) is None  # keys are separate


async def test_a_window_ends_and_counting_starts_again(
    limiter: RateLimiter, key: str
) -> None:
    await limiter.hit(key, 1)
    await limiter.hit(key, 1)
    assert await limiter.blocked(key, 2) is not None
    async with asyncio.timeout(10):
        while (await limiter.count(key))[0] != 0:
            await asyncio.sleep(0.1)
    assert await limiter.blocked(key, 2) is None
    assert (await limiter.hit(key, 60))[0] == 1


async def test_the_memory_backend_is_bounded() -> None:
    limiter = MemoryRateLimiter(max_keys=100)
    for i in range(10_000):
        await limiter.hit(f"client-{i}", 60)
    assert len(limiter._windows) == 100
    # The newest keys are the ones kept.
    assert (await limiter.count("client-9999"))[0] == 1
    assert (await limiter.count("client-0"))[0] == 0


async def test_closing_with_calls_in_flight_leaves_no_connection_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A server stopping while requests still count their hits: nothing may be
    # left for the garbage collector to warn about (ResourceWarning).
    collected: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: collected.append(repr(u)))
    for round_ in range(10):
        limiter = RedisRateLimiter(REDIS_URL)
        calls = [
            asyncio.create_task(limiter.hit(f"test:close:{uuid.uuid4().hex}", 60))
            for _ in range(20)
        ]
        for _ in range(round_):
            await asyncio.sleep(0)  # some calls under way, some not started
        await limiter.close()
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert all(isinstance(r, tuple | ConnectionError) for r in results), results
    gc.collect()
    assert collected == []
