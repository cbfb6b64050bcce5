"""A subscriber's bounded mailbox: a queue, or a single slot where the latest
state wins (progress is state, not a log)."""

import asyncio
from collections import deque
from typing import Any

from gql_media.bus.base import Event, SubscriptionLost


class Lost:
    """Put in a subscriber's mailbox when its link to the bus dropped (for
    subscribers that asked to hear of it: `end_on_loss`)."""


LOST = Lost()


class Mailbox:
    """What one subscriber has not read yet, never more than `size` items.

    With `latest_only`, an event replaces the unread event before it unless its
    `revision` is lower (revisions only go up; the terminal state, the highest,
    is never dropped): a subscriber that falls behind reads the latest state, not
    a backlog, and holds one event whatever the publishers do. Markers (anything
    not a dict) are queued as they come. Without it, the oldest item is dropped
    when full.
    """

    __slots__ = ("_items", "_latest_only", "_loop", "_size", "_waiter")

    def __init__(self, size: int, *, latest_only: bool = False) -> None:
        self._size = max(1, size)
        self._latest_only = latest_only
        self._items: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        # The reader's loop, found once: `get_running_loop` costs a getpid()
        # system call, and `get` waits once per event.
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return len(self._items)

    def full(self) -> bool:
        return len(self._items) >= self._size

    def put_nowait(self, item: Any) -> bool:
        """Add `item`; True if an older item was dropped to make room (a backlog
        lost, not a state replaced)."""
        items = self._items
        dropped = False
        if self._latest_only and isinstance(item, dict) and items:
            last = items[-1]
            if isinstance(last, dict):
                if _revision(item) >= _revision(last):
                    items[-1] = item
                return False  # coalesced: the older of the two is not news
        if len(items) >= self._size:
            items.popleft()
            dropped = True
        items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return dropped

    def get_nowait(self) -> Any:
        return self._items.popleft()

    async def get(self) -> Any:
        while not self._items:
            loop = self._loop
            if loop is None:
                loop = self._loop = asyncio.get_running_loop()
            self._waiter = loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


def _revision(event: dict[str, Any]) -> int:
    revision = event.get("revision")
    # An event without a revision is always the newest thing known.
    return revision if isinstance(revision, int) else 1 << 62


class Events:
    """Iterates one subscriber's mailbox to its end (None); `LOST` raises
    SubscriptionLost. A cancelled wait loses nothing."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    def __aiter__(self) -> "Events":
        return self

    async def __anext__(self) -> Event:
        # A class, not an async generator: a timeout around `anext` would close
        # a generator for good, and callers do time out waits (heartbeats).
        event = await self._mailbox.get()
        if event is None:
            self._mailbox.put_nowait(None)  # stays ended
            raise StopAsyncIteration
        if isinstance(event, Lost):
            self._mailbox.put_nowait(event)  # stays lost
            raise SubscriptionLost("the connection to the bus dropped")
        return event  # type: ignore[no-any-return]
