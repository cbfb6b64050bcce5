"""Rate limits: fixed-window counters in memory (embedded) or Redis (distributed)."""

from gql_media.ratelimit.base import RateLimiter
from gql_media.ratelimit.memory import MemoryRateLimiter
from gql_media.ratelimit.redis import RedisRateLimiter

__all__ = ["MemoryRateLimiter", "RateLimiter", "RedisRateLimiter"]
