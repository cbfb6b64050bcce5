"""Rate-limit counters in Redis, shared by every API process (distributed mode)."""

from redis import asyncio as aioredis

from gql_media.ratelimit.base import RateLimiter

PREFIX = "gql-media:rate:"


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str) -> None:
        self._redis = aioredis.from_url(url)

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        name = PREFIX + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            # NX: the first hit opens the window; later ones do not extend it.
            pipe.expire(name, window_seconds, nx=True)
            pipe.ttl(name)
            hits, _, ttl = await pipe.execute()
        return int(hits), max(int(ttl), 1)

    async def count(self, key: str) -> tuple[int, int]:
        name = PREFIX + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.ttl(name)
            hits, ttl = await pipe.execute()
        return int(hits or 0), max(int(ttl), 0)

    async def close(self) -> None:
        await self._redis.aclose()
