"""Retention: archived assets past GQL_MEDIA_RETENTION__PURGE_ARCHIVED_AFTER_DAYS
are deleted, daily, by arq's cron in the distributed mode and by a task beside
the server in the embedded mode."""

import asyncio
from datetime import timedelta

from gql_media import models
from gql_media.arq_worker import purge_archived, worker_options
from gql_media.kit.clock import now
from gql_media.runtime import Runtime
from gql_media.services.assets import retention
from gql_media.settings import Settings
from gql_media.storage.keys import blob_key
from tests.conftest import Server


async def archived(rt: Runtime, name: str, days_ago: float | None) -> models.Asset:
    key = blob_key(f"{abs(hash(name)):064x}"[-64:])
    await rt.storage.put_bytes(key, name.encode())
    return await models.Asset.create(
        owner_id="local", name=name, status=models.AssetStatus.READY,
        source_type=models.SourceType.UPLOADED, storage_key=key,
        archived_at=None if days_ago is None else now() - timedelta(days=days_ago),
    )  # fmt: skip


async def test_only_assets_archived_longer_than_the_setting_go(
    runtime: Runtime,
) -> None:
    old = await archived(runtime, "old", 40)
    recent = await archived(runtime, "recent", 10)
    live = await archived(runtime, "live", None)
    assert await retention.purge_archived(runtime) == 0  # no retention set: none
    runtime.settings.retention.purge_archived_after_days = 30
    assert await retention.purge_archived(runtime) == 1
    gone = await models.Asset.get(id=old.id)
    assert gone.deleted_at is not None
    assert not await runtime.storage.exists(old.storage_key or "")
    for kept in (recent, live):
        row = await models.Asset.get(id=kept.id)
        assert row.deleted_at is None
        assert await runtime.storage.exists(row.storage_key or "")
    assert await retention.purge_archived(runtime) == 0  # idempotent


async def test_the_arq_cron_runs_daily_only_when_retention_is_set(
    runtime: Runtime, settings: Settings
) -> None:
    assert worker_options(settings)["cron_jobs"] == []
    settings.retention.purge_archived_after_days = 30
    (job,) = worker_options(settings)["cron_jobs"]
    assert job.unique and job.hour == 3 and job.minute == 17
    old = await archived(runtime, "old", 40)
    await purge_archived({"runtime": runtime})  # what the cron calls
    assert (await models.Asset.get(id=old.id)).deleted_at is not None


async def test_the_embedded_server_purges_at_start(settings: Settings) -> None:
    settings.retention.purge_archived_after_days = 30
    server = Server(settings)
    old = await archived(server.runtime, "old", 40)
    await server.start()
    try:
        async with asyncio.timeout(10):
            while (await models.Asset.get(id=old.id)).deleted_at is None:
                await asyncio.sleep(0.05)
    finally:
        await server.stop()
