"""A pub/sub link that goes silent without closing (a half-open TCP connection:
a dead NAT entry, a frozen peer) is found by the bus's PING and replaced. Real
Redis behind a loopback proxy that can stop relaying without closing anything."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlparse

import pytest

from gql_media.bus import RedisBus, SubscriptionLost
from tests.bus.test_contract import REDIS_URL, next_event

INTERVAL = 0.3  # the bus's health-check interval in this test


class FreezableProxy:
    """Relays TCP to Redis; `freeze()` stops relaying on the open connections
    (bytes are swallowed, nothing is closed); new connections relay normally."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._frozen: set[asyncio.StreamWriter] = set()
        self._open: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def freeze(self) -> None:
        self._frozen |= self._open

    async def _accept(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        redis_r, redis_w = await asyncio.open_connection(*self._target)
        self._open |= {client_w, redis_w}
        for src, dst in ((client_r, redis_w), (redis_r, client_w)):
            task = asyncio.create_task(self._pipe(src, dst))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                if dst not in self._frozen:
                    dst.write(data)
        except ConnectionError:
            pass
        finally:
            dst.close()

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._open:
            writer.close()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)


@pytest.fixture
async def proxy() -> AsyncIterator[tuple[FreezableProxy, str]]:
    target = urlparse(REDIS_URL)
    relay = FreezableProxy(target.hostname or "127.0.0.1", target.port or 6379)
    port = await relay.start()
    yield relay, f"redis://127.0.0.1:{port}{target.path or '/0'}"
    await relay.stop()


async def test_a_silent_link_is_pinged_dropped_and_replaced(
    proxy: tuple[FreezableProxy, str],
) -> None:
    relay, url = proxy
    channel = f"test:{uuid.uuid4().hex}"
    bus = RedisBus(url, health_check_interval=INTERVAL, subscribe_timeout=5)
    publisher = RedisBus(REDIS_URL)  # straight to Redis, never frozen
    try:
        async with bus.subscribe(channel, end_on_loss=True) as events:
            await publisher.publish(channel, {"n": 1})
            assert await next_event(events) == {"n": 1}
            relay.freeze()  # from now on the link hears nothing, and says nothing
            # Quiet for an interval, PING, no answer for another: dropped.
            with pytest.raises(SubscriptionLost):
                async with asyncio.timeout(10 * INTERVAL):
                    await anext(events)
        # A new link through the proxy is relayed again: events flow.
        async with bus.subscribe(channel) as events:
            await publisher.publish(channel, {"n": 2})
            assert await next_event(events) == {"n": 2}
    finally:
        await bus.close()
        await publisher.close()


async def test_a_quiet_but_live_link_is_kept(
    proxy: tuple[FreezableProxy, str],
) -> None:
    _, url = proxy
    channel = f"test:{uuid.uuid4().hex}"
    bus = RedisBus(url, health_check_interval=INTERVAL)
    publisher = RedisBus(REDIS_URL)
    try:
        async with bus.subscribe(channel, end_on_loss=True) as events:
            await asyncio.sleep(5 * INTERVAL)  # quiet: PINGs are answered
            await publisher.publish(channel, {"n": 3})
            assert await next_event(events) == {"n": 3}  # no SubscriptionLost
    finally:
        await bus.close()
        await publisher.close()
