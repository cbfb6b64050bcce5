"""What keeping a running job alive costs the database: its heartbeat writes."""

import asyncio
import time
from typing import Any

import pytest
from tortoise import connections

from gql_media import models
from gql_media.jobs import runner
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs
from gql_media.settings import Settings


async def test_a_running_job_writes_one_heartbeat_per_interval(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = await models.Asset.create(
        owner_id="alice",
        source_type=models.SourceType.IMPORTED,
        source_url="http://127.0.0.1:9/x.mp4",
    )
    job = await models.Job.create(
        owner_id="alice",
        kind=models.JobKind.IMPORT_URL,
        asset=asset,
        status=models.JobStatus.RUNNING,
        heartbeat_at=jobs.now(),
    )
    first_beat = job.heartbeat_at
    statements: list[str] = []
    client = connections.get("default")
    execute_query = client.execute_query

    async def counted(query: str, values: list[Any] | None = None) -> Any:
        statements.append(query)
        return await execute_query(query, values)

    monkeypatch.setattr(client, "execute_query", counted)
    interval = runtime.settings.job_heartbeat_seconds = 0.05
    started = time.monotonic()
    beat = asyncio.create_task(runner._beat(runtime, job.id))
    await asyncio.sleep(0.5)
    beat.cancel()
    await asyncio.gather(beat, return_exceptions=True)
    elapsed = time.monotonic() - started
    monkeypatch.undo()

    # Only heartbeat UPDATEs, none more often than once per interval.
    assert statements, "no heartbeat was written"
    assert all(s.lstrip().upper().startswith("UPDATE") for s in statements)
    assert all("heartbeat_at" in s for s in statements)
    assert len(statements) <= elapsed / interval + 1
    row = await models.Job.get(id=job.id)
    assert row.heartbeat_at is not None and row.heartbeat_at > first_beat
    # The figure the README states: writes per running job per minute.
    per_minute = 60 / Settings().job_heartbeat_seconds
    measured = len(statements) / elapsed * interval * per_minute
    print(
        f"heartbeat writes per running job per minute: {per_minute:.0f} "
        f"(measured at {interval} s: {measured:.1f} scaled to the default)"
    )
