"""Per-platform limits: uploads at once (concurrency) and requests per second.

In the embedded mode they live in this process; in the distributed mode they
live in Redis so every worker shares them: the request rate is a sliding window
(a sorted set of request times, checked and added in one Lua script, on Redis's
clock), concurrency a set of leases that expire, so a killed worker's slot comes
back by itself.

The ledger takes one request token when an attempt starts. An uploader that
makes more requests calls `before_request()` before each one after the first,
so the platform never sees more than the limit from us.
"""

import asyncio
import contextvars
import math
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from gql_media.runtime import Runtime
from gql_media.settings import PublishingSettings

KEY = "gql_media:publishing"
LEASE_SECONDS = 60.0  # renewed while the upload runs

_RATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  return 1
end
return 0
"""

_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
return redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
"""


def window(rate: float, margin: float = 0.0) -> tuple[float, int]:
    """(window seconds, requests in it) for a rate: 5/s is 5 per 1 s, 0.5/s is
    1 per 2 s, each plus `margin`: the platform counts arrival times, and a
    request delayed between its token and the wire must not make the next
    window's count one too many."""
    if rate >= 1:
        return 1.0 + margin, math.floor(rate)
    return 1.0 / rate + margin, 1


class Limiter(ABC):
    """Concurrency slots and request tokens per platform."""

    def __init__(self, settings: PublishingSettings) -> None:
        self.settings = settings

    @abstractmethod
    def slot(self, platform: str) -> AbstractAsyncContextManager[None]:
        """`async with limiter.slot(platform)`: one of the platform's uploads."""

    @abstractmethod
    async def request(self, platform: str) -> None:
        """Wait until the platform's request rate allows one more request."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class MemoryLimiter(Limiter):
    def __init__(self, settings: PublishingSettings) -> None:
        super().__init__(settings)
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._times: dict[str, deque[float]] = {}
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def slot(self, platform: str) -> AsyncIterator[None]:
        semaphore = self._slots.setdefault(
            platform, asyncio.Semaphore(self.settings.concurrency_of(platform))
        )
        async with semaphore:
            yield

    async def request(self, platform: str) -> None:
        span, count = window(
            self.settings.rate_of(platform), self.settings.rate_margin_seconds
        )
        times = self._times.setdefault(platform, deque())
        while True:
            async with self._lock:
                clock = time.monotonic()
                while times and times[0] <= clock - span:
                    times.popleft()
                if len(times) < count:
                    times.append(clock)
                    return
                wait = times[0] + span - clock
            await asyncio.sleep(max(wait, 0.001))


class RedisLimiter(Limiter):
    def __init__(self, settings: PublishingSettings, redis_url: str) -> None:
        super().__init__(settings)
        self._redis = aioredis.from_url(redis_url)
        self._rate = self._redis.register_script(_RATE)
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._renew = self._redis.register_script(_RENEW)

    @asynccontextmanager
    async def slot(self, platform: str) -> AsyncIterator[None]:
        key = f"{KEY}:slots:{platform}"
        token = uuid.uuid4().hex
        limit = self.settings.concurrency_of(platform)
        # Polled: Redis has no blocking wait on a sorted set's size.
        while True:
            if await self._acquire(keys=[key], args=[limit, LEASE_SECONDS, token]):
                break
            await asyncio.sleep(0.05)
        renewer = asyncio.create_task(self._keep(key, token))
        try:
            yield
        finally:
            renewer.cancel()
            await asyncio.gather(renewer, return_exceptions=True)
            await self._redis.zrem(key, token)

    async def _keep(self, key: str, token: str) -> None:
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            await self._renew(keys=[key], args=[LEASE_SECONDS, token])

    async def request(self, platform: str) -> None:
        span, count = window(
            self.settings.rate_of(platform), self.settings.rate_margin_seconds
        )
        key = f"{KEY}:rate:{platform}"
        while True:
            wait = float(
                await self._rate(keys=[key], args=[span, count, uuid.uuid4().hex])
            )
            if wait <= 0:
                return
            await asyncio.sleep(max(wait, 0.001))

    async def close(self) -> None:
        await self._redis.aclose()


def limiter(runtime: Runtime) -> Limiter:
    """This process's limiter for the runtime's mode (made once, closed with it)."""
    found = runtime.extensions.get("publishing.limiter")
    if found is None:
        settings = runtime.settings
        if settings.redis_url:
            found = RedisLimiter(settings.publishing, settings.redis_url)
        else:
            found = MemoryLimiter(settings.publishing)
        runtime.extensions["publishing.limiter"] = found
    return found  # type: ignore[no-any-return]


@dataclass
class _Gate:
    limiter: Limiter
    platform: str
    free: int = 1  # the token the ledger took when the attempt started
    used: list[float] = field(default_factory=list)


_current: contextvars.ContextVar[_Gate | None] = contextvars.ContextVar(
    "publishing_gate", default=None
)


@asynccontextmanager
async def attempt(runtime: Runtime, platform: str) -> AsyncIterator[None]:
    """One upload attempt: a concurrency slot and its first request token; inside
    it `before_request()` takes the next tokens."""
    chosen = limiter(runtime)
    async with chosen.slot(platform):
        await chosen.request(platform)
        token = _current.set(_Gate(chosen, platform))
        try:
            yield
        finally:
            _current.reset(token)


async def before_request() -> None:
    """Call before each HTTP request to the platform inside an attempt (the
    first one is already paid for); outside an attempt it does nothing."""
    gate = _current.get()
    if gate is None:
        return
    if gate.free > 0:
        gate.free -= 1
        return
    await gate.limiter.request(gate.platform)
