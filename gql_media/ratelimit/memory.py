"""In-process rate-limit counters, bounded in size (the embedded mode)."""

import time
from collections import OrderedDict

from gql_media.ratelimit.base import RateLimiter

# Past this many keys the oldest windows are dropped, so a flood of addresses
# cannot grow memory without bound.
MAX_KEYS = 100_000


class MemoryRateLimiter(RateLimiter):
    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._max_keys = max_keys

    def _current(self, key: str) -> tuple[float, int] | None:
        entry = self._windows.get(key)
        if entry is not None and entry[0] <= time.monotonic():
            del self._windows[key]
            return None
        return entry

    async def hit(self, key: str, window_seconds: int) -> tuple[int, int]:
        entry = self._current(key)
        ends, hits = entry or (time.monotonic() + window_seconds, 0)
        self._windows[key] = (ends, hits + 1)
        self._windows.move_to_end(key)
        while len(self._windows) > self._max_keys:
            self._windows.popitem(last=False)
        return hits + 1, max(int(ends - time.monotonic() + 0.999), 1)

    async def count(self, key: str) -> tuple[int, int]:
        entry = self._current(key)
        if entry is None:
            return 0, 0
        return entry[1], max(int(entry[0] - time.monotonic() + 0.999), 1)
