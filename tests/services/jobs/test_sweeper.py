"""The sweeper against the real database and the in-process queue."""

import asyncio
from datetime import timedelta

from gql_media import models
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.jobs.sweeper import sweep


async def _job(status: models.JobStatus, **fields: object) -> models.Job:
    asset = await models.Asset.create(
        owner_id="alice",
        source_type=models.SourceType.IMPORTED,
        source_url="http://127.0.0.1:9/x.mp4",
    )
    return await models.Job.create(
        owner_id="alice",
        kind=models.JobKind.IMPORT_URL,
        asset=asset,
        status=status,
        payload={"url": "http://127.0.0.1:9/x.mp4"},
        **fields,
    )


async def test_stale_running_jobs_are_requeued_or_failed(runtime: Runtime) -> None:
    runtime.settings.job_stale_seconds = 5
    long_ago = jobs.now() - timedelta(seconds=60)
    stale = await _job(models.JobStatus.RUNNING, attempts=1, heartbeat_at=long_ago)
    spent = await _job(
        models.JobStatus.RUNNING, attempts=3, max_attempts=3, heartbeat_at=long_ago
    )
    alive = await _job(models.JobStatus.RUNNING, attempts=1, heartbeat_at=jobs.now())
    # Two sweepers at once: each stale row is taken by exactly one of them.
    first, second = await asyncio.gather(sweep(runtime), sweep(runtime))
    assert sorted(first.requeued + second.requeued) == [str(stale.id)]
    assert sorted(first.failed + second.failed) == [str(spent.id)]
    spent_row = await models.Job.get(id=spent.id)
    assert (spent_row.status, spent_row.error_code) == (
        models.JobStatus.FAILED,
        "WORKER_LOST",
    )
    asset = await models.Asset.get(id=spent.asset_id)  # type: ignore[attr-defined]
    assert asset.status is models.AssetStatus.FAILED
    assert (await models.Job.get(id=alive.id)).status is models.JobStatus.RUNNING
    # The requeued job ran again (and failed: nothing listens on port 9).
    await runtime.queue.join()  # type: ignore[attr-defined]
    again = await models.Job.get(id=stale.id)
    assert again.attempts >= 2


async def test_queued_rows_the_queue_lost_are_enqueued_again(runtime: Runtime) -> None:
    runtime.settings.job_sweep_seconds = 1
    lost = await _job(models.JobStatus.QUEUED)
    await models.Job.filter(id=lost.id).update(
        updated_at=jobs.now() - timedelta(seconds=30)
    )
    fresh = await _job(models.JobStatus.QUEUED)  # just written: its enqueue may follow
    report = await sweep(runtime)
    assert report.reenqueued == [str(lost.id)]
    assert str(fresh.id) not in report.reenqueued
    await runtime.queue.join()  # type: ignore[attr-defined]
