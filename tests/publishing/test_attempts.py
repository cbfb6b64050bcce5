"""Attempts end to end, in both modes and on both databases: the API takes the
request, a PUBLISH job uploads to the fake platform, the ledger records it."""

import json

from gql_media import models
from gql_media.services.publishing.audit import log_path
from tests.conftest import Server
from tests.publishing.conftest import (
    CANCEL,
    RETRY,
    events,
    publish,
    store_video,
    transitions,
    wait_for,
)
from tests.publishing.fake_platform import FakePlatforms
from tests.support.graphql import data


async def test_success_posts_once_with_one_event_per_transition(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    started = await publish(
        server.url,
        asset.id,
        metadata={"title": "Fox", "caption": "at dusk", "hashtags": ["#fox", "ad"]},
    )
    assert started["__typename"] == "PublishAssetSuccess", started
    assert started["publication"]["status"] == "PENDING"
    pub_id = started["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert row["status"] == "SUCCESS", row
    assert row["postId"] == "loopback-1"
    assert row["postUrl"] == "https://loopback.test/v/loopback-1"
    assert row["metadata"]["hashtags"] == ["fox", "ad"]
    posts = loopback["loopback"].posts
    assert [p["sha256"] for p in posts] == [asset.checksum]
    trail = await events(server.url, pub_id)
    assert transitions(trail) == [
        (None, "PENDING"),
        ("PENDING", "IN_PROGRESS"),
        ("IN_PROGRESS", "SUCCESS"),
    ]
    assert trail[0]["principal"] == "local"
    assert trail[-1]["postId"] == "loopback-1"
    # The same records, one JSON line each, in the audit file.
    lines = [
        json.loads(line) for line in log_path(server.settings).read_text().splitlines()
    ]
    assert [(x["from"], x["to"]) for x in lines] == transitions(trail)
    assert [x["id"] for x in lines] == [e["id"] for e in trail]


async def test_transient_failures_retry_then_the_fourth_is_final(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    loopback["loopback"].faults.extend(["500"] * 4)
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id, "FAILED_FINAL", "SUCCESS")
    assert row["status"] == "FAILED_FINAL"
    assert row["retryCount"] == 4
    assert row["nextRetryAt"] is None
    assert row["errorCode"] == "PLATFORM_UNAVAILABLE"
    trail = await events(server.url, pub_id)
    fails = [e for e in trail if e["toStatus"] in ("FAILED", "FAILED_FINAL")]
    assert [(e["toStatus"], e["retryCount"]) for e in fails] == [
        ("FAILED", 1),
        ("FAILED", 2),
        ("FAILED", 3),
        ("FAILED_FINAL", 4),
    ]
    assert transitions(trail)[1:4] == [
        ("PENDING", "IN_PROGRESS"),
        ("IN_PROGRESS", "FAILED"),
        ("FAILED", "IN_PROGRESS"),
    ]
    assert loopback["loopback"].posts == []
    # A manual retry restarts the count, and this time the platform is back.
    retried = (await data(server.url, RETRY, {"id": pub_id}))["retryPublication"]
    assert retried["retryCountRestarted"] is True
    assert retried["publication"] == {"status": "PENDING", "retryCount": 0}
    row = await wait_for(server.url, pub_id)
    assert row["status"] == "SUCCESS"
    assert len(loopback["loopback"].posts) == 1
    trail = await events(server.url, pub_id)
    assert ("FAILED_FINAL", "PENDING") in transitions(trail)


async def test_5xx_then_success(server: Server, loopback: FakePlatforms) -> None:
    asset = await store_video(server.runtime)
    loopback["loopback"].faults.extend(["500", "500"])
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert (row["status"], row["retryCount"]) == ("SUCCESS", 2)
    assert len(loopback["loopback"].posts) == 1


async def test_rate_limited_waits_for_retry_after_and_is_not_a_failure(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    loopback["loopback"].faults.extend(["429:1"])
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id, "RATE_LIMITED", "SUCCESS")
    assert row["status"] == "RATE_LIMITED"
    assert row["retryCount"] == 0
    assert row["nextRetryAt"] is not None
    row = await wait_for(server.url, pub_id)
    assert (row["status"], row["retryCount"]) == ("SUCCESS", 0)
    trail = await events(server.url, pub_id)
    assert ("IN_PROGRESS", "RATE_LIMITED") in transitions(trail)
    assert ("RATE_LIMITED", "IN_PROGRESS") in transitions(trail)
    limited = next(e for e in trail if e["toStatus"] == "RATE_LIMITED")
    retried = next(e for e in trail if e["fromStatus"] == "RATE_LIMITED")
    waited = await _seconds_between(limited["id"], retried["id"])
    assert waited >= 0.9  # Retry-After: 1


async def test_quota_exceeded_is_rate_limited(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    loopback["loopback"].faults.extend(["quota:0.5"])
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert (row["status"], row["retryCount"]) == ("SUCCESS", 0)
    assert ("IN_PROGRESS", "RATE_LIMITED") in transitions(
        await events(server.url, pub_id)
    )


async def test_permanent_rejection_is_final_with_the_platform_message(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    loopback["loopback"].faults.extend(["reject"])
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert row["status"] == "FAILED_FINAL"
    assert row["retryCount"] == 0
    assert row["lastError"] == "content rejected: policy violation"
    assert transitions(await events(server.url, pub_id))[-1] == (
        "IN_PROGRESS",
        "FAILED_FINAL",
    )


async def test_dropped_connection_mid_upload_resumes_without_a_second_post(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime, b"v" * 2_000_000)
    # The session is made, then the PUT's connection drops halfway.
    loopback["loopback"].faults.extend(["", "drop"])
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert (row["status"], row["retryCount"]) == ("SUCCESS", 1)
    platform = loopback["loopback"]
    assert len(platform.sessions) == 1  # the retry resumed the same session
    assert len(platform.posts) == 1
    stored = await models.Publication.get(id=pub_id)
    assert stored.resume_state == {}


async def test_scheduled_publication_waits_and_cancel_stops_it(
    server: Server, loopback: FakePlatforms
) -> None:
    from datetime import timedelta

    from gql_media.kit.clock import now

    first = await store_video(server.runtime)
    second = await store_video(server.runtime)
    soon = (now() + timedelta(seconds=1.5)).isoformat()
    later = (now() + timedelta(hours=1)).isoformat()
    a = (await publish(server.url, first.id, scheduledAt=soon))["publication"]
    b = (await publish(server.url, second.id, scheduledAt=later))["publication"]
    assert (await wait_for(server.url, a["id"], "PENDING"))["scheduledAt"]
    assert loopback["loopback"].posts == []
    cancelled = (await data(server.url, CANCEL, {"id": b["id"]}))["cancelPublication"]
    assert cancelled == {
        "__typename": "CancelPublicationSuccess",
        "publication": {"status": "CANCELED"},
    }
    row = await wait_for(server.url, a["id"])
    assert row["status"] == "SUCCESS"
    published = await models.Publication.get(id=a["id"])
    assert published.last_attempt_at is not None
    assert published.scheduled_at is not None
    assert published.last_attempt_at >= published.scheduled_at
    assert len(loopback["loopback"].posts) == 1
    # Cancelling again, or an attempt that is over, is refused.
    again = (await data(server.url, CANCEL, {"id": b["id"]}))["cancelPublication"]
    assert again["__typename"] == "InvalidStateError"
    done = (await data(server.url, CANCEL, {"id": a["id"]}))["cancelPublication"]
    assert done["__typename"] == "InvalidStateError"


async def _seconds_between(first_id: str, second_id: str) -> float:
    first = await models.PublicationEvent.get(id=first_id)
    second = await models.PublicationEvent.get(id=second_id)
    return (second.at - first.at).total_seconds()
