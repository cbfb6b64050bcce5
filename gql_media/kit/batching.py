"""Load the keys asked for while a load is running with one call, next."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class _Queue(Generic[K, V]):
    """The keys waiting for a load on one event loop, and whether one runs."""

    waiting: dict[K, "asyncio.Future[V | None]"] = field(default_factory=dict)
    busy: bool = False


class Batched(Generic[K, V]):
    """`get(key)` for many callers, answered by as few `load(keys)` as possible
    without making anyone wait for a timer.

    One load runs at a time (per event loop). A key asked for while none runs is
    loaded at the end of the current turn of the loop, with whatever else was
    asked for in that turn; keys asked for while one runs are loaded together
    as soon as it ends. When reads arrive in storms (a thousand subscriptions
    starting together, each re-reading its row) they cost a few queries, not a
    thousand; a lone read costs one turn of the loop. No cache: each load reads
    afresh, so a value is never older than the call that asked for it.

    Args:
        load: the values of the keys it is given; a key it leaves out is None.
        max_size: the most keys one call loads.
    """

    def __init__(
        self,
        load: Callable[[list[K]], Awaitable[Mapping[K, V]]],
        *,
        max_size: int = 500,
    ) -> None:
        self._load = load
        self._max_size = max_size
        # Per event loop: a process has one, a test run may have several.
        self._queues: WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[K, V]] = (
            WeakKeyDictionary()
        )
        self._running: set[asyncio.Task[None]] = set()

    async def get(self, key: K) -> V | None:
        """The value of `key`, loaded with the other keys asked for meanwhile.

        Raises:
            Whatever `load` raised for the batch holding `key`.
        """
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        if not queue.waiting and not queue.busy:
            loop.call_soon(self._start, loop, queue)
        future = queue.waiting.get(key)
        if future is None:
            future = queue.waiting[key] = loop.create_future()
        # Shielded: callers waiting on the same key share one future, and one of
        # them giving up must not cancel it for the others.
        return await asyncio.shield(future)

    def _start(self, loop: asyncio.AbstractEventLoop, queue: _Queue[K, V]) -> None:
        if queue.busy or not queue.waiting:
            return
        keys = list(queue.waiting)[: self._max_size]
        batch = {key: queue.waiting.pop(key) for key in keys}
        queue.busy = True
        task = loop.create_task(self._run(loop, queue, batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(
        self,
        loop: asyncio.AbstractEventLoop,
        queue: _Queue[K, V],
        batch: dict[K, "asyncio.Future[V | None]"],
    ) -> None:
        try:
            found = await self._load(list(batch))
        except asyncio.CancelledError:
            queue.busy = False
            for future in batch.values():
                future.cancel()
            raise
        except Exception as exc:
            for future in batch.values():
                if not future.done():
                    future.set_exception(exc)
                    future.exception()  # retrieved: the callers report it
        else:
            for key, future in batch.items():
                if not future.done():
                    future.set_result(found.get(key))
        queue.busy = False
        self._start(loop, queue)  # what arrived meanwhile goes next
