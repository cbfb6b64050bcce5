"""Progress is state, not a log: a `latest_only` subscriber holds one unread event,
the latest by revision, in both backends (real Redis for the Redis bus)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gql_media.bus import MemoryBus, ProgressBus, RedisBus
from gql_media.bus.mailbox import Mailbox
from tests.bus.test_contract import REDIS_URL, next_event, receives_nothing


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[ProgressBus]:
    name = f"gql-media-bus-test-{uuid.uuid4().hex[:8]}"
    bus: ProgressBus = (
        MemoryBus()
        if request.param == "memory"
        else RedisBus(REDIS_URL, client_name=name)
    )
    yield bus
    await bus.close()


def channel() -> str:
    return f"test:{uuid.uuid4().hex}:job"


async def test_a_slow_subscriber_reads_the_latest_state_not_a_backlog(
    bus: ProgressBus,
) -> None:
    name = channel()
    async with bus.subscribe(name, latest_only=True) as slow:
        most = 0
        done = asyncio.Event()

        async def watch() -> None:
            nonlocal most
            while not done.is_set():
                most = max(most, bus.unread(name))
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        for revision in range(1, 1001):
            await bus.publish(name, {"revision": revision, "final": revision == 1000})
        await asyncio.sleep(0.5)  # reading nothing while the events arrive
        reads = [await next_event(slow)]
        while not reads[-1]["final"]:  # the Redis reader may still be delivering
            reads.append(await next_event(slow))
        done.set()
        await watcher
        assert most == 1  # never more than one unread event
        assert len(reads) < 10  # the latest state, not a backlog of 1,000
        assert reads[-1] == {"revision": 1000, "final": True}
        revisions = [event["revision"] for event in reads]
        assert revisions == sorted(set(revisions))
        assert await receives_nothing(slow)


def test_revisions_only_go_up() -> None:
    box = Mailbox(10, latest_only=True)
    box.put_nowait({"revision": 5})
    box.put_nowait({"revision": 3})  # late, older: not news
    assert box.get_nowait() == {"revision": 5}
    assert len(box) == 0


def test_markers_are_not_coalesced_away() -> None:
    box = Mailbox(10, latest_only=True)
    marker: Any = object()
    box.put_nowait({"revision": 1})
    box.put_nowait(marker)
    box.put_nowait({"revision": 2})
    assert [box.get_nowait() for _ in range(3)] == [
        {"revision": 1},
        marker,
        {"revision": 2},
    ]


def test_a_log_mailbox_drops_the_oldest_when_full() -> None:
    box = Mailbox(2)
    assert not box.put_nowait({"n": 1})
    assert not box.put_nowait({"n": 2})
    assert box.put_nowait({"n": 3})
    assert [box.get_nowait() for _ in range(2)] == [{"n": 2}, {"n": 3}]
