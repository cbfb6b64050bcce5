"""The distributed mode with real processes: an API process, arq worker processes,
PostgreSQL, a private Redis and an S3 API server, all on loopback."""

import asyncio
import os
import re
import stat
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from gql_media.settings import Settings, StorageSettings
from gql_media.storage import S3Storage
from tests.support.graphql import data, subscribe
from tests.support.http_server import serve_files
from tests.support.media import make_video
from tests.support.postgres import scratch_database
from tests.support.processes import (
    BIN,
    Proc,
    free_port,
    redis_server,
    wait_for_http,
    wait_for_redis,
)
from tests.support.tls import TLS

pytestmark = pytest.mark.timeout(180)

# The default heartbeat, stale and sweep settings (the cluster's are much shorter).
LIVENESS = {
    f"GQL_MEDIA_{name.upper()}": str(Settings.model_fields[name].default)
    for name in ("job_heartbeat_seconds", "job_stale_seconds", "job_sweep_seconds")
}

IMPORT = """
mutation ($u: String!) {
  importAsset(input: {url: $u}) {
    __typename ... on ImportAssetSuccess { asset { id } job { id status } }
    ... on Error { code message }
  }
}
"""
JOB = "query ($id: ID!) { job(id: $id) { status stage attempts isDuplicate } }"
PROGRESS = """
subscription ($id: ID!) {
  jobProgress(jobId: $id) { status stage progress attempts asset { id status } }
}
"""


@dataclass
class Cluster:
    env: dict[str, str]
    api_url: str
    redis_port: int
    log_dir: Path
    data_dir: Path
    db_url: str
    storage: StorageSettings
    workers: list[Proc] = field(default_factory=list)
    # The API requires tokens (the distributed mode): every call sends this one.
    token: str = ""

    def start_worker(self, *command: str, **extra: str) -> Proc:
        """A worker process; `arq worker.WorkerSettings` (compose's command)
        unless another command is given."""
        env = {**self.env, **extra}
        worker = Proc(
            f"worker{len(self.workers)}",
            list(command) or [str(BIN / "arq"), "worker.WorkerSettings"],
            env,
            self.log_dir,
        )
        self.workers.append(worker)
        return worker

    async def ready(self, worker: Proc, timeout: float = 30) -> Proc:
        """Wait until the worker process polls its queue."""
        async with asyncio.timeout(timeout):
            while "Starting worker" not in worker.output():
                assert worker.alive(), worker.output()
                await asyncio.sleep(0.1)
        return worker

    async def job(self, job_id: str) -> dict[str, Any]:
        result: dict[str, Any] = (
            await data(self.api_url, JOB, {"id": job_id}, token=self.token)
        )["job"]
        return result

    async def wait_for(self, job_id: str, *statuses: str, timeout: float = 60) -> dict:
        async with asyncio.timeout(timeout):
            while (job := await self.job(job_id))["status"] not in statuses:
                await asyncio.sleep(0.1)
        return job

    async def blobs(self) -> list[str]:
        s3 = S3Storage(self.storage)
        try:
            client = await s3.client()
            listing = await client.list_objects_v2(Bucket=self.storage.bucket)
            return sorted(o["Key"] for o in listing.get("Contents", []))
        finally:
            await s3.close()

    async def sql(self, query: str, *args: object) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.db_url)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()


