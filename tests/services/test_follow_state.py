"""Progress is state, not a log, and resumable: the follow helper behind every
progress subscription, on the real database and the runtime's bus."""

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest

from gql_media import models
from gql_media.bus import job_channel
from gql_media.runtime import Runtime
from gql_media.services.jobs.progress import follow_job
from gql_media.services.jobs.state import JobState
from gql_media.services.publishing import ledger
from gql_media.services.publishing.progress import ProgressFilter, follow_publications

pytestmark = pytest.mark.timeout(60)

GUARD = 20.0  # seconds; only ever reached when something is broken


async def _running_job() -> models.Job:
    asset = await models.Asset.create(
        owner_id="alice",
        source_type=models.SourceType.IMPORTED,
        source_url="http://127.0.0.1:9/x.mp4",
    )
    return await models.Job.create(
        owner_id="alice",
        kind=models.JobKind.IMPORT_URL,
        asset=asset,
        status=models.JobStatus.RUNNING,
        payload={"url": "http://127.0.0.1:9/x.mp4"},
    )


def _state(row: models.Job, revision: int, final: bool = False) -> JobState:
    status = models.JobStatus.SUCCEEDED if final else models.JobStatus.RUNNING
    return dataclasses.replace(
        JobState.from_model(row),
        revision=revision,
        status=status,
        message=str(revision),
    )


async def _subscribed(runtime: Runtime, channel: str) -> None:
    async with asyncio.timeout(GUARD):
        while runtime.bus.subscriber_count(channel) == 0:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)


async def _rest(states: AsyncIterator[JobState]) -> list[JobState]:
    async with asyncio.timeout(GUARD):
        return [state async for state in states]


async def test_a_slow_subscriber_gets_the_latest_and_terminal_state(
    runtime: Runtime,
) -> None:
    row = await _running_job()
    channel = job_channel(row.id)
    states = follow_job(runtime, row.id)
    assert (await anext(states)).revision == 0
    waiting = asyncio.create_task(anext(states))
    await _subscribed(runtime, channel)
    await runtime.bus.publish(channel, _state(row, 1).to_event())
    assert (await waiting).revision == 1
    # The consumer reads nothing for 5 s while 1,000 events pass.
    most = 0
    for revision in range(2, 1002):
        final = revision == 1001
        await runtime.bus.publish(channel, _state(row, revision, final).to_event())
        most = max(most, runtime.bus.unread(channel))
        await asyncio.sleep(0.005)
    assert most == 1  # bounded: one unread state, never a backlog
    rest = await _rest(states)
    assert [(s.revision, s.status) for s in rest] == [
        (1001, models.JobStatus.SUCCEEDED)
    ]


async def test_resume_skips_what_the_client_has(runtime: Runtime) -> None:
    row = await _running_job()
    channel = job_channel(row.id)
    await models.Job.filter(id=row.id).update(revision=7)
    # The client saw revision 7, the current one: nothing at once, then news.
    states = follow_job(runtime, row.id, after=7)
    waiting = asyncio.create_task(anext(states))
    await _subscribed(runtime, channel)
    assert not waiting.done()
    await runtime.bus.publish(channel, _state(row, 6).to_event())  # older: skipped
    await runtime.bus.publish(channel, _state(row, 8).to_event())
    async with asyncio.timeout(GUARD):
        assert (await waiting).revision == 8
    await runtime.bus.publish(channel, _state(row, 9, final=True).to_event())
    assert [s.revision for s in await _rest(states)] == [9]


async def test_resume_behind_gets_the_current_state_at_once(runtime: Runtime) -> None:
    row = await _running_job()
    await models.Job.filter(id=row.id).update(
        revision=12, status=models.JobStatus.SUCCEEDED
    )
    assert [s.revision for s in await _rest(follow_job(runtime, row.id, after=3))] == [
        12
    ]
    # A client that already has the terminal state gets nothing and completes.
    assert await _rest(follow_job(runtime, row.id, after=12)) == []


def _publication_event(pub: str, asset: str, revision: int, to: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "owner_id": "alice",
        "publication_id": pub,
        "asset_id": asset,
        "platform": "youtube",
        "revision": revision,
        "to": to,
    }


async def test_publication_transitions_are_queued_not_coalesced(
    runtime: Runtime,
) -> None:
    # The owner's channel carries every publication's events: a newer event may
    # be another publication's, so none may replace an unread one.
    watched, other = str(uuid.uuid4()), str(uuid.uuid4())
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    states = follow_publications(runtime, "alice", ProgressFilter(asset_id=mine))
    assert (await anext(states))["id"] is None  # nothing has happened yet
    waiting = asyncio.create_task(anext(states))
    await _subscribed(runtime, ledger.channel("alice"))
    sent = [
        _publication_event(watched, mine, 1, "PENDING"),
        _publication_event(other, theirs, 1, "PENDING"),
        _publication_event(watched, mine, 2, "IN_PROGRESS"),
        _publication_event(other, theirs, 2, "IN_PROGRESS"),
        _publication_event(watched, mine, 3, "SUCCESS"),
    ]
    for event in sent:  # in one go: the consumer reads none of them meanwhile
        await runtime.bus.publish(ledger.channel("alice"), event)
    got = [await waiting]
    async with asyncio.timeout(GUARD):
        while got[-1]["to"] != "SUCCESS":
            got.append(await anext(states))
    assert [(e["publication_id"], e["to"]) for e in got] == [
        (watched, "PENDING"),
        (watched, "IN_PROGRESS"),
        (watched, "SUCCESS"),
    ]
    await states.aclose()  # type: ignore[attr-defined]
