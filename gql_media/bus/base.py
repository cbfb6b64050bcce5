"""The `ProgressBus` interface: fan-out of job events on named channels.

Events are plain JSON-able dicts (a job snapshot). The bus carries copies; the job
row is the truth, so a subscriber always starts from the database and uses the
bus only for what happens next. Backends: `memory.MemoryBus` (one process) and
`redis.RedisBus` (Redis pub/sub, across processes).
"""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

Event = dict[str, Any]


def job_channel(job_id: object) -> str:
    """The channel that carries the events of one job."""
    return f"job:{job_id}"


def generation_channel(generation_id: object) -> str:
    """The channel that carries the events of one generation and its scenes."""
    return f"generation:{generation_id}"


class SubscriptionLost(ConnectionError):
    """The backend's link dropped under a subscription: events may be lost.

    Raised only to subscribers that asked for it (`end_on_loss=True`); they leave,
    subscribe again and re-read the row.
    """


class ProgressBus(ABC):
    """Publish events on channels and subscribe to them."""

    @abstractmethod
    async def publish(self, channel: str, event: Event) -> None:
        """Send `event` to every current subscriber of `channel`.

        Never blocks on a slow subscriber: a subscriber that falls too far behind
        loses the oldest events (it can always re-read the row).
        """

    @abstractmethod
    def subscribe(
        self, channel: str, *, end_on_loss: bool = False
    ) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Listen on `channel` from the moment the context is entered.

        Args:
            channel: the channel name.
            end_on_loss: when the backend loses its link (so events may be lost),
                make the iterator raise `SubscriptionLost` instead of carrying on
                quietly once the link is back.

        Raises:
            TimeoutError: the backend could not confirm the subscription in time.

        Usage:
            async with bus.subscribe("job:123") as events:
                async for event in events:
                    ...
        """

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
