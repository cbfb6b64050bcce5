"""In-memory `ProgressBus` for the embedded mode: one process, bounded mailboxes."""

import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gql_media.bus.base import Event, ProgressBus
from gql_media.bus.mailbox import Events, Mailbox
from gql_media.kit.metrics import BUS_PUBLISHED

logger = logging.getLogger(__name__)


class MemoryBus(ProgressBus):
    """Fan-out to per-subscriber bounded mailboxes (see `Mailbox`)."""

    def __init__(self, max_backlog: int = 1000) -> None:
        self._max_backlog = max_backlog
        self._subscribers: dict[str, set[Mailbox]] = defaultdict(set)
        self._published = BUS_PUBLISHED.labels("memory")  # not looked up per event

    async def publish(self, channel: str, event: Event) -> None:
        self._published.inc()
        for queue in list(self._subscribers.get(channel, ())):
            # Never blocks the publisher (a job): a full mailbox drops its oldest.
            if queue.put_nowait(event):
                logger.warning("bus: subscriber of %s fell behind", channel)

    @asynccontextmanager
    async def subscribe(
        self,
        channel: str,
        *,
        end_on_loss: bool = False,
        latest_only: bool = False,
    ) -> AsyncIterator[AsyncIterator[Event]]:
        # One process, no link to lose: `end_on_loss` never has anything to report.
        queue = Mailbox(self._max_backlog, latest_only=latest_only)
        self._subscribers[channel].add(queue)
        try:
            # A class, not an async generator: one level less to resume per
            # event (and a timed-out wait loses nothing, as on Redis).
            yield Events(queue)
        finally:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[channel]

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def unread(self, channel: str) -> int:
        """The most events any one subscriber of `channel` has not read yet."""
        return max(map(len, self._subscribers.get(channel, ())), default=0)
