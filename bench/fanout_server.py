"""The server side of the fanout benchmark: one process per variant, driven by
JSON lines on stdin and answering on stdout.

    --mode memory  the app, embedded settings; events go out on the app's own
                   MemoryBus, in this process, as the in-process job runner sends them
    --mode redis   the app with a Redis URL; its events come from a `publisher`
    --mode publisher  only publishes, through a RedisBus of its own, as a worker
                   process does (publishing from the busy API process would slow the
                   publisher down and hide the queueing)
    --mode raw     the baseline: a bare `websockets` server speaking just enough
                   graphql-transport-ws, broadcasting the same frames (no GraphQL,
                   no bus, no database)

Commands: {"cmd": "job"} -> {"job_id", "event"}; {"cmd": "count", "job_id"} ->
{"count"} once the bus delivers to the job's subscribers; {"cmd": "subscribed",
"job_ids"} -> {} likewise for many jobs; {"cmd": "publish", "job_id", "event", "n"}
-> {"seconds"};
{"cmd": "publish_many", "jobs": [{"job_id", "event"}], "n"} -> {"seconds"} (n
events to each job, round-robin); {"cmd": "quit"}.
Each published event carries "<sequence> <CLOCK_MONOTONIC ns at publish>" in its
`message`, so a client on this machine can compute the delay and check the order.
"""

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from redis.asyncio import Redis
from websockets.asyncio.server import ServerConnection, broadcast, serve

from bench.common import run_loop
from gql_media import db, models
from gql_media.app import create_app
from gql_media.bus import RedisBus, job_channel
from gql_media.cli import uvicorn_options
from gql_media.gc_tuning import tune_gc
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.jobs.state import JobState
from gql_media.settings import Settings
from gql_media.settings_auth import AuthSettings

Publish = Callable[[str, dict[str, Any]], Awaitable[None]]
Count = Callable[[str], int]
Subscribed = Callable[[list[str]], Awaitable[None]]
FIELDS = ("status", "stage", "progress", "message")


def events(event: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """n successive states of the job after `event`; the last one SUCCEEDED, so
    every subscription completes after it."""
    base = event["revision"]
    return [
        {
            **event,
            "revision": base + i,
            "status": "SUCCEEDED" if i == n else "RUNNING",
            "stage": "done" if i == n else "download",
            "progress": i / n,
        }
        for i in range(1, n + 1)
    ]


async def publish_all(publish: Publish, job_id: str, event: dict, n: int) -> float:
    started = time.perf_counter()
    for i, item in enumerate(events(event, n), 1):
        item["message"] = f"{i} {time.monotonic_ns()}"
        await publish(job_channel(job_id), item)
    return time.perf_counter() - started


async def publish_many(publish: Publish, jobs: list[dict[str, Any]], n: int) -> float:
    """n events to each of many jobs, one job after another per round."""
    started = time.perf_counter()
    batches = [(job["job_id"], events(job["event"], n)) for job in jobs]

    def stamped(items: list[dict[str, Any]], i: int) -> dict[str, Any]:
        items[i]["message"] = f"{i + 1} {time.monotonic_ns()}"
        return items[i]

    for i in range(n):
        # Concurrently, as many workers would: one Redis round trip per event
        # in a row would measure the publisher, not the fan-out.
        await asyncio.gather(
            *(
                publish(job_channel(job_id), stamped(items, i))
                for job_id, items in batches
            )
        )
    return time.perf_counter() - started


async def app_server(mode: str, data_dir: Path, port: int, redis_url: str) -> None:
    settings = Settings(
        data_dir=data_dir,
        secret_key="bench-secret",
        redis_url=redis_url if mode == "redis" else None,
        # The clients send no API token (the distributed mode needs this said).
        auth=AuthSettings(allow_anonymous=True),
    )
    settings.ensure_dirs()
    await db.migrate(settings.db_url)
    app = create_app(settings)
    runtime = app.state.runtime
    tune_gc(settings.gc_gen0_threshold)  # as `gql-media serve` does after start-up
    # Not uvicorn's default "info": it logs every WebSocket opened and closed.
    # The options `gql-media serve` passes (per-message deflate off by default).
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.01)

    async def new_job() -> dict[str, Any]:
        job = await jobs.create_job(
            LOCAL_OWNER, models.JobKind.IMPORT_URL, asset=None, max_attempts=3
        )
        return {"job_id": str(job.id), "event": JobState.from_model(job).to_event()}

    redis = Redis.from_url(redis_url) if mode == "redis" else None

    async def subscribed(channels: list[str]) -> None:
        """Wait until Redis has this process's subscription to each channel.

        The app sends a subscription's first frame (the row as stored) before
        Redis confirms the SUBSCRIBE, and re-reads the row once it does, so a
        client misses nothing the row records. The benchmark's events change no
        row: one published in between would reach nobody, and a round whose
        terminal event is lost would never end.
        """
        if redis is None:
            return  # the memory bus subscribes at once
        deadline = time.monotonic() + 10
        for start in range(0, len(channels), 1000):
            chunk = channels[start : start + 1000]
            while any(n < 1 for _, n in await redis.pubsub_numsub(*chunk)):
                if time.monotonic() > deadline:
                    raise TimeoutError("Redis did not confirm the subscriptions")
                await asyncio.sleep(0.001)

    try:
        await control(
            new_job, runtime.bus.publish, runtime.bus.subscriber_count, subscribed
        )
    finally:
        if redis is not None:
            await redis.aclose()
        server.should_exit = True
        await serving


