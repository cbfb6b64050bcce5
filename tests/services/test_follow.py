"""Subscriptions while Redis is down: the row's state at once, then live events once
the bus is back, or a typed UNAVAILABLE error after the grace period.

The app is served by uvicorn on loopback with a private redis-server that the
tests stop and start; clients speak graphql-transport-ws over a real WebSocket.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import websockets
from redis.asyncio import Redis

from gql_media import models
from gql_media.bus import job_channel
from gql_media.models import JobKind, JobStatus
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.services.jobs import lifecycle as jobs
from tests.conftest import Server, make_settings
from tests.support.generations import PROGRESS as GENERATION_PROGRESS
from tests.support.generations import create as create_generation
from tests.support.processes import Proc, free_port, redis_server, wait_for_redis

pytestmark = pytest.mark.timeout(90)

GUARD = 20.0  # seconds; only ever reached when something is broken
PROGRESS = """
subscription ($id: ID!) { jobProgress(jobId: $id) { status stage progress } }
"""


class PrivateRedis:
    """A redis-server on a fixed port that a test can stop and start again."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log_dir = log_dir
        self._running: AbstractContextManager[Proc] | None = None

    async def start(self) -> None:
        self._running = redis_server(self.port, self._log_dir)
        self._running.__enter__()
        await wait_for_redis(self.port)

    def stop(self) -> None:
        if self._running is not None:
            self._running.__exit__(None, None, None)
            self._running = None

    async def subscribers(self, channel: str) -> int:
        client = Redis.from_url(self.url)
        try:
            [(_, count)] = await client.pubsub_numsub(channel)
            return int(count)
        finally:
            await client.aclose()


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    log_dir = tmp_path / "redis"
    log_dir.mkdir()
    redis = PrivateRedis(log_dir)
    try:
        await redis.start()
        yield redis
    finally:
        redis.stop()


async def serve(
    tmp_path: Path, database: str, redis: PrivateRedis, grace: float
) -> Server:
    settings = make_settings(
        tmp_path / "data",
        database,
        redis_url=redis.url,
        bus_subscribe_timeout_seconds=0.5,
        bus_unavailable_grace_seconds=grace,
        auth={"allow_anonymous": True},  # about the bus, not access
    )
    server = Server(settings)
    await server.start()
    return server


class Subscription:
    """One graphql-transport-ws subscription; `next()` is its next raw message."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self._ws = ws

    async def next(self) -> dict[str, Any]:
        async with asyncio.timeout(GUARD):
            message: dict[str, Any] = json.loads(await self._ws.recv())
        return message


async def open_subscription(
    stack: AsyncExitStack, base_url: str, query: str, variables: dict[str, Any]
) -> Subscription:
    ws = await stack.enter_async_context(
        websockets.connect(
            base_url.replace("http://", "ws://") + "/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        )
    )
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return Subscription(ws)


async def new_job() -> models.Job:
    return await jobs.create_job(
        LOCAL_OWNER, JobKind.IMPORT_URL, asset=None, max_attempts=3
    )


def job_of(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "next", message
    assert message["payload"].get("data"), message  # not an error
    result: dict[str, Any] = message["payload"]["data"]["jobProgress"]
    return result


def error_of(message: dict[str, Any]) -> dict[str, Any]:
    """The one GraphQL error of a `next` message that carries no data."""
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None, message
    [error] = message["payload"]["errors"]
    result: dict[str, Any] = error
    return result


async def eventually_subscribed(redis: PrivateRedis, channel: str) -> None:
    async with asyncio.timeout(GUARD):
        while await redis.subscribers(channel) != 1:
            await asyncio.sleep(0.05)


def no_incident(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing logged as an error, and no traceback anywhere."""
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]
    assert "Traceback" not in caplog.text
    assert "INTERNAL" not in caplog.text


