"""The publication state machine, one test per row of the table, each through
the ledger on a real database: the row moves, one event is appended, and the
same record is one line of the JSON lines file."""

import json
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.models import PublicationStatus as S
from gql_media.runtime import Runtime
from gql_media.services.publishing import audit, ledger
from gql_media.services.publishing.state import (
    TABLE,
    Trigger,
    backoff_seconds,
    failure_trigger,
    next_status,
)
from gql_media.settings import PublishingSettings, Settings
from gql_media.wiring import wire
from tests.publishing.conftest import store_video

ROWS = sorted(TABLE.items(), key=lambda kv: (str(kv[0][0]), kv[0][1].value))


@pytest.fixture
async def parked(settings: Settings, private_redis: str) -> AsyncIterator[Runtime]:
    """A runtime whose jobs wait in a Redis queue no worker reads, so a
    transition's attempt job does not run under the test."""
    client = aioredis.from_url(private_redis)
    await client.flushall()
    await client.aclose()
    settings.redis_url = private_redis
    runtime = wire(settings)
    yield runtime
    await runtime.close()
    audit.close_all()


def lines(settings: Settings) -> list[dict]:
    path = audit.log_path(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    ("before", "trigger", "after"),
    [(b, t, a) for (b, t), a in ROWS],
    ids=[f"{b.value if b else 'none'}-{t.value}->{a.value}" for (b, t), a in ROWS],
)
async def test_row(
    parked: Runtime, before: S | None, trigger: Trigger, after: S
) -> None:
    asset = await store_video(parked)
    if before is None:
        row = await ledger.create(
            parked,
            owner_id="local",
            asset_id=asset.id,
            platform="loopback",
            principal="alice",
            trigger=trigger,
        )
    else:
        start = await models.Publication.create(
            owner_id="local",
            asset_id=asset.id,
            platform="loopback",
            status=before,
            revision=1,
        )
        row = await ledger.transition(parked, start, trigger, principal="alice")
    assert row.status is after
    trail = await models.PublicationEvent.filter(publication_id=row.id)
    assert [(e.from_status, e.to_status, e.principal) for e in trail] == [
        (before, after, "alice")
    ]
    written = lines(parked.settings)
    assert [(x["id"], x["from"], x["to"]) for x in written] == [
        (str(trail[0].id), before.value if before else None, after.value)
    ]
    jobs = await models.Job.filter(kind=models.JobKind.PUBLISH).count()
    assert jobs == (1 if after is S.PENDING else 0)


async def test_moves_outside_the_table_are_refused_and_write_nothing(
    parked: Runtime,
) -> None:
    asset = await store_video(parked)
    refused = [
        (status, trigger)
        for status in S
        for trigger in Trigger
        if (status, trigger) not in TABLE
    ]
    assert (S.SUCCESS, Trigger.START) in refused
    assert (S.IN_PROGRESS, Trigger.CANCEL) in refused
    for status, trigger in refused:
        with pytest.raises(InvalidState):
            next_status(status, trigger)
    row = await models.Publication.create(
        owner_id="local",
        asset_id=asset.id,
        platform="loopback",
        status=S.SUCCESS,
        revision=1,
    )
    with pytest.raises(InvalidState):
        await ledger.transition(parked, row, Trigger.CANCEL)
    assert await models.PublicationEvent.all().count() == 0
    assert lines(parked.settings) == []


async def test_a_stale_row_cannot_move(parked: Runtime) -> None:
    asset = await store_video(parked)
    row = await models.Publication.create(
        owner_id="local", asset_id=asset.id, platform="x", status=S.PENDING, revision=1
    )
    await ledger.transition(parked, row, Trigger.CANCEL)
    with pytest.raises(InvalidState, match="changed meanwhile"):
        await ledger.transition(parked, row, Trigger.CANCEL)  # the old read
    assert await models.PublicationEvent.all().count() == 1


def test_three_failures_retry_and_the_fourth_is_final() -> None:
    config = PublishingSettings()
    assert [failure_trigger(n, config) for n in (1, 2, 3, 4)] == [
        Trigger.FAIL,
        Trigger.FAIL,
        Trigger.FAIL,
        Trigger.FAIL_LAST,
    ]


def test_backoff_is_exponential_capped_and_jittered() -> None:
    config = PublishingSettings(
        retry_base_seconds=10, retry_max_seconds=30, retry_jitter=0.2
    )
    for failures, base in ((1, 10), (2, 20), (3, 30), (6, 30)):
        waits = {backoff_seconds(failures, config) for _ in range(50)}
        assert all(base * 0.8 <= w <= base * 1.2 for w in waits)
        assert len(waits) > 1  # jitter spreads them