async def publisher(redis_url: str) -> None:
    bus = RedisBus(redis_url)

    async def no_job() -> dict[str, Any]:
        raise RuntimeError("the publisher holds no jobs")

    try:
        await control(no_job, bus.publish, lambda channel: 0, immediate)
    finally:
        await bus.close()


async def raw_server(port: int) -> None:
    """A plain broadcast server: the floor for pushing the same frames to the
    same clients over the same WebSocket library, without per-message deflate
    as the app serves by default."""
    channels: dict[str, dict[ServerConnection, str]] = {}
    states: dict[str, dict[str, Any]] = {}

    def frame(sub_id: str, kind: str, event: dict[str, Any] | None = None) -> str:
        message: dict[str, Any] = {"id": sub_id, "type": kind}
        if event is not None:
            fields = {name: event[name] for name in FIELDS}
            message["payload"] = {"data": {"jobProgress": fields}}
        return json.dumps(message)

    async def handler(ws: ServerConnection) -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "connection_init":
                await ws.send(json.dumps({"type": "connection_ack"}))
            elif message["type"] == "subscribe":
                job_id = message["payload"]["variables"]["id"]
                channels.setdefault(job_id, {})[ws] = message["id"]
                await ws.send(frame(message["id"], "next", states[job_id]))
        for subscribers in channels.values():
            subscribers.pop(ws, None)

    async def publish(channel: str, event: dict[str, Any]) -> None:
        job_id = channel.removeprefix("job:")
        subscribers = channels.get(job_id, {})
        if not subscribers:
            return
        # One id per round (the driver uses the same for every client).
        sub_id = next(iter(subscribers.values()))
        broadcast(subscribers, frame(sub_id, "next", event))
        if event["status"] == "SUCCEEDED":
            broadcast(subscribers, frame(sub_id, "complete"))
            channels.pop(job_id)

    async def new_job() -> dict[str, Any]:
        job_id = str(uuid.uuid4())
        event = {"id": job_id, "revision": 1, "message": "", "status": "QUEUED"}
        states[job_id] = {**event, "stage": "queued", "progress": 0.0}
        return {"job_id": job_id, "event": states[job_id]}

    def count(channel: str) -> int:
        return len(channels.get(channel.removeprefix("job:"), {}))

    async with serve(
        handler,
        "127.0.0.1",
        port,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        compression=None,
    ):
        await control(new_job, publish, count, immediate)


async def immediate(channels: list[str]) -> None:
    """`subscribed` of a server whose subscriptions take effect at once."""


async def control(
    new_job: Callable[[], Awaitable[dict[str, Any]]],
    publish: Publish,
    count: Count,
    subscribed: Subscribed,
) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)  # publish_many: 1,000 jobs a line
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    answer({"ready": True})
    while line := await reader.readline():
        command = json.loads(line)
        match command["cmd"]:
            case "job":
                answer(await new_job())
            case "count":
                channel = job_channel(command["job_id"])
                await subscribed([channel])
                answer({"count": count(channel)})
            case "subscribed":
                await subscribed([job_channel(j) for j in command["job_ids"]])
                answer({})
            case "publish":
                seconds = await publish_all(
                    publish, command["job_id"], command["event"], command["n"]
                )
                answer({"seconds": seconds})
            case "publish_many":
                seconds = await publish_many(publish, command["jobs"], command["n"])
                answer({"seconds": seconds})
            case "quit":
                return


def answer(body: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(body).decode() + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    modes = ["memory", "redis", "raw", "publisher"]
    parser.add_argument("--mode", choices=modes, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=Path("."))
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if args.mode == "raw":
        run_loop(raw_server(args.port))
    elif args.mode == "publisher":
        run_loop(publisher(args.redis_url))
    else:
        run_loop(app_server(args.mode, args.data_dir, args.port, args.redis_url))


if __name__ == "__main__":
    main()