def _slow_ffprobe(folder: Path) -> Path:
    """ffprobe that first sleeps, so a test can kill the worker mid-job."""
    script = folder / "slow-ffprobe"
    script.write_text('#!/bin/sh\nsleep 4\nexec ffprobe "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.fixture
async def cluster(
    tmp_path: Path, s3_settings: StorageSettings
) -> AsyncIterator[Cluster]:
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    redis_port = free_port()
    api_port = free_port()
    data_dir = tmp_path / "data"
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    async with scratch_database(migrate=False) as db_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GQL_MEDIA_")}
        env.update(
            GQL_MEDIA_DATA_DIR=str(data_dir),
            GQL_MEDIA_DATABASE_URL=db_url,
            GQL_MEDIA_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            GQL_MEDIA_SECRET_KEY="test-secret",
            GQL_MEDIA_STORAGE__BACKEND="s3",
            GQL_MEDIA_STORAGE__BUCKET=s3_settings.bucket,
            GQL_MEDIA_STORAGE__ENDPOINT_URL=str(s3_settings.endpoint_url),
            GQL_MEDIA_STORAGE__REGION=s3_settings.region,
            GQL_MEDIA_STORAGE__ACCESS_KEY_ID=str(s3_settings.access_key_id),
            GQL_MEDIA_STORAGE__SECRET_ACCESS_KEY=str(s3_settings.secret_access_key),
            GQL_MEDIA_IMPORT__ALLOW_NETWORKS="127.0.0.1/32",
            GQL_MEDIA_JOB_STALE_SECONDS="2",
            GQL_MEDIA_JOB_HEARTBEAT_SECONDS="0.5",
            GQL_MEDIA_JOB_SWEEP_SECONDS="0.5",
            GQL_MEDIA_JOB_RETRY_BASE_SECONDS="0.1",
            GQL_MEDIA_AUTH__ALLOW_ANONYMOUS="false",
            # Every process keeps its metrics there; /metrics adds them up.
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        )
        migrate = Proc("migrate", [str(BIN / "gql-media"), "migrate"], env, log_dir)
        assert migrate.wait(60) == 0, migrate.output()
        made = Proc(
            "token",
            [
                str(BIN / "gql-media"),
                *("token", "create", "--owner", "local"),
                *("--name", "tests"),
            ],
            env,
            log_dir,
        )
        assert made.wait(60) == 0, made.output()
        token = _last_token(made.output())
        with redis_server(redis_port, log_dir):
            await wait_for_redis(redis_port)
            api = Proc(
                "api",
                [str(BIN / "gql-media"), "serve", "--port", str(api_port)],
                env,
                log_dir,
            )
            cluster = Cluster(
                env,
                f"http://127.0.0.1:{api_port}",
                redis_port,
                log_dir,
                data_dir,
                db_url,
                s3_settings,
                token=token,
            )
            try:
                await wait_for_http(cluster.api_url + "/healthz", api)
                yield cluster
            finally:
                for worker in cluster.workers:
                    worker.kill()
                api.stop()


def _last_token(output: str) -> str:
    """The secret `gql-media token create` prints, alone on its line."""
    lines = [line for line in output.splitlines() if line.startswith("gqlm_")]
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("served")
    make_video(folder / "a.mp4", width=640, height=360, seconds=1.0)
    make_video(folder / "b.mp4", width=480, height=270, seconds=1.0)
    return folder


async def _import(cluster: Cluster, url: str) -> dict[str, Any]:
    result: dict[str, Any] = (
        await data(cluster.api_url, IMPORT, {"u": url}, token=cluster.token)
    )["importAsset"]
    assert result["__typename"] == "ImportAssetSuccess", result
    return result


async def test_import_runs_on_a_worker_and_progress_reaches_the_api(
    cluster: Cluster, served: Path
) -> None:
    cluster.start_worker(str(BIN / "gql-media"), "worker")  # the installed command
    async with serve_files(served) as source:
        result = await _import(cluster, source.url("/a.mp4"))
        job_id = result["job"]["id"]
        events = [
            e["data"]["jobProgress"]
            async for e in subscribe(
                cluster.api_url, PROGRESS, {"id": job_id}, token=cluster.token
            )
        ]
    assert events[-1]["status"] == "SUCCEEDED", events
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)
    assert len(events) > 1 or events[0]["status"] == "SUCCEEDED"
    rows = await cluster.sql(
        "SELECT status, storage_key FROM asset WHERE id = $1::uuid",
        result["asset"]["id"],
    )
    assert rows[0]["status"] == "READY"
    assert rows[0]["storage_key"] in await cluster.blobs()


