"""The arq worker of the distributed mode (`arq worker.WorkerSettings`).

Startup builds settings, the database, storage, bus and queue into `ctx`; the one
job function hands the id to the same runner the embedded mode uses, and a
periodic sweep takes back the jobs of workers that died.
"""

import asyncio
import logging
from typing import Any

from arq import Retry, cron, func
from arq.connections import RedisSettings
from arq.worker import get_kwargs

from gql_media import db, jobs
from gql_media import startup as checks
from gql_media.kit import logs, tracing
from gql_media.queue import RetryLater
from gql_media.queue.arq_worker import REDIS_DOWN, ResilientWorker
from gql_media.runtime import Runtime
from gql_media.services.assets import retention
from gql_media.services.jobs.sweeper import sweep
from gql_media.settings import Settings
from gql_media.wiring import wire

logger = logging.getLogger("gql_media.worker")
# Built once at import: arq reads the worker options from class attributes, and
# the runtime must use the very settings those options came from; a bad value
# exits here with one line naming the variable.
SETTINGS = checks.settings_or_exit()


async def startup(ctx: dict[str, Any]) -> None:
    settings = SETTINGS
    # `arq worker.WorkerSettings` configured logging its way; ours replaces it.
    logs.configure(settings.log.format, settings.log.level, settings.secrets())
    tracing.configure(
        settings.tracing.exporter, "worker", endpoint=settings.tracing.otlp_endpoint
    )
    if not settings.redis_url:
        checks.exit_with(checks.StartupError("the worker needs GQL_MEDIA_REDIS_URL"))
    try:
        checks.check_data_dir(settings)
        await checks.check_database(settings.db_url)
    except checks.StartupError as exc:
        checks.exit_with(exc)
    await db.connect(settings.db_url)
    runtime = wire(settings)
    ctx["runtime"] = runtime
    await runtime.storage.start()
    ctx["sweeper"] = asyncio.create_task(_sweep_forever(runtime))


async def shutdown(ctx: dict[str, Any]) -> None:
    if "runtime" not in ctx:  # startup refused to start: nothing to close
        return
    ctx["sweeper"].cancel()
    await asyncio.gather(ctx["sweeper"], return_exceptions=True)
    await ctx["runtime"].close()
    await db.close()


async def run_job(ctx: dict[str, Any], job_id: str) -> None:
    try:
        await jobs.run_job(ctx["runtime"], job_id)
    except RetryLater as retry:
        raise Retry(defer=retry.defer_seconds) from retry


async def purge_archived(ctx: dict[str, Any]) -> None:
    """Retention, once a day (GQL_MEDIA_RETENTION__PURGE_ARCHIVED_AFTER_DAYS)."""
    await retention.purge_archived(ctx["runtime"])


async def _sweep_forever(runtime: Runtime) -> None:
    # A loop rather than an arq cron: arq's cron resolution and its unique-run
    # lock would stretch the bound on how long a dead worker's job waits.
    redis_down = False
    while True:
        try:
            await sweep(runtime)
        except REDIS_DOWN as exc:
            # Said once per outage: the sweep runs every few seconds meanwhile.
            if not redis_down:
                logger.warning("sweep: redis unreachable (%s); retrying", exc)
            redis_down = True
        except Exception:
            logger.exception("sweep failed; trying again next round")
        else:
            if redis_down:
                logger.warning("sweep: redis back")
            redis_down = False
        await asyncio.sleep(runtime.settings.job_sweep_seconds)


def worker_options(settings: Settings) -> dict[str, Any]:
    """The arq Worker options for these settings (also used by in-process tests)."""
    return {
        # Our rows keep results and count attempts, so arq keeps neither.
        "functions": [func(run_job, name="run_job", keep_result=0, max_tries=1000)],  # type: ignore[arg-type]
        "redis_settings": RedisSettings.from_dsn(settings.redis_url or "redis://"),
        "max_jobs": settings.job_concurrency,
        # arq's own limit is a backstop; each attempt has its own per-kind limit.
        "job_timeout": int(
            max(settings.job_timeout_video_seconds, settings.job_timeout_image_seconds)
            + 60
        ),
        "poll_delay": 0.05,  # a queued job starts within ~50 ms on an idle worker
        "allow_abort_jobs": True,
        "keep_result": 0,
        # unique: one worker runs it each day, however many there are.
        "cron_jobs": [cron(purge_archived, hour=3, minute=17, unique=True)]  # type: ignore[arg-type]
        if settings.retention.purge_archived_after_days is not None
        else [],
    }


_OPTIONS = worker_options(SETTINGS)


class WorkerSettings:
    """What `arq worker.WorkerSettings` reads (see worker.py for the class it
    builds) and what `run()` builds a worker from."""

    functions = _OPTIONS["functions"]
    redis_settings = _OPTIONS["redis_settings"]
    max_jobs = _OPTIONS["max_jobs"]
    job_timeout = _OPTIONS["job_timeout"]
    poll_delay = _OPTIONS["poll_delay"]
    allow_abort_jobs = _OPTIONS["allow_abort_jobs"]
    keep_result = _OPTIONS["keep_result"]
    cron_jobs = _OPTIONS["cron_jobs"]
    on_startup = startup
    on_shutdown = shutdown
    health_check_interval = 30


def run() -> None:
    """`gql-media worker`: arq's `run_worker`, with the worker that waits out a
    Redis outage."""
    ResilientWorker(**get_kwargs(WorkerSettings)).run()  # type: ignore[arg-type]
