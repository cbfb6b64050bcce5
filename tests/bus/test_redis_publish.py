"""RedisBus.publish: publishes made at once go out together (one pipeline, one
connection), each publisher's events keep their order, and an unreachable Redis
fails every publisher of the batch. Real Redis."""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from gql_media.bus import Event, RedisBus
from tests.bus.test_contract import REDIS_URL, bus_clients, next_event

PUBLISHERS = 40
EVENTS = 25


@pytest.fixture
async def admin() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()


async def test_concurrent_publishers_share_a_connection_and_keep_their_order(
    admin: Redis,
) -> None:
    tag = uuid.uuid4().hex[:8]
    prefix = f"test:{tag}:"
    publisher_name = f"gql-media-pub-test-{tag}"
    # The publishing pool's connections carry their own name, so CLIENT LIST
    # shows how many the concurrent publishers needed.
    bus = RedisBus(
        f"{REDIS_URL}?client_name={publisher_name}", client_name=f"sub-{tag}"
    )

    async def publisher(n: int) -> None:
        for i in range(EVENTS):
            await bus.publish(f"{prefix}{n}", {"n": n, "i": i})

    try:
        async with AsyncExitStack() as stack:
            subscribers: list[AsyncIterator[Event]] = [
                await stack.enter_async_context(bus.subscribe(f"{prefix}{n}"))
                for n in range(PUBLISHERS)
            ]
            await asyncio.gather(*(publisher(n) for n in range(PUBLISHERS)))
            for n, events in enumerate(subscribers):
                got = [await next_event(events) for _ in range(EVENTS)]
                assert got == [{"n": n, "i": i} for i in range(EVENTS)]
            # 40 publishers at once, one command each, would open 40.
            assert len(await bus_clients(admin, publisher_name)) == 1
    finally:
        await bus.close()


async def test_an_unreachable_redis_fails_every_publisher_of_a_batch() -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections refused
    try:
        port = closed.getsockname()[1]
        bus = RedisBus(f"redis://127.0.0.1:{port}/0")
        try:
            results = await asyncio.gather(
                *(bus.publish(f"test:{n}", {"n": n}) for n in range(5)),
                return_exceptions=True,
            )
            assert all(isinstance(r, RedisConnectionError) for r in results), results
        finally:
            await bus.close()
    finally:
        closed.close()


async def test_a_publish_right_before_close_still_goes_out(admin: Redis) -> None:
    channel = f"test:{uuid.uuid4().hex}"
    listener = admin.pubsub()
    await listener.subscribe(channel)
    await listener.get_message(timeout=1.0)  # the subscribe confirmation
    bus = RedisBus(REDIS_URL)
    publishing = asyncio.ensure_future(bus.publish(channel, {"last": True}))
    await asyncio.sleep(0)  # queued, not yet flushed
    await bus.close()
    await publishing
    async with asyncio.timeout(5):
        while (message := await listener.get_message(timeout=1.0)) is None:
            pass
    assert message["data"] == '{"last":true}'
    await listener.aclose()
