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
        self, channel: str
    ) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Listen on `channel` from the moment the context is entered.

        Usage:
            async with bus.subscribe("job:123") as events:
                async for event in events:
                    ...
        """

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
