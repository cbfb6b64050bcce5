"""The `ProgressBus` contract, run against every backend (and Redis specifics)."""

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from redis.asyncio import Redis

from gql_media.bus import Event, MemoryBus, ProgressBus, RedisBus, SubscriptionLost

REDIS_URL = os.environ.get("GQL_MEDIA_TEST_REDIS", "redis://127.0.0.1:6379/0")
GUARD = 10.0  # seconds; only ever reached when something is broken

MakeBus = Callable[..., ProgressBus]


@pytest.fixture
def client_name() -> str:
    """A pub/sub connection name no other test (or run) shares."""
    return f"gql-media-bus-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["memory", "redis"])
async def make_bus(
    request: pytest.FixtureRequest, client_name: str
) -> AsyncIterator[MakeBus]:
    """A factory of buses of one backend; every bus is closed after the test."""
    buses: list[ProgressBus] = []

    def make(**options: Any) -> ProgressBus:
        if request.param == "memory":
            bus: ProgressBus = MemoryBus(**options)
        else:
            bus = RedisBus(REDIS_URL, client_name=client_name, **options)
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        await bus.close()


@pytest.fixture
async def admin() -> AsyncIterator[Redis]:
    """A separate client to look at Redis from outside the bus."""
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    """A channel prefix unique to the test, so runs never hear each other."""
    return f"test:{uuid.uuid4().hex}:"


async def next_event(events: AsyncIterator[Event]) -> Event:
    async with asyncio.timeout(GUARD):
        return await anext(events)


async def receives_nothing(events: AsyncIterator[Event]) -> bool:
    try:
        async with asyncio.timeout(0.2):
            await anext(events)
    except TimeoutError:
        return True
    return False


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(GUARD):
        while not await check():
            await asyncio.sleep(0.02)


async def numsub(admin: Redis, channel: str) -> int:
    return dict(await admin.pubsub_numsub(channel))[channel]


async def bus_clients(admin: Redis, name: str) -> list[dict[str, Any]]:
    return [c for c in await admin.client_list() if c["name"] == name]


async def test_every_subscriber_gets_events_in_order(
    make_bus: MakeBus, prefix: str
) -> None:
    bus = make_bus()
    async with bus.subscribe(prefix + "a") as a, bus.subscribe(prefix + "a") as b:
        for i in range(50):
            await bus.publish(prefix + "a", {"n": i})
        assert [(await next_event(a))["n"] for _ in range(50)] == list(range(50))
        assert [(await next_event(b))["n"] for _ in range(50)] == list(range(50))


async def test_channels_are_isolated(make_bus: MakeBus, prefix: str) -> None:
    bus = make_bus()
    async with bus.subscribe(prefix + "a") as a, bus.subscribe(prefix + "b") as b:
        await bus.publish(prefix + "a", {"to": "a"})
        await bus.publish(prefix + "b", {"to": "b"})
        assert await next_event(a) == {"to": "a"}
        assert await next_event(b) == {"to": "b"}
        assert await receives_nothing(a)
        assert await receives_nothing(b)


async def test_a_leaver_stops_receiving_and_the_empty_channel_is_dropped(
    make_bus: MakeBus, prefix: str, admin: Redis
) -> None:
    bus = make_bus()
    channel = prefix + "a"
    async with bus.subscribe(channel) as stays:
        async with bus.subscribe(channel) as leaves:
            assert bus.subscriber_count(channel) == 2  # type: ignore[attr-defined]
        assert bus.subscriber_count(channel) == 1  # type: ignore[attr-defined]
        await bus.publish(channel, {"n": 1})
        assert await next_event(stays) == {"n": 1}
        assert await receives_nothing(leaves)
    assert bus.subscriber_count(channel) == 0  # type: ignore[attr-defined]
    if isinstance(bus, RedisBus):

        async def unsubscribed() -> bool:
            return await numsub(admin, channel) == 0

        await eventually(unsubscribed)


async def test_an_event_published_right_after_entering_arrives(
    make_bus: MakeBus, prefix: str
) -> None:
    bus = make_bus()
    # With Redis the publisher is another bus, as a worker's would be.
    publisher = make_bus() if isinstance(bus, RedisBus) else bus
    for i in range(20):
        # A fresh channel each time: every entry waits for its own SUBSCRIBE.
        async with bus.subscribe(f"{prefix}{i}") as events:
            await publisher.publish(f"{prefix}{i}", {"n": i})
            assert await next_event(events) == {"n": i}


async def test_many_subscribers_share_one_connection(
    make_bus: MakeBus, prefix: str, admin: Redis, client_name: str
) -> None:
    bus = make_bus()
    channel = prefix + "a"
    async with AsyncExitStack() as stack:
        # Entered together: most join a SUBSCRIBE that is still unconfirmed.
        streams = await asyncio.gather(
            *(stack.enter_async_context(bus.subscribe(channel)) for _ in range(200))
        )
        if isinstance(bus, RedisBus):
            assert await numsub(admin, channel) == 1
            [client] = await bus_clients(admin, client_name)
            assert int(client["sub"]) == 1
        await bus.publish(channel, {"n": 1})
        for events in streams:
            assert await next_event(events) == {"n": 1}


async def test_a_slow_subscriber_loses_the_oldest_not_the_publisher(
    make_bus: MakeBus, prefix: str
) -> None:
    bus = make_bus(max_backlog=3)
    channel = prefix + "a"
    async with bus.subscribe(channel) as slow, bus.subscribe(channel) as fast:
        for i in range(10):
            await bus.publish(channel, {"n": i})  # never blocks
        # Once `fast` has the last event, every event has reached `slow` too.
        while (await next_event(fast))["n"] != 9:
            pass
        assert [(await next_event(slow))["n"] for _ in range(3)] == [7, 8, 9]


