"""The in-memory bus: fan-out, isolation of channels, bounded backlog."""

import asyncio

from gql_media.bus import MemoryBus


async def test_every_subscriber_gets_events_in_order() -> None:
    bus = MemoryBus()
    async with bus.subscribe("job:1") as a, bus.subscribe("job:1") as b:
        async with bus.subscribe("job:2") as other:
            for i in range(3):
                await bus.publish("job:1", {"n": i})
            got_a = [(await anext(a))["n"] for _ in range(3)]
            got_b = [(await anext(b))["n"] for _ in range(3)]
            assert got_a == got_b == [0, 1, 2]
            try:
                async with asyncio.timeout(0.05):
                    await anext(other)
                raise AssertionError("an event crossed channels")
            except TimeoutError:
                pass
    assert bus.subscriber_count("job:1") == 0


async def test_a_slow_subscriber_loses_the_oldest_not_the_publisher() -> None:
    bus = MemoryBus(max_backlog=3)
    async with bus.subscribe("c") as events:
        for i in range(10):
            await bus.publish("c", {"n": i})  # never blocks
        assert [(await anext(events))["n"] for _ in range(3)] == [7, 8, 9]
