"""Per-platform limits: the request rate holds across two limiters sharing Redis
(two workers) and in memory; concurrency slots are shared the same way."""

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from gql_media.services.publishing.limits import MemoryLimiter, RedisLimiter
from gql_media.settings import PublishingSettings


def most_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.fixture
async def redis_url(private_redis: str) -> str:
    client = aioredis.from_url(private_redis)
    await client.flushall()
    await client.aclose()
    return private_redis


async def test_two_workers_share_the_request_rate(redis_url: str) -> None:
    config = PublishingSettings(requests_per_second=5, concurrency=2)
    workers = [RedisLimiter(config, redis_url) for _ in range(2)]
    times: list[float] = []

    async def go(limiter: RedisLimiter) -> None:
        await limiter.request("youtube")
        times.append(time.monotonic())

    try:
        await asyncio.gather(*(go(workers[i % 2]) for i in range(16)))
    finally:
        for limiter in workers:
            await limiter.close()
    assert len(times) == 16
    assert most_in_a_second(times) <= 5
    assert max(times) - min(times) >= 2.0  # 16 requests at 5/s take 3 windows


async def test_two_workers_share_the_concurrency(redis_url: str) -> None:
    config = PublishingSettings(concurrency=2)
    workers = [RedisLimiter(config, redis_url) for _ in range(2)]
    running = 0
    most = 0

    async def upload(limiter: RedisLimiter) -> None:
        nonlocal running, most
        async with limiter.slot("tiktok"):
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.1)
            running -= 1

    try:
        await asyncio.gather(*(upload(workers[i % 2]) for i in range(8)))
    finally:
        for limiter in workers:
            await limiter.close()
    assert most == 2


async def test_memory_limiter_holds_the_rate_per_platform() -> None:
    limiter = MemoryLimiter(
        PublishingSettings(
            requests_per_second=3, platform_requests_per_second={"fast": 100}
        )
    )
    slow: list[float] = []
    fast: list[float] = []

    async def go(platform: str, into: list[float]) -> None:
        await limiter.request(platform)
        into.append(time.monotonic())

    await asyncio.gather(
        *(go("slow", slow) for _ in range(7)), *(go("fast", fast) for _ in range(20))
    )
    assert most_in_a_second(slow) <= 3
    assert max(fast) - min(fast) < 0.5  # another platform is not held back