async def test_redis_events_from_another_process_arrive(prefix: str) -> None:
    api, worker = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    try:
        async with api.subscribe(prefix + "a") as events:
            await worker.publish(prefix + "a", {"stage": "probe"})
            assert await next_event(events) == {"stage": "probe"}
    finally:
        await worker.close()
        await api.close()


async def test_redis_reconnects_after_the_connection_is_killed(
    prefix: str, admin: Redis, client_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    bus = RedisBus(REDIS_URL, client_name=client_name)
    channel = prefix + "a"
    try:
        async with bus.subscribe(channel) as events:
            [before] = await bus_clients(admin, client_name)
            with caplog.at_level(logging.WARNING, logger="gql_media.bus.redis"):
                await admin.client_kill_filter(_id=before["id"])
                # Events published while it is down are lost: publish until one
                # arrives, then check that nothing after it goes missing.
                async with asyncio.timeout(GUARD):
                    while True:
                        await bus.publish(channel, {"n": 0})
                        if not await receives_nothing(events):
                            break
            assert "connection lost" in caplog.text
            [after] = await bus_clients(admin, client_name)
            assert after["id"] != before["id"]
            for i in range(1, 4):
                await bus.publish(channel, {"n": i})
            got = [(await next_event(events))["n"]]
            while got[-1] != 3:
                got.append((await next_event(events))["n"])
            assert [n for n in got if n] == [1, 2, 3]
    finally:
        await bus.close()


async def test_end_on_loss_changes_nothing_while_the_link_holds(
    make_bus: MakeBus, prefix: str
) -> None:
    bus = make_bus()
    async with bus.subscribe(prefix + "a", end_on_loss=True) as events:
        for i in range(3):
            await bus.publish(prefix + "a", {"n": i})
        assert [(await next_event(events))["n"] for _ in range(3)] == [0, 1, 2]
        assert await receives_nothing(events)


async def test_redis_end_on_loss_reports_a_dropped_link(
    prefix: str, admin: Redis, client_name: str
) -> None:
    bus = RedisBus(REDIS_URL, client_name=client_name)
    channel = prefix + "a"
    try:
        async with (
            bus.subscribe(channel, end_on_loss=True) as reported,
            bus.subscribe(channel) as carries_on,
        ):
            [before] = await bus_clients(admin, client_name)
            await admin.client_kill_filter(_id=before["id"])
            with pytest.raises(SubscriptionLost):
                await next_event(reported)
            with pytest.raises(SubscriptionLost):  # and stays so
                await next_event(reported)
            # The quiet subscriber still hears the channel once the bus is back,
            # and so does whoever subscribes again.
            async with bus.subscribe(channel, end_on_loss=True) as again:
                await bus.publish(channel, {"n": 1})
                assert await next_event(again) == {"n": 1}
                assert await next_event(carries_on) == {"n": 1}
    finally:
        await bus.close()


async def test_redis_unreachable_subscribe_times_out(prefix: str) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections refused
    try:
        port = closed.getsockname()[1]
        bus = RedisBus(f"redis://127.0.0.1:{port}/0", subscribe_timeout=0.3)
        try:
            with pytest.raises(TimeoutError):
                async with bus.subscribe(prefix + "a"):
                    pass
            assert bus.subscriber_count(prefix + "a") == 0
        finally:
            await bus.close()
    finally:
        closed.close()


async def test_redis_close_ends_subscriptions_and_disconnects(
    prefix: str, admin: Redis, client_name: str
) -> None:
    bus = RedisBus(REDIS_URL, client_name=client_name)
    async with bus.subscribe(prefix + "a") as events:
        await bus.close()
        with pytest.raises(StopAsyncIteration):
            await next_event(events)
    assert await bus_clients(admin, client_name) == []
    assert await numsub(admin, prefix + "a") == 0


async def test_redis_subscribes_of_one_turn_go_out_together(
    prefix: str, admin: Redis, client_name: str
) -> None:
    """Watchers that arrive or leave together (a thousand clients back after a
    restart, a job's end) cost one SUBSCRIBE and one UNSUBSCRIBE on the wire,
    each naming every channel, not one command per channel."""
    bus = RedisBus(REDIS_URL, client_name=client_name)
    channels = [f"{prefix}{n}" for n in range(20)]
    commands: list[list[str]] = []
    try:
        async with bus.subscribe(prefix + "warm"):  # connected, reader running
            pass
        [pubsub] = await bus_clients(admin, client_name)
        host, port = pubsub["addr"].rsplit(":", 1)
        async with admin.monitor() as monitor:

            async def listen() -> None:
                async for seen in monitor.listen():
                    if (seen["client_address"], str(seen["client_port"])) == (
                        host,
                        port,
                    ):
                        commands.append(seen["command"].split())

            listening = asyncio.create_task(listen())
            await asyncio.sleep(0.1)  # MONITOR is on
            async with AsyncExitStack() as stack:
                streams = await asyncio.gather(
                    *(stack.enter_async_context(bus.subscribe(c)) for c in channels)
                )
                for channel in channels:
                    await bus.publish(channel, {"channel": channel})
                for channel, events in zip(channels, streams, strict=True):
                    assert (await next_event(events))["channel"] == channel

            async def unsubscribed() -> bool:
                return await numsub(admin, channels[-1]) == 0

            await eventually(unsubscribed)
            listening.cancel()
    finally:
        await bus.close()
    names = [command[0].upper() for command in commands]
    assert names == ["SUBSCRIBE", "UNSUBSCRIBE"], commands
    assert sorted(commands[0][1:]) == sorted(channels)
    assert sorted(commands[1][1:]) == sorted(channels)
