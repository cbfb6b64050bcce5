"""Load the keys asked for at about the same time with one call."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Batched(Generic[K, V]):
    """`get(key)` for many callers at once, answered by one `load(keys)` per
    `window` seconds (per turn of the loop if 0) and per `max_size` keys.

    For reads that arrive in storms: a thousand subscriptions starting together
    each re-read their row; a few queries for them all instead of a thousand. No
    cache: every batch reads afresh, so a value is never older than the call.

    Args:
        load: the values of the keys it is given; a key it leaves out is None.
        window: how long the first key of a batch waits for others.
        max_size: the most keys one call loads.
    """

    def __init__(
        self,
        load: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        *,
        window: float = 0.0,
        max_size: int = 500,
    ) -> None:
        self._load = load
        self._window = window
        self._max_size = max_size
        # Keys waiting for the end of the turn, per event loop (tests run several).
        self._pending: WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[K, asyncio.Future[V | None]]
        ] = WeakKeyDictionary()
        self._running: set[asyncio.Task[None]] = set()

    async def get(self, key: K) -> V | None:
        """The value of `key`, loaded with the other keys asked for meanwhile.

        Raises:
            Whatever `load` raised for the batch holding `key`.
        """
        loop = asyncio.get_running_loop()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = {}
            if self._window > 0:
                loop.call_later(self._window, self._dispatch, loop)
            else:
                loop.call_soon(self._dispatch, loop)
        future = pending.get(key)
        if future is None:
            future = pending[key] = loop.create_future()
        # Shielded: callers waiting on the same key share one future, and one of
        # them giving up must not cancel it for the others.
        return await asyncio.shield(future)

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = self._pending.pop(loop, {})
        keys = list(pending)
        for start in range(0, len(keys), self._max_size):
            chunk = {key: pending[key] for key in keys[start : start + self._max_size]}
            task = loop.create_task(self._run(chunk))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, chunk: dict[K, asyncio.Future[V | None]]) -> None:
        try:
            found = await self._load(list(chunk))
        except asyncio.CancelledError:
            for future in chunk.values():
                future.cancel()
            raise
        except Exception as exc:
            for future in chunk.values():
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # retrieved: the callers report it
            return
        for key, future in chunk.items():
            if not future.done():
                future.set_result(found.get(key))
