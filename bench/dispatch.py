"""dispatch: (1) time from `importAsset` returning to the job's RUNNING state on
an idle worker, embedded and arq, against raw arq's enqueue -> start of a no-op
function; (2) no-op jobs per second through our queue layer against raw arq on
the same Redis.

Our queue layer in (2) is exactly: `ArqQueue.enqueue(job_id)` and an arq Worker
built from `gql_media.arq_worker.worker_options()` (our max_jobs, poll_delay,
keep_result, abort support), whose `run_job` is replaced by a no-op: the product
has no job kind that does nothing, and the real `run_job` would time the
database, not the queue. Raw arq: `ArqRedis.enqueue_job` of a no-op function and
an arq Worker with the same options, and with arq's defaults.
"""

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import orjson
import redis.asyncio as aioredis
from arq import create_pool, func
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Function, Worker

from bench.common import (
    Report,
    Sample,
    check,
    interleave,
    log,
    main,
    median,
    ms,
    p95,
    ratio,
    scaled,
    times,
    work_dir,
)
from bench.gql import JOB, start_import, wait_for_job
from bench.media import MEDIA, video
from bench.services import Deployment, distributed, embedded, moto_s3, redis_server
from gql_media.arq_worker import worker_options
from gql_media.queue.arq import FUNCTION, ArqQueue
from gql_media.settings import Settings
from tests.support.graphql import data
from tests.support.http_server import serve_files
from tests.support.processes import free_port, wait_for_redis

# The wait for a 50 ms poll is spread evenly over 0-50 ms: its median needs many
# samples to settle (15 moved it by ~8 ms between runs).
LATENCY_REPS = scaled(30, 4)
# Our worker options run ~40 no-op jobs/s (see the table), so 300 jobs take ~8 s.
THROUGHPUT_JOBS = scaled(300, 100)
THROUGHPUT_REPS = scaled(3, 2)


async def _idle_pause() -> None:
    # A random phase against the workers' 50 ms poll, so the samples cover it
    # instead of locking onto one point of it.
    await asyncio.sleep(0.2 + random.random() * 0.1)


def _started_at(job: dict[str, Any]) -> float:
    return datetime.fromisoformat(job["startedAt"]).timestamp()


async def import_latency(deployment: Deployment, url: str) -> Sample:
    """importAsset returned -> job row claimed RUNNING (startedAt, written in the
    same UPDATE that makes it RUNNING, just before the RUNNING event is sent)."""
    await _idle_pause()
    _, job_id = await start_import(deployment.url, url)
    returned = time.time()
    final = await wait_for_job(deployment.url, job_id)
    check(final["status"] == "SUCCEEDED", f"import job ended {final}")
    job = (await data(deployment.url, JOB, {"id": job_id}))["job"]
    return {"seconds": _started_at(job) - returned}


