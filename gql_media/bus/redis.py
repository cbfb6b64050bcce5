"""Redis pub/sub `ProgressBus` for the distributed mode: one pub/sub link per bus."""

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson
from redis.asyncio import Redis

from gql_media.bus.base import Event, ProgressBus
from gql_media.bus.mailbox import LOST, Events, Mailbox
from gql_media.kit.metrics import BUS_PUBLISHED

logger = logging.getLogger(__name__)

_MIN_BACKOFF, _MAX_BACKOFF = 0.1, 5.0


# Holds events, `LOST`, or None once the bus is closed.
_Queue = Mailbox
# A publish waiting to go out: channel, encoded event, the publisher's future.
_Outgoing = tuple[str, bytes, "asyncio.Future[None]"]
# A (UN)SUBSCRIBE waiting to go out: command, channel, and for a SUBSCRIBE the
# future Redis's confirmation resolves.
_Command = tuple[str, str, "asyncio.Future[None] | None"]


@dataclass(eq=False)
class _Channel:
    """The local subscribers of one channel and Redis's confirmation of it."""

    confirmed: "asyncio.Future[None]"
    queues: "set[_Queue]" = field(default_factory=set)
    # The subscribers that asked to hear of a dropped link (`end_on_loss`).
    report_loss: "set[_Queue]" = field(default_factory=set)