async def test_a_killed_worker_s_job_completes_on_another(
    cluster: Cluster, served: Path, tmp_path: Path
) -> None:
    # The default liveness settings: the bound below is the one users get.
    doomed = cluster.start_worker(
        GQL_MEDIA_MEDIA__FFPROBE_PATH=str(_slow_ffprobe(tmp_path)), **LIVENESS
    )
    async with serve_files(served) as source:
        result = await _import(cluster, source.url("/a.mp4"))
        job_id = result["job"]["id"]
        watcher = asyncio.create_task(_collect(cluster, job_id))
        async with asyncio.timeout(30):
            while (await cluster.job(job_id))["stage"] != "probe":
                await asyncio.sleep(0.05)
        # Another worker is up already, as in a deployment with several.
        await cluster.ready(cluster.start_worker(**LIVENESS))
        doomed.kill()  # SIGKILL: no cleanup, no goodbye
        killed_at = time.monotonic()
        async with asyncio.timeout(60):
            while (job := await cluster.job(job_id))["attempts"] < 2:
                await asyncio.sleep(0.1)
        taken_back = time.monotonic() - killed_at
        print(f"killed worker's job RUNNING again after {taken_back:.1f} s")
        # Within 15 s (issue 14): the defaults allow stale 10 s + sweep 2 s + one
        # 50 ms poll, which leaves 3 s for the test's polling and a busy machine.
        assert taken_back < 15, f"{taken_back:.1f} s"
        job = await cluster.wait_for(job_id, "SUCCEEDED", "FAILED", timeout=60)
        events = await asyncio.wait_for(watcher, 30)
    assert job["status"] == "SUCCEEDED"
    assert job["attempts"] == 2
    statuses = [e["status"] for e in events]
    # The subscriber saw the job taken back and then its outcome.
    assert "QUEUED" in statuses[statuses.index("RUNNING") :], statuses
    assert statuses[-1] == "SUCCEEDED"
    assert len(await cluster.sql("SELECT id FROM asset")) == 1
    assert len([k for k in await cluster.blobs() if k.startswith("blobs/")]) == 1
    leftovers = list((cluster.data_dir / "tmp").rglob("*"))
    assert leftovers == []


async def _collect(cluster: Cluster, job_id: str) -> list[dict[str, Any]]:
    return [
        e["data"]["jobProgress"]
        async for e in subscribe(
            cluster.api_url, PROGRESS, {"id": job_id}, token=cluster.token
        )
    ]


async def test_jobs_survive_a_redis_flush(cluster: Cluster, served: Path) -> None:
    async with serve_files(served) as source:
        first = await _import(cluster, source.url("/a.mp4"))
        second = await _import(cluster, source.url("/b.mp4"))
        client = aioredis.Redis(port=cluster.redis_port)
        try:
            assert await client.zcard("arq:queue") == 2
            await client.flushall()
        finally:
            await client.aclose()
        cluster.start_worker()
        for result in (first, second):
            job = await cluster.wait_for(result["job"]["id"], "SUCCEEDED", "FAILED")
            assert job["status"] == "SUCCEEDED"


async def test_queries_answer_while_redis_is_down_and_work_resumes(
    cluster: Cluster, served: Path
) -> None:
    async with serve_files(served) as source:
        done = await _import(cluster, source.url("/a.mp4"))
        cluster.start_worker()
        await cluster.wait_for(done["job"]["id"], "SUCCEEDED")
        cluster.workers[0].stop()
        await _stop_redis(cluster)
        listed = await data(
            cluster.api_url, "{ assets { totalCount } }", token=cluster.token
        )
        assert listed["assets"]["totalCount"] == 1
        one = await data(
            cluster.api_url,
            "query ($id: ID!) { asset(id: $id) { status } }",
            {"id": done["asset"]["id"]},
            token=cluster.token,
        )
        assert one["asset"]["status"] == "READY"
        pending = await _import(cluster, source.url("/b.mp4"))
        assert pending["job"]["status"] == "QUEUED"
        with redis_server(cluster.redis_port, cluster.log_dir):
            await wait_for_redis(cluster.redis_port)
            cluster.start_worker()
            job = await cluster.wait_for(pending["job"]["id"], "SUCCEEDED", "FAILED")
            assert job["status"] == "SUCCEEDED"
            cluster.workers[-1].stop()


async def _stop_redis(cluster: Cluster) -> None:
    """Shut down the cluster's private Redis (not the machine's one)."""
    client = aioredis.Redis(port=cluster.redis_port)
    try:
        await client.shutdown(nosave=True)
    except Exception:  # the server closes the connection as it goes
        pass
    finally:
        await client.aclose()


