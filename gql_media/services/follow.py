"""Read a row, then follow its bus channel: the loop behind every subscription.

The row is the truth and the bus carries copies, so a follower never waits for
the bus before it speaks:

1. It yields the state it was given (or reads the row) at once.
2. It subscribes to the row's channel, waiting at most the bus's subscribe
   timeout, and then reads the row again: subscribing before reading means no
   change can fall between the two, and `newer` drops events already seen.
3. It yields each newer event until a finished state.

It subscribes with `latest_only`: a follower whose consumer falls behind (a slow
WebSocket) holds one unread event, the latest, and then reads that, not a backlog.
With `after` (a client resuming with the last revision it saw), it yields only
states newer than that revision: the current one at once if newer, nothing the
client already has.

When the bus cannot confirm the subscription, or drops under it (`end_on_loss`),
the follower keeps trying and re-reads the row on every attempt, so a change (or
the end) written meanwhile still arrives. Once the bus is back, it re-reads the
row and follows live events again. If the bus stays down for the grace period, the
follower ends with `Unavailable` ("live updates are down"); the row stays
readable with a plain query.

Domain-free: each domain says how to follow its rows (`services/jobs/progress.py`,
`services/generations/progress.py`).
"""

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Generic, TypeVar

from gql_media.bus import ProgressBus, SubscriptionLost
from gql_media.bus.base import Event
from gql_media.errors import Unavailable
from gql_media.kit.metrics import BUS_DELIVERED, SUBSCRIPTIONS_OPEN

logger = logging.getLogger(__name__)

S = TypeVar("S")

# The least time between two attempts to subscribe: a backend that fails at once
# must not turn the retry loop into a busy loop of row reads.
MIN_RETRY_SECONDS = 0.5


@dataclass(frozen=True)
class Followed(Generic[S]):
    """How to follow one row: its channel, how to read it, and its states' order."""

    name: str  # for the log, e.g. "job 1f0c..."
    channel: str
    read: Callable[[], Awaitable[S | None]]  # None once the row is gone
    parse: Callable[[Event], S]
    newer: Callable[[S, S], bool]  # whether the first state supersedes the second
    finished: Callable[[S], bool]
    readable: str  # how a client still reads the row, for the UNAVAILABLE message
    # A state's revision, for resuming (`after`); None: the stream cannot resume.
    revision: Callable[[S], int] | None = None
    # Whether an unread event may be replaced by a newer one (one row's state:
    # the latest wins). Not for a channel that carries several rows' events,
    # where the newer event may be another row's and would hide this one's.
    coalesce: bool = True


async def follow(
    followed: Followed[S],
    bus: ProgressBus,
    grace: float,
    first: S | None = None,
    after: int | None = None,
) -> AsyncGenerator[S, None]:
    """Yield the row's state at once, then each newer state until a finished one.

    Counted in `gql_media_subscriptions_open` while it runs (in this generator
    itself, not a wrapper around it: every event would pass one more level).

    Args:
        followed: the row to follow.
        bus: the progress bus.
        grace: seconds the bus may stay unreachable before the follower gives up.
        first: the state the caller has just read, if any (saves a read).
        after: the last revision the client has: yield only newer states (needs
            `followed.revision`).

    Raises:
        Unavailable: the bus stayed unreachable for `grace` seconds.
    """
    revision = followed.revision
    if after is not None and revision is None:
        raise ValueError(f"{followed.name}: this stream cannot resume")

    def unseen(state: S) -> bool:
        return after is None or revision is None or revision(state) > after

    loop = asyncio.get_running_loop()
    SUBSCRIPTIONS_OPEN.inc()
    try:
        last = first if first is not None else await followed.read()
        if last is None:
            return
        if unseen(last):
            yield last
        if followed.finished(last):
            return
        down_since: float | None = None
        while True:
            started = loop.time()
            async with AsyncExitStack() as stack:
                try:
                    events: (
                        AsyncIterator[Event] | None
                    ) = await stack.enter_async_context(
                        bus.subscribe(
                            followed.channel,
                            end_on_loss=True,
                            latest_only=followed.coalesce,
                        )
                    )
                except (TimeoutError, ConnectionError) as exc:
                    events = None
                    if down_since is None:
                        down_since = started
                        # Info, not warning: the bus already warns once per outage,
                        # and a thousand subscribers must not log a thousand times.
                        logger.info(
                            "%s: live updates are down (%s); reading the row until "
                            "the bus is back",
                            followed.name,
                            str(exc)
                            or "the bus did not confirm the subscription in time",
                        )
                # Subscribed (or not) first, read second: nothing falls in between.
                fresh = await followed.read()
                if fresh is None:
                    return  # the row is gone (a deleted generation)
                if followed.newer(fresh, last):
                    last = fresh
                    if unseen(last):
                        yield last
                if followed.finished(last):
                    return
                if events is None:
                    assert down_since is not None
                    if loop.time() - down_since >= grace:
                        raise Unavailable(
                            f"live updates are down: the progress bus has been "
                            f"unreachable for {loop.time() - down_since:.0f} s; "
                            f"{followed.readable}"
                        )
                    await asyncio.sleep(
                        max(0.0, started + MIN_RETRY_SECONDS - loop.time())
                    )
                    continue
                if down_since is not None:
                    logger.info("%s: live updates are back", followed.name)
                    down_since = None
                try:
                    async for event in events:
                        BUS_DELIVERED.inc()
                        state = followed.parse(event)
                        if followed.newer(state, last):
                            last = state
                            if unseen(last):
                                yield last
                            if followed.finished(last):
                                return
                    return  # the bus was closed: the server is stopping
                except SubscriptionLost as exc:
                    down_since = loop.time()
                    logger.info(
                        "%s: live updates interrupted (%s); subscribing again",
                        followed.name,
                        exc,
                    )
    finally:
        SUBSCRIPTIONS_OPEN.dec()
