"""The systems under test as real processes, started the way users start them.

`embedded`: `gql-media serve` alone (SQLite, in-process jobs, memory bus, local
files). `distributed`: `gql-media serve` plus an `arq worker.WorkerSettings`
process, PostgreSQL, a private Redis and an S3 API server (moto) on loopback, as
tests/test_distributed.py starts them.
"""

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis

from bench.common import check
from gql_media.errors import NotFound
from gql_media.settings import StorageSettings
from gql_media.storage.s3 import S3Storage
from tests.support.postgres import scratch_database
from tests.support.processes import (
    BIN,
    Proc,
    free_port,
    redis_server,
    wait_for_http,
    wait_for_redis,
)

__all__ = ["Deployment", "Proc", "distributed", "embedded", "moto_s3", "redis_server"]


def clean_env(data_dir: Path) -> dict[str, str]:
    """The caller's environment without its GQL_MEDIA_* settings, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GQL_MEDIA_")}
    env.update(
        GQL_MEDIA_DATA_DIR=str(data_dir),
        GQL_MEDIA_SECRET_KEY="bench-secret",
        # The benchmark's file server is on loopback, which imports refuse by default.
        GQL_MEDIA_IMPORT__ALLOW_NETWORKS="127.0.0.1/32",
        # The benchmarks' clients send no API token; the distributed mode needs
        # anonymous access allowed explicitly (issue 10).
        GQL_MEDIA_AUTH__ALLOW_ANONYMOUS="true",
    )
    return env


def s3_env(storage: StorageSettings) -> dict[str, str]:
    return {
        "GQL_MEDIA_STORAGE__BACKEND": "s3",
        "GQL_MEDIA_STORAGE__BUCKET": storage.bucket,
        "GQL_MEDIA_STORAGE__ENDPOINT_URL": str(storage.endpoint_url),
        "GQL_MEDIA_STORAGE__REGION": storage.region,
        "GQL_MEDIA_STORAGE__ACCESS_KEY_ID": str(storage.access_key_id),
        "GQL_MEDIA_STORAGE__SECRET_ACCESS_KEY": str(storage.secret_access_key),
    }


@dataclass
class Deployment:
    """One running gql-media; `worker` is the process that runs its jobs."""

    name: str
    url: str
    worker: Proc
    data_dir: Path
    storage: StorageSettings
    redis_url: str | None = None

    async def stored_size(self, key: str) -> int | None:
        """The size of a stored object, or None when it is absent (read directly
        from the directory or the bucket, not through the app)."""
        if self.storage.backend == "local":
            path = self.data_dir / "storage" / key
            return path.stat().st_size if path.is_file() else None
        s3 = S3Storage(self.storage)
        try:
            return await s3.size(key)
        except NotFound:
            return None
        finally:
            await s3.close()


def _migrate(env: dict[str, str], log_dir: Path, name: str) -> None:
    migrate = Proc(name, [str(BIN / "gql-media"), "migrate"], env, log_dir)
    check(migrate.wait(120) == 0, f"migrate failed:\n{migrate.output()}")


@asynccontextmanager
async def embedded(work: Path, name: str = "embedded") -> AsyncIterator[Deployment]:
    """`gql-media serve` with local storage; it runs its own jobs."""
    log_dir = work / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    data_dir = work / name
    env = clean_env(data_dir)
    _migrate(env, log_dir, f"migrate-{name}")
    port = free_port()
    api = Proc(
        name, [str(BIN / "gql-media"), "serve", "--port", str(port)], env, log_dir
    )
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_for_http(url + "/healthz", api)
        yield Deployment("embedded, local files", url, api, data_dir, StorageSettings())
    finally:
        api.stop()


@asynccontextmanager
async def moto_s3(work: Path) -> AsyncIterator[StorageSettings]:
    """An S3 API server (moto) on loopback with one bucket."""
    log_dir = work / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    moto = Proc("moto", args, dict(os.environ), log_dir)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        await wait_for_http(endpoint + "/moto-api/", moto)
        settings = StorageSettings(
            backend="s3",
            bucket="bench",
            endpoint_url=endpoint,
            region="us-east-1",
            access_key_id="bench",
            secret_access_key="bench",
        )
        s3 = S3Storage(settings)
        try:
            await s3.ensure_bucket()
        finally:
            await s3.close()
        yield settings
    finally:
        moto.stop()


@asynccontextmanager
async def distributed(
    work: Path, storage: StorageSettings, name: str = "distributed"
) -> AsyncIterator[Deployment]:
    """An API process and one arq worker on PostgreSQL, a private Redis and S3."""
    log_dir = work / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    data_dir = work / name
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    async with scratch_database(migrate=False) as db_url:
        env = clean_env(data_dir) | s3_env(storage)
        env.update(GQL_MEDIA_DATABASE_URL=db_url, GQL_MEDIA_REDIS_URL=redis_url)
        _migrate(env, log_dir, f"migrate-{name}")
        with redis_server(redis_port, log_dir):
            await wait_for_redis(redis_port)
            port = free_port()
            serve = [str(BIN / "gql-media"), "serve", "--port", str(port)]
            api = Proc(f"{name}-api", serve, env, log_dir)
            worker = Proc(
                f"{name}-worker",
                [str(BIN / "arq"), "worker.WorkerSettings"],
                env,
                log_dir,
            )
            try:
                url = f"http://127.0.0.1:{port}"
                await wait_for_http(url + "/healthz", api)
                await _wait_for_arq_worker(redis_url, worker)
                yield Deployment(
                    "distributed, S3", url, worker, data_dir, storage, redis_url
                )
            finally:
                worker.stop()
                api.stop()


async def _wait_for_arq_worker(redis_url: str, worker: Proc) -> None:
    """Until the worker has finished its startup and polls the queue: arq writes
    its health-check key on each poll round."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        for _ in range(600):
            check(worker.alive(), f"the arq worker died:\n{worker.output()}")
            if await client.exists("arq:queue:health-check"):
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the arq worker did not start polling in 30 s")
    finally:
        await client.aclose()


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")


def peak_rss(pid: int) -> int:
    """The process's peak resident memory in bytes (VmHWM) since start or since the
    last `reset_peak_rss`. Child processes (ffmpeg, ffprobe) are not included."""
    return _status_kib(pid, "VmHWM") * 1024


def rss(pid: int) -> int:
    return _status_kib(pid, "VmRSS") * 1024


def cpu_seconds(pid: int) -> float:
    """CPU time the process's threads have used so far, in seconds, to the
    nanosecond (`/proc/<pid>/task/*/schedstat`; `stat` counts 10 ms ticks).
    Children are not included, nor threads that have ended."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
    return total / 1e9


def reset_peak_rss(pid: int) -> None:
    """Start a new peak from the current RSS (Linux: `5` in clear_refs), so one
    process can be measured import by import."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
