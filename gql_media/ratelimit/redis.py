"""Rate-limit counters in Redis, shared by every API process (distributed mode).

Each call is one Lua script: atomic and one round trip, as a MULTI pipeline
would be, without a pipeline object. redis-py's pipeline returns its connection
to the pool only in an awaited clean-up, which a cancelled request (a client
gone mid-flood) or a server shutting down could cut short, leaving the pipeline
to warn when it was collected. `close` lets the calls in flight end first (each
bounded by the socket timeout), so no connection is left open to be collected.
"""

import asyncio
from contextlib import suppress
from typing import Any

from redis import asyncio as aioredis

from gql_media.ratelimit.base import RateLimiter

PREFIX = "gql-media:rate:"
# Seconds a call may take: a limiter must not hang a request on a stuck Redis.
_TIMEOUT = 5.0

# NX: the first hit opens the window; later ones do not extend it.
_HIT = """
local hits = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
return {hits, redis.call('TTL', KEYS[1])}
"""
# `or false`: a nil would end the Lua table, and false comes back as a null.
_COUNT = """
return {redis.call('GET', KEYS[1]) or false, redis.call('TTL', KEYS[1])}
"""


class RedisRateLimiter(RateLimiter):
    def __init__(self, url: str) -> None:
        self._redis = aioredis.from_url(
            url, socket_timeout=_TIMEOUT, socket_connect_timeout=_TIMEOUT
        )
        self._hit = self._redis.register_script(_HIT)
        self._count = self._redis.register_script(_COUNT)
        self._calls = 0  # in flight
        self._closed = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        hits, ttl = await self._call(self._hit, [PREFIX + key], [window_seconds])
        return int(hits), max(int(ttl), 1)

    async def count(self, key: str) -> tuple[int, int]:
        hits, ttl = await self._call(self._count, [PREFIX + key], [])
        return int(hits or 0), max(int(ttl), 0)

    async def _call(self, script: Any, keys: list[str], args: list[int]) -> Any:
        if self._closed:  # a new connection now would outlive the pool
            raise ConnectionError("the rate limiter is closed")
        self._calls += 1
        self._idle.clear()
        try:
            return await script(keys=keys, args=args)
        finally:
            self._calls -= 1
            if not self._calls:
                self._idle.set()

    async def close(self) -> None:
        self._closed = True
        with suppress(TimeoutError):
            async with asyncio.timeout(_TIMEOUT):
                await self._idle.wait()
        await self._redis.aclose()
