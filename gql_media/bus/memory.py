"""In-memory `ProgressBus` for the embedded mode: one process, asyncio queues."""

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gql_media.bus.base import Event, ProgressBus
from gql_media.kit.metrics import BUS_PUBLISHED

logger = logging.getLogger(__name__)


class MemoryBus(ProgressBus):
    """Fan-out to per-subscriber bounded queues."""

    def __init__(self, max_backlog: int = 1000) -> None:
        self._max_backlog = max_backlog
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    async def publish(self, channel: str, event: Event) -> None:
        BUS_PUBLISHED.labels("memory").inc()
        for queue in list(self._subscribers.get(channel, ())):
            if queue.full():
                # Drop the oldest rather than block the publisher (a job).
                queue.get_nowait()
                logger.warning("bus: subscriber of %s fell behind", channel)
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(
        self, channel: str, *, end_on_loss: bool = False
    ) -> AsyncIterator[AsyncIterator[Event]]:
        # One process, no link to lose: `end_on_loss` never has anything to report.
        queue: asyncio.Queue[Event] = asyncio.Queue(self._max_backlog)
        self._subscribers[channel].add(queue)
        try:
            yield _drain(queue)
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[channel]

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))


async def _drain(queue: "asyncio.Queue[Event]") -> AsyncIterator[Event]:
    while True:
        yield await queue.get()