class RedisBus(ProgressBus):
    """Fan-out of events from one shared Redis pub/sub connection.

    Publishing uses a small connection pool. All subscriptions of this bus share one
    pub/sub connection, named `client_name` (see `CLIENT LIST`): a channel is
    subscribed when its first local subscriber enters and unsubscribed when its last
    leaves, and one reader task decodes each message once and puts the one dict
    into per-subscriber bounded mailboxes (`Mailbox`: the latest state wins for
    `latest_only` subscribers, else the oldest is dropped when one falls behind).

    When the connection drops, the reader reconnects with exponential backoff and
    subscribes to every channel again; subscribers carry on, but events published
    while it was down are lost. That is acceptable because the job row is the truth:
    a subscriber that must not miss an outcome asks for `end_on_loss`, hears of the
    drop as `SubscriptionLost`, and subscribes and re-reads the row again.
    """

    def __init__(
        self,
        url: str,
        *,
        max_backlog: int = 1000,
        client_name: str = "gql-media-bus",
        subscribe_timeout: float = 10.0,
        health_check_interval: float = 15.0,
    ) -> None:
        self._redis = Redis.from_url(url)
        pool = self._redis.connection_pool
        kwargs = {"socket_connect_timeout": 5.0, **pool.connection_kwargs}
        kwargs["client_name"] = client_name
        # Quiet channels are normal; `_watch` tells a dead link from a quiet one.
        kwargs["socket_timeout"] = None
        self._conn = pool.connection_class(**kwargs)
        self._max_backlog = max_backlog
        self._subscribe_timeout = subscribe_timeout
        self._health_check_interval = health_check_interval
        self._channels: dict[str, _Channel] = {}
        # One future per SUBSCRIBE sent, resolved in order by Redis's replies.
        self._pending: dict[str, deque[asyncio.Future[None]]] = {}
        # Keeps a resubscription after a reconnect ahead of later (UN)SUBSCRIBEs.
        self._lock = asyncio.Lock()
        self._online = False
        self._closed = False
        self._reader: asyncio.Task[None] | None = None
        self._heard = 0.0  # loop time of the pub/sub link's last reply
        # Publishes waiting for the end of this turn of the loop, and batches sent.
        self._outbox: list[_Outgoing] | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        # (UN)SUBSCRIBEs of this turn of the loop, in order, and their batches sent.
        self._commands: list[_Command] | None = None
        self._commanding: set[asyncio.Task[None]] = set()

    async def publish(self, channel: str, event: Event) -> None:
        """Send `event` to every subscriber of `channel` in any process.

        Publishes made in the same turn of the event loop (a worker's concurrent
        jobs, a sweep) go out together in one pipeline: one round trip and one
        connection instead of one each. One caller's publishes keep their order.

        Raises:
            redis.exceptions.ConnectionError: Redis is unreachable.
        """
        loop = asyncio.get_running_loop()
        sent: asyncio.Future[None] = loop.create_future()
        if self._outbox is None:
            self._outbox = []
            loop.call_soon(self._flush)
        self._outbox.append((channel, orjson.dumps(event), sent))
        await sent

    def _flush(self) -> None:
        batch, self._outbox = self._outbox, None
        if not batch:
            return  # flushed already (by `close`)
        task = asyncio.create_task(self._send_batch(batch), name="gql-media-bus-pub")
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _send_batch(self, batch: list[_Outgoing]) -> None:
        try:
            if len(batch) == 1:
                channel, data, _ = batch[0]
                await self._redis.publish(channel, data)
            else:
                await self._publish_all(batch)
        except Exception as exc:
            for *_, sent in batch:
                if not sent.done():
                    sent.set_exception(exc)
                    sent.exception()  # a cancelled caller must not log it unseen
            return
        BUS_PUBLISHED.labels("redis").inc(len(batch))
        for *_, sent in batch:
            if not sent.done():
                sent.set_result(None)

    async def _publish_all(self, batch: list[_Outgoing]) -> None:
        """Every PUBLISH of `batch` in one write on one pooled connection, then
        their replies. Packed here: redis-py's pipeline spent more time per
        command than the rest of a publish."""
        pool = self._redis.connection_pool
        conn = await pool.get_connection()
        try:
            packed = b"".join(_publish_command(c, data) for c, data, _ in batch)
            await conn.send_packed_command(packed, check_health=False)
            for _ in batch:
                await conn.read_response()
        except BaseException:
            await conn.disconnect()  # replies left unread: not reusable as it is
            raise
        finally:
            await pool.release(conn)

    @asynccontextmanager
    async def subscribe(
        self,
        channel: str,
        *,
        end_on_loss: bool = False,
        latest_only: bool = False,
    ) -> AsyncIterator[AsyncIterator[Event]]:
        """Listen on `channel`; entered only once Redis has confirmed the SUBSCRIBE.

        The iterator ends when the bus is closed. With `end_on_loss` it raises
        `SubscriptionLost` once the pub/sub connection drops.

        Raises:
            TimeoutError: Redis did not confirm within `subscribe_timeout` seconds.
        """
        if self._closed:
            raise RuntimeError("bus is closed")
        if self._reader is None:
            self._reader = asyncio.create_task(self._run(), name="gql-media-bus")
        queue = Mailbox(self._max_backlog, latest_only=latest_only)
        state = self._channels.get(channel)
        first = state is None
        if state is None:
            loop = asyncio.get_running_loop()
            state = self._channels[channel] = _Channel(loop.create_future())
        state.queues.add(queue)
        if end_on_loss:
            state.report_loss.add(queue)
        try:
            if first:
                self._command("SUBSCRIBE", channel, state.confirmed)
            # Shielded: the future is shared by every subscriber still entering.
            async with asyncio.timeout(self._subscribe_timeout):
                await asyncio.shield(state.confirmed)
            yield Events(queue)
        finally:
            state.queues.discard(queue)
            state.report_loss.discard(queue)
            if not state.queues and self._channels.get(channel) is state:
                del self._channels[channel]
                self._command("UNSUBSCRIBE", channel)

    def subscriber_count(self, channel: str) -> int:
        """The number of local subscribers of `channel`."""
        state = self._channels.get(channel)
        return len(state.queues) if state else 0

    def unread(self, channel: str) -> int:
        """The most events any one local subscriber of `channel` has not read."""
        state = self._channels.get(channel)
        return max(map(len, state.queues), default=0) if state else 0

    async def close(self) -> None:
        """Stop the reader, end every subscription and close the connections."""
        self._closed = True
        if self._reader is not None:
            self._reader.cancel()
            with suppress(asyncio.CancelledError):
                await self._reader
        if self._outbox is not None:
            self._flush()  # publishes made just before closing still go out
        if self._flushing:
            await asyncio.gather(*self._flushing, return_exceptions=True)
        self._commands = None  # the UNSUBSCRIBE from every channel covers them
        if self._commanding:
            await asyncio.gather(*self._commanding, return_exceptions=True)
        await self._send("UNSUBSCRIBE")
        self._online = False
        for state in self._channels.values():
            if not state.confirmed.done():
                state.confirmed.set_exception(RuntimeError("bus is closed"))
                state.confirmed.exception()  # the waiters report it, not the loop
            for queue in state.queues:
                queue.put_nowait(None)
        await self._conn.disconnect()
        await self._redis.aclose(close_connection_pool=True)

    def _command(
        self, name: str, channel: str, confirmed: "asyncio.Future[None] | None" = None
    ) -> None:
        """Send SUBSCRIBE or UNSUBSCRIBE at the end of this turn of the loop, with
        the others of the turn: a thousand watchers arriving or leaving together
        cost one write, not a thousand."""
        if self._commands is None:
            self._commands = []
            asyncio.get_running_loop().call_soon(self._flush_commands)
        self._commands.append((name, channel, confirmed))

    def _flush_commands(self) -> None:
        batch, self._commands = self._commands, None
        if not batch:
            return  # dropped by `close`
        task = asyncio.create_task(self._send_commands(batch), name="gql-media-bus-sub")
        self._commanding.add(task)
        task.add_done_callback(self._commanding.discard)

    async def _send_commands(self, batch: list[_Command]) -> None:
        """`batch` in its order, consecutive commands of one kind as one command
        with many channels (Redis replies once per channel all the same)."""
        packed: list[bytes] = []
        async with self._lock:
            if not self._online or not self._conn.is_connected:
                return  # the reader subscribes to every channel once it reconnects
            for name, run in groupby(batch, key=itemgetter(0)):
                channels = []
                for _, channel, confirmed in run:
                    channels.append(channel)
                    if confirmed is not None:
                        self._pending.setdefault(channel, deque()).append(confirmed)
                packed += self._conn.pack_command(name, *channels)
            await self._write(packed, batch[0][0])

    async def _send(self, *args: str) -> None:
        async with self._lock:
            if self._online and self._conn.is_connected:
                await self._write(self._conn.pack_command(*args), args[0])

    async def _write(self, packed: list[bytes], what: str) -> None:
        # Called holding the lock, online. Offline, the reader subscribes to every
        # channel once it reconnects; sending then would make redis-py open a
        # connection behind its back.
        try:
            await self._conn.send_packed_command(packed, check_health=False)
        except Exception as exc:  # the reader sees the drop and reconnects
            self._online = False
            logger.debug("bus: %s failed: %s", what, exc)

    async def _run(self) -> None:
        delay = _MIN_BACKOFF
        while True:
            try:
                await self._conn.connect()
                async with self._lock:
                    self._pending = {
                        name: deque([state.confirmed])
                        for name, state in self._channels.items()
                    }
                    if self._pending:
                        await self._conn.send_command("SUBSCRIBE", *self._pending)
                    self._online = True
                if delay > _MIN_BACKOFF:
                    logger.info("bus: Redis pub/sub reconnected")
                delay = _MIN_BACKOFF
                await self._read()
            except Exception as exc:  # the reader must outlive any one connection
                self._online = False
                # Until Redis confirms again, a newcomer must wait as the first did.
                for state in self._channels.values():
                    if state.confirmed.done():
                        state.confirmed = asyncio.get_running_loop().create_future()
                        # Only live subscribers: one still entering has lost nothing.
                        for queue in state.report_loss:
                            queue.put_nowait(LOST)
                logger.warning(
                    "bus: Redis pub/sub connection lost (%s); retrying in %.1fs",
                    exc,
                    delay,
                )
                await self._conn.disconnect()
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_BACKOFF)

    async def _read(self) -> None:
        # No timer around each reply (a third of the reader's time when events
        # stream in): a watchdog looks after a link that goes quiet.
        loop = asyncio.get_running_loop()
        self._heard = loop.time()
        watchdog = asyncio.create_task(self._watch(loop), name="gql-media-bus-watch")
        try:
            while True:
                reply = await self._conn.read_response()
                self._heard = loop.time()
                if isinstance(reply, list) and len(reply) == 3:
                    self._handle(_text(reply[0]), _text(reply[1]), reply[2])
        finally:
            watchdog.cancel()

    async def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """A half-open TCP link stays silent forever: PING a link quiet for an
        interval, and drop it if nothing came back an interval later (the reader
        then fails and reconnects)."""
        interval = self._health_check_interval
        while True:
            await asyncio.sleep(interval)
            if loop.time() - self._heard < interval:
                continue
            pinged = loop.time()
            await self._send("PING")
            await asyncio.sleep(interval)
            if self._heard < pinged:
                logger.warning("bus: no reply to PING in %.0fs; reconnecting", interval)
                await self._conn.disconnect()
                return

    def _handle(self, kind: str, channel: str, data: Any) -> None:
        if kind == "subscribe":
            pending = self._pending.get(channel)
            if pending:
                confirmed = pending.popleft()
                if not confirmed.done():
                    confirmed.set_result(None)
            return
        state = self._channels.get(channel)
        # Before its confirmation a channel may still hear an older subscription.
        if kind != "message" or state is None or not state.confirmed.done():
            return
        try:
            event = orjson.loads(data)
        except orjson.JSONDecodeError:
            logger.warning("bus: dropped a non-JSON message on %s", channel)
            return
        behind = False
        for queue in state.queues:
            behind |= queue.put_nowait(event)  # never blocks the reader
        if behind:
            logger.warning("bus: a subscriber of %s fell behind", channel)


def _publish_command(channel: str, data: bytes) -> bytes:
    name = channel.encode()
    return b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
        len(name),
        name,
        len(data),
        data,
    )


def _text(value: Any) -> Any:
    # Bytes unless the URL asks for `decode_responses`.
    return value.decode() if isinstance(value, bytes) else value
