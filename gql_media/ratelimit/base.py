"""The RateLimiter interface: count hits on a key in a window, say when to retry."""

from abc import ABC, abstractmethod


class RateLimiter(ABC):
    """Fixed-window counters shared by every process that uses the same backend."""

    @abstractmethod
    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        """Count one hit on `key`; returns (hits in the current window, seconds
        until the window ends)."""

    @abstractmethod
    async def count(self, key: str) -> tuple[int, int]:
        """(hits in the current window, seconds until it ends) without counting."""

    async def blocked(self, key: str, limit: int) -> int | None:
        """Seconds to wait when `key` has `limit` or more hits in its window."""
        hits, remaining = await self.count(key)
        return max(remaining, 1) if hits >= limit else None

    async def close(self) -> None:
        return None