async def test_redis_down_sends_the_row_then_follows_the_bus_once_it_is_back(
    tmp_path: Path, clean_db: str, redis: PrivateRedis
) -> None:
    server = await serve(tmp_path, clean_db, redis, grace=60)
    try:
        job = await new_job()
        redis.stop()
        async with AsyncExitStack() as stack:
            sub = await open_subscription(
                stack, server.url, PROGRESS, {"id": str(job.id)}
            )
            # The row's state arrives although the bus cannot confirm anything.
            assert job_of(await sub.next())["status"] == "QUEUED"
            # Written while the bus is down: its event is lost, the row is not.
            await jobs.update_job(server.runtime, job.id, status=JobStatus.RUNNING)
            await redis.start()
            assert job_of(await sub.next())["status"] == "RUNNING"
            # Subscribed again: what follows travels on the bus.
            await eventually_subscribed(redis, job_channel(job.id))
            await jobs.update_job(server.runtime, job.id, stage="probe")
            assert job_of(await sub.next())["stage"] == "probe"
            await jobs.update_job(
                server.runtime, job.id, status=JobStatus.SUCCEEDED, progress=1.0
            )
            assert job_of(await sub.next())["status"] == "SUCCEEDED"
            assert (await sub.next())["type"] == "complete"
    finally:
        await server.stop()


async def test_redis_down_past_the_grace_period_ends_with_unavailable(
    tmp_path: Path,
    clean_db: str,
    redis: PrivateRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = await serve(tmp_path, clean_db, redis, grace=1.0)
    try:
        job = await new_job()
        redis.stop()
        async with AsyncExitStack() as stack:
            sub = await open_subscription(
                stack, server.url, PROGRESS, {"id": str(job.id)}
            )
            first = job_of(await sub.next())
            assert first["status"] == "QUEUED"
            assert first["progress"] == job.progress
            payload = error_of(await sub.next())
            assert (await sub.next())["type"] == "complete"
        assert payload["extensions"]["code"] == "UNAVAILABLE", payload
        assert "live updates are down" in payload["message"]
        assert "job(id)" in payload["message"]
        no_incident(caplog)
    finally:
        await server.stop()


async def test_a_job_that_ends_while_the_bus_is_down_still_ends_the_stream(
    tmp_path: Path, clean_db: str, redis: PrivateRedis
) -> None:
    server = await serve(tmp_path, clean_db, redis, grace=60)
    try:
        job = await new_job()
        async with AsyncExitStack() as stack:
            sub = await open_subscription(
                stack, server.url, PROGRESS, {"id": str(job.id)}
            )
            assert job_of(await sub.next())["status"] == "QUEUED"
            await eventually_subscribed(redis, job_channel(job.id))
            redis.stop()  # under a live subscription
            await jobs.update_job(server.runtime, job.id, status=JobStatus.FAILED)
            assert job_of(await sub.next())["status"] == "FAILED"
            assert (await sub.next())["type"] == "complete"
    finally:
        await server.stop()


async def test_generation_progress_with_redis_down_sends_the_row_then_unavailable(
    tmp_path: Path,
    clean_db: str,
    redis: PrivateRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = await serve(tmp_path, clean_db, redis, grace=1.0)
    try:
        generation = await create_generation(
            server.url, variantTypes=["soft"], scenesPerVariant=1
        )
        redis.stop()
        async with AsyncExitStack() as stack:
            sub = await open_subscription(
                stack, server.url, GENERATION_PROGRESS, {"id": generation["id"]}
            )
            first = await sub.next()
            assert first["type"] == "next", first
            assert first["payload"].get("data"), first  # not an error
            event = first["payload"]["data"]["generationProgress"]
            assert event["revision"] == generation["revision"]
            assert event["isFinished"] is False
            payload = error_of(await sub.next())
            assert (await sub.next())["type"] == "complete"
        assert payload["extensions"]["code"] == "UNAVAILABLE", payload
        assert "generation(id)" in payload["message"]
        no_incident(caplog)
    finally:
        await server.stop()