class RunningEvents:
    """Receipt times of the first RUNNING event of each job on the Redis bus."""

    def __init__(self, redis_url: str) -> None:
        self.client = aioredis.Redis.from_url(redis_url)
        self.seen: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        pubsub = self.client.pubsub()
        await pubsub.psubscribe("job:*")
        self._task = asyncio.create_task(self._read(pubsub))

    async def _read(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message["type"] != "pmessage":
                continue
            event = orjson.loads(message["data"])
            if event["status"] == "RUNNING":
                self.seen.setdefault(event["id"], time.time())

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.aclose()


async def arq_import_latency(
    deployment: Deployment, url: str, events: RunningEvents
) -> Sample:
    await _idle_pause()
    _, job_id = await start_import(deployment.url, url)
    returned = time.time()
    final = await wait_for_job(deployment.url, job_id)
    check(final["status"] == "SUCCEEDED", f"import job ended {final}")
    job = (await data(deployment.url, JOB, {"id": job_id}))["job"]
    check(job_id in events.seen, "no RUNNING event seen on the Redis bus")
    return {
        "seconds": _started_at(job) - returned,
        "event_seconds": events.seen[job_id] - returned,
    }


class NoopWorker:
    """An arq Worker in this process whose function only records the job id; a
    fresh Worker on each `start`, so no state carries over between repetitions."""

    def __init__(self, redis_url: str, queue: str, function: Function, **options: Any):
        self.redis_url = redis_url
        self.queue = queue
        self.ran: list[str] = []
        self.started: dict[str, float] = {}
        self.all_done = asyncio.Event()
        self.expected = 0

        async def noop(ctx: dict[str, Any], *args: Any) -> None:
            self.started[ctx["job_id"]] = time.time()
            self.ran.append(ctx["job_id"])
            if len(self.ran) >= self.expected:
                self.all_done.set()

        # The given function's options (keep_result, max_tries) with a no-op body.
        self.function = replace(function, coroutine=noop)
        self.options = options
        self.worker: Worker | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.worker = Worker(
            functions=[self.function],
            redis_settings=RedisSettings.from_dsn(self.redis_url),
            queue_name=self.queue,
            handle_signals=False,
            **self.options,
        )
        self.task = asyncio.create_task(self.worker.async_run())
        # arq writes the health-check key on each poll round: then it is polling.
        client = aioredis.Redis.from_url(self.redis_url)
        try:
            for _ in range(500):
                if await client.exists(self.worker.health_check_key):
                    return
                await asyncio.sleep(0.01)
        finally:
            await client.aclose()
        raise TimeoutError("the arq worker did not start polling")

    def expect(self, n: int) -> None:
        self.ran.clear()
        self.started.clear()
        self.all_done.clear()
        self.expected = n

    async def close(self) -> None:
        # Stop polling first, then let started jobs finish their bookkeeping:
        # Worker.close() alone cancels them half-way.
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self.worker is not None:
            await asyncio.gather(*self.worker.tasks.values())
            await self.worker.close()


def _our_options(redis_url: str) -> tuple[Function, dict[str, Any]]:
    """The product's worker options and its one function (`run_job`)."""
    options = worker_options(Settings(redis_url=redis_url))
    (function,) = options.pop("functions")
    del options["redis_settings"]
    return function, options


async def _placeholder(ctx: dict[str, Any]) -> None:
    """Replaced by NoopWorker's own no-op; arq's `func` wants a coroutine."""


def _noop(name: str) -> Function:
    """A function with arq's default options (NoopWorker swaps its body)."""
    return func(_placeholder, name=name)  # type: ignore[arg-type]


Enqueue = Callable[[str], Awaitable[None]]


async def throughput(worker: NoopWorker, enqueue: Enqueue, n: int) -> Sample:
    """Enqueue n jobs one after another while the worker runs them; jobs/s from
    the first enqueue to the last job's start."""
    ids = [str(uuid.uuid4()) for _ in range(n)]
    worker.expect(n)
    started = time.perf_counter()
    for job_id in ids:
        await enqueue(job_id)
    enqueued = time.perf_counter() - started
    await asyncio.wait_for(worker.all_done.wait(), 120)
    seconds = time.perf_counter() - started
    check(sorted(worker.ran) == sorted(ids), "jobs lost, repeated or unknown")
    return {"jobs_per_s": n / seconds, "enqueue_per_s": n / enqueued}


async def raw_latency(worker: NoopWorker, pool: ArqRedis, name: str) -> Sample:
    await _idle_pause()
    job_id = str(uuid.uuid4())
    worker.expect(1)
    await pool.enqueue_job(name, _job_id=job_id, _queue_name=worker.queue)
    returned = time.time()
    await asyncio.wait_for(worker.all_done.wait(), 10)
    check(worker.ran == [job_id], f"raw arq ran {worker.ran}, not {job_id}")
    return {"seconds": worker.started[job_id] - returned}


async def run(report: Report) -> None:
    work = work_dir("dispatch")
    tiny = video(1)
    latency = report.table(
        "dispatch: importAsset returned -> job RUNNING, idle worker "
        f"({LATENCY_REPS} runs each)",
        "path", "median", "p95", "vs raw arq",
    )  # fmt: skip
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    with redis_server(redis_port, work / "logs"):
        await wait_for_redis(redis_port)
        pool = await create_pool(RedisSettings.from_dsn(redis_url))
        function, options = _our_options(redis_url)
        raw = NoopWorker(redis_url, "bench:latency", _noop("noop"), **options)
        await raw.start()
        async with (
            serve_files(MEDIA) as source,
            moto_s3(work) as s3,
            embedded(work) as local,
            distributed(work, s3) as dist,
        ):
            url = source.url("/" + tiny.name)
            events = RunningEvents(str(dist.redis_url))
            await events.start()
            log("dispatch: latency")
            samples = await interleave(
                {
                    "embedded": lambda: import_latency(local, url),
                    "arq": lambda: arq_import_latency(dist, url, events),
                    "raw": lambda: raw_latency(raw, pool, "noop"),
                },
                LATENCY_REPS,
                warmup=1,
            )
            await events.close()
        await raw.close()
        base = samples["raw"]["seconds"]
        rows = [
            ("embedded: importAsset -> startedAt", samples["embedded"]["seconds"]),
            ("arq: importAsset -> startedAt", samples["arq"]["seconds"]),
            ("arq: importAsset -> RUNNING event heard on Redis",
             samples["arq"]["event_seconds"]),
            ("raw arq (same options): enqueue_job -> no-op starts", base),
        ]  # fmt: skip
        for label, values in rows:
            # A job RUNNING before the client has the answer has no meaningful
            # ratio; the table says so instead of printing a negative one.
            versus = times(ratio(values, base)) if median(values) > 0 else "ahead"
            latency.add(label, ms(median(values)), ms(p95(values)), versus)
        report.ratio(
            "dispatch latency arq / raw arq",
            ratio(samples["arq"]["seconds"], base),
            "importAsset -> RUNNING over enqueue_job -> start; both poll every 50 ms",
        )
        report.samples["latency"] = samples

        log("dispatch: throughput")
        ours_queue = ArqQueue(redis_url, queue_name="bench:ours")

        async def arq_enqueue(queue: str, name: str) -> Enqueue:
            async def enqueue(job_id: str) -> None:
                await pool.enqueue_job(name, _job_id=job_id, _queue_name=queue)

            return enqueue

        check(function.name == FUNCTION, "ArqQueue and the worker disagree")
        ours = NoopWorker(redis_url, "bench:ours", function, **options)
        same = NoopWorker(redis_url, "bench:same", _noop("noop"), **options)
        default = NoopWorker(redis_url, "bench:default", _noop("noop"))
        variants = {
            "ours": (ours, ours_queue.enqueue),
            "same": (same, await arq_enqueue("bench:same", "noop")),
            "default": (default, await arq_enqueue("bench:default", "noop")),
        }

        def measure(name: str) -> Callable[[], Awaitable[Sample]]:
            async def go() -> Sample:
                worker, enqueue = variants[name]
                await worker.start()
                try:
                    return await throughput(worker, enqueue, THROUGHPUT_JOBS)
                finally:
                    await worker.close()

            return go

        # No warmup round: each repetition starts a fresh worker anyway, and the
        # latency part has warmed Redis and this process.
        rates = await interleave(
            {name: measure(name) for name in variants}, THROUGHPUT_REPS
        )
        await ours_queue.close()
        await pool.aclose()
    table = report.table(
        f"dispatch: {THROUGHPUT_JOBS} no-op jobs enqueued one by one and run",
        "queue", "jobs/s median", "p95", "enqueues/s", "ours / this",
    )  # fmt: skip
    labels = {
        "ours": "ArqQueue.enqueue + worker_options() (max_jobs=2, poll 50 ms)",
        "same": "raw arq, the same worker options",
        "default": "raw arq, arq defaults (max_jobs=10, poll 500 ms)",
    }
    for name, label in labels.items():
        values = rates[name]["jobs_per_s"]
        table.add(
            label, f"{median(values):,.0f}", f"{p95(values):,.0f}",
            f"{median(rates[name]['enqueue_per_s']):,.0f}",
            times(ratio(rates["ours"]["jobs_per_s"], values)),
        )  # fmt: skip
    for name in ("same", "default"):
        report.ratio(
            f"dispatch jobs/s ours / {labels[name]}",
            ratio(rates["ours"]["jobs_per_s"], rates[name]["jobs_per_s"]),
            "throughput; above 1 is faster",
        )
    report.samples["throughput"] = rates
    report.config = {
        "latency_reps": LATENCY_REPS,
        "throughput_jobs": THROUGHPUT_JOBS,
        "throughput_reps": THROUGHPUT_REPS,
    }
    report.notes += [
        "Latency: wall clock on one machine; startedAt is written by the worker in "
        "the UPDATE that claims the job. Each import job is checked SUCCEEDED "
        "before the next starts (an idle worker); the clip is 1 MB. `ahead`: the "
        "embedded runner starts the job before the HTTP answer reaches the client, "
        "so the delay is negative.",
        "Throughput: each job id must run exactly once; the worker runs in this "
        "process, a fresh one per repetition.",
    ]


if __name__ == "__main__":
    main("dispatch", run)