async def test_a_worker_waits_out_a_redis_outage(
    cluster: Cluster, served: Path, tmp_path: Path
) -> None:
    worker = await cluster.ready(
        cluster.start_worker(GQL_MEDIA_MEDIA__FFPROBE_PATH=str(_slow_ffprobe(tmp_path)))
    )
    async with serve_files(served) as source:
        running = await _import(cluster, source.url("/a.mp4"))
        running_id = running["job"]["id"]
        async with asyncio.timeout(30):
            while (await cluster.job(running_id))["stage"] != "probe":
                await asyncio.sleep(0.05)
        await _stop_redis(cluster)
        stopped = time.monotonic()
        queued = await _import(cluster, source.url("/b.mp4"))
        assert queued["job"]["status"] == "QUEUED"
        # The running job stays alive in PostgreSQL: the cluster's stale bound is
        # 2 s, its heartbeat 0.5 s.
        await asyncio.sleep(2.5)
        (row,) = await cluster.sql(
            "SELECT status, extract(epoch FROM now() - heartbeat_at) AS age "
            "FROM job WHERE id = $1::uuid",
            running_id,
        )
        assert row["status"] == "RUNNING" and row["age"] < 2, dict(row)
        done = await cluster.wait_for(running_id, "SUCCEEDED", "FAILED", timeout=25)
        assert (done["status"], done["attempts"]) == ("SUCCEEDED", 1)
        # Redis stays down for 30 s; the worker must still be there.
        await asyncio.sleep(max(0.0, 30 - (time.monotonic() - stopped)))
        assert worker.alive(), worker.output()
        assert (await cluster.job(queued["job"]["id"]))["status"] == "QUEUED"
        with redis_server(cluster.redis_port, cluster.log_dir):
            await wait_for_redis(cluster.redis_port)
            # Redis came back empty: the sweeper enqueues the row again and the
            # same worker process runs it.
            job = await cluster.wait_for(
                queued["job"]["id"], "SUCCEEDED", "FAILED", timeout=60
            )
            assert (job["status"], job["attempts"]) == ("SUCCEEDED", 1)
            assert worker.alive(), worker.output()
            worker.stop()
    log = worker.output()
    # Said once per change of state, not once per retry (lines in the console
    # log format: "<time> <LEVEL> <logger>: <message>").
    for said_once in (
        "gql_media.queue.arq_worker: redis unreachable",
        "gql_media.queue.arq_worker: redis back",
        "gql_media.worker: sweep: redis unreachable",
    ):
        assert len(re.findall(re.escape(said_once), log)) == 1, log


async def test_metrics_add_up_the_job_counters_of_two_workers(
    cluster: Cluster, served: Path, tmp_path: Path
) -> None:
    for _ in range(2):
        cluster.start_worker(GQL_MEDIA_JOB_CONCURRENCY="1")
    async with serve_files(served) as source:
        jobs = [
            (await _import(cluster, source.url(f"/{name}.mp4")))["job"]["id"]
            for name in ("a", "b", "a", "b")
        ]
        for job_id in jobs:
            assert (await cluster.wait_for(job_id, "SUCCEEDED", "FAILED"))[
                "status"
            ] == "SUCCEEDED"
    async with httpx.AsyncClient(verify=TLS) as http:
        response = await http.get(cluster.api_url + "/metrics")
    assert response.status_code == 200, response.text
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    ended = (
        "gql_media_jobs_ended_total",
        (("kind", "IMPORT_URL"), ("status", "SUCCEEDED")),
    )
    assert samples[ended] == 4
    # The workers counted them, each in its own file; the API process ran none.
    per_process = {}
    for path in (tmp_path / "metrics").glob("counter_*.db"):
        for family in MultiProcessCollector.merge([str(path)], accumulate=False):
            for sample in family.samples:
                key = (sample.name, tuple(sorted(sample.labels.items())))
                if key == ended:
                    per_process[path.name] = sample.value
    assert sum(per_process.values()) == 4, per_process
    assert len(per_process) <= 2
    # The database gauges: nothing waits, four jobs SUCCEEDED.
    assert samples[("gql_media_queue_depth", ())] == 0
    jobs_gauge = ("gql_media_jobs", (("kind", "IMPORT_URL"), ("status", "SUCCEEDED")))
    assert samples[jobs_gauge] == 4
