"""Bad input: a typed error and nothing written, or a FAILED_FINAL row with the
reason when the problem shows only at the attempt (file gone, file changed)."""

from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.kit.clock import now
from tests.conftest import Server
from tests.publishing.conftest import (
    ALLOW,
    RETRY,
    events,
    publish,
    store_video,
    wait_for,
)
from tests.publishing.fake_platform import FakePlatforms
from tests.support.graphql import data, gql

BULK = """
mutation ($platforms: [String!]!, $f: PublishAllPendingFilter, $first: Int! = 100,
          $after: String) {
  publishAllPending(platforms: $platforms, filter: $f, first: $first, after: $after) {
    __typename
    ... on PublishAllPendingSuccess {
      created skippedExisting skippedDuplicates assetsConsidered
      pageInfo { hasNextPage endCursor }
    }
    ... on Error { code message }
    ... on InvalidInputError { field }
  }
}
"""
CAN = """
query ($a: ID!, $p: String!) {
  canPublish(assetId: $a, platform: $p) { allowed reason }
}
"""


async def nothing_written() -> None:
    assert await models.Publication.all().count() == 0
    assert await models.PublicationEvent.all().count() == 0
    assert await models.Job.filter(kind=models.JobKind.PUBLISH).count() == 0


async def test_refused_requests_write_nothing(
    server: Server, loopback: FakePlatforms
) -> None:
    rt = server.runtime
    ready = await store_video(rt)
    cases: list[tuple[Any, str, dict[str, Any], str]] = [
        (ready.id, "myspace", {}, "INVALID_INPUT"),
        (ready.id, "tiktok", {"metadata": {"caption": "x" * 2201}}, "INVALID_INPUT"),
        (
            ready.id,
            "tiktok",
            {"metadata": {"hashtags": [f"t{i}" for i in range(31)]}},
            "INVALID_INPUT",
        ),
        (ready.id, "loopback", {"metadata": {"privacy": "friends"}}, "INVALID_INPUT"),
        (ready.id, "loopback", {"metadata": {"title": "forbidden"}}, "INVALID_INPUT"),
        (ready.id, "webhook", {}, "PLATFORM_NOT_CONFIGURED"),
        ("not-an-id", "loopback", {}, "NOT_FOUND"),
    ]
    pending = await store_video(rt, status=models.AssetStatus.PROCESSING)
    archived = await store_video(rt, archived_at=now())
    image = await store_video(rt, kind=models.AssetKind.IMAGE)
    theirs = await store_video(rt, owner_id="someone-else")
    cases += [
        (pending.id, "loopback", {}, "INVALID_STATE"),
        (archived.id, "loopback", {}, "INVALID_STATE"),
        (image.id, "loopback", {}, "INVALID_STATE"),
        (theirs.id, "loopback", {}, "NOT_FOUND"),
    ]
    for asset_id, platform, extra, code in cases:
        answer = await publish(server.url, asset_id, platform, **extra)
        assert answer.get("code") == code, (platform, extra, answer)
    unconfigured = await publish(server.url, ready.id, "webhook")
    assert "GQL_MEDIA_PUBLISHING__WEBHOOK_URL" in unconfigured["message"]
    await nothing_written()
    # Bulk: over the cap, no platforms, an unknown one.
    for variables in (
        {"platforms": ["loopback"], "f": {"assetIds": [str(ready.id)] * 10_000}},
        {"platforms": ["loopback"], "first": 10_000},
        {"platforms": []},
        {"platforms": ["loopback", "myspace"]},
    ):
        answer = (await data(server.url, BULK, variables))["publishAllPending"]
        assert answer["code"] == "INVALID_INPUT", (variables, answer)
    await nothing_written()
    assert loopback["loopback"].request_times == []


async def test_can_publish_says_why_not(
    server: Server, loopback: FakePlatforms
) -> None:
    rt = server.runtime
    ready = await store_video(rt)
    archived = await store_video(rt, archived_at=now())
    theirs = await store_video(rt, owner_id="someone-else")

    async def can(asset_id: Any, platform: str = "loopback") -> dict[str, Any]:
        variables = {"a": str(asset_id), "p": platform}
        result: dict[str, Any] = (await data(server.url, CAN, variables))["canPublish"]
        return result

    assert await can(ready.id) == {"allowed": True, "reason": None}
    assert "archived" in (await can(archived.id))["reason"]
    assert (await can(theirs.id))["reason"].startswith("no asset")
    assert "unknown platform" in (await can(ready.id, "myspace"))["reason"]
    assert "not configured" in (await can(ready.id, "webhook"))["reason"]
    await nothing_written()


async def test_file_missing_from_storage_is_final(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    await server.runtime.storage.delete(asset.storage_key or "")
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert (row["status"], row["errorCode"]) == ("FAILED_FINAL", "FILE_NOT_FOUND")
    assert row["lastError"] == "video file not found"
    assert loopback["loopback"].request_times == []


async def test_a_file_changed_on_disk_aborts_the_upload(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime, b"a" * 500_000)
    path = server.runtime.storage.local_path(asset.storage_key or "")
    if path is None:  # pragma: no cover - the tests use local storage
        raise AssertionError("local storage expected")
    Path(path).write_bytes(b"b" * 500_000)  # same size, other bytes
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert (row["status"], row["errorCode"]) == ("FAILED_FINAL", "CHECKSUM_MISMATCH")
    platform = loopback["loopback"]
    assert platform.posts == []
    # The session was opened, but the last chunk was never sent.
    assert all(len(s.received) < s.size for s in platform.sessions.values())


async def test_duplicates_are_blocked_until_allowed(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    assert (await wait_for(server.url, pub_id))["status"] == "SUCCESS"
    again = await publish(server.url, asset.id)
    assert again["blocked"] is True
    assert again["publication"]["status"] == "BLOCKED"
    assert again["publication"]["postId"] == "loopback-1"  # kept
    # The same bytes as another asset (a re-upload after a delete) are caught.
    await models.Asset.filter(id=asset.id).update(deleted_at=now(), dedup_key=None)
    twin = await store_video(server.runtime, b"", checksum=asset.checksum)
    twin_answer = await publish(server.url, twin.id)
    assert twin_answer["blocked"] is True
    await models.Asset.filter(id=asset.id).update(deleted_at=None)
    assert len(loopback["loopback"].posts) == 1
    # Allowed: it goes out again.
    allowed = (await data(server.url, ALLOW, {"id": str(asset.id), "allowed": True}))[
        "setAllowDuplicatePublish"
    ]
    assert allowed["asset"]["allowDuplicatePublish"] is True
    third = await publish(server.url, asset.id)
    assert (third["blocked"], third["publication"]["status"]) == (False, "PENDING")
    row = await wait_for(server.url, pub_id, "SUCCESS", "FAILED_FINAL")
    assert len(loopback["loopback"].posts) == 2
    assert row["postId"] == "loopback-2"
    trail = [(e["fromStatus"], e["toStatus"]) for e in await events(server.url, pub_id)]
    assert trail[3:] == [
        ("SUCCESS", "BLOCKED"),
        ("BLOCKED", "PENDING"),
        ("PENDING", "IN_PROGRESS"),
        ("IN_PROGRESS", "SUCCESS"),
    ]
    refused = (await data(server.url, RETRY, {"id": pub_id}))["retryPublication"]
    assert refused["__typename"] == "InvalidStateError"


async def test_another_owners_publication_reads_as_unknown(
    server: Server, loopback: FakePlatforms
) -> None:
    theirs = await store_video(server.runtime, owner_id="someone-else")
    row = await models.Publication.create(
        owner_id="someone-else", asset_id=theirs.id, platform="loopback", revision=1
    )
    body = await gql(
        server.url,
        "query ($id: ID!) { publication(id: $id) { id } "
        "publications { totalCount } publicationEvents { totalCount } "
        "publicationStats { count } }",
        {"id": str(row.id)},
    )
    assert body["data"] == {
        "publication": None,
        "publications": {"totalCount": 0},
        "publicationEvents": {"totalCount": 0},
        "publicationStats": [],
    }
    for mutation in ("retryPublication", "cancelPublication"):
        answer = await gql(
            server.url,
            f"mutation ($id: ID!) {{ {mutation}(id: $id) {{ __typename }} }}",
            {"id": str(row.id)},
        )
        assert answer["data"][mutation]["__typename"] == "NotFoundError"
    allow = (await data(server.url, ALLOW, {"id": str(theirs.id), "allowed": True}))[
        "setAllowDuplicatePublish"
    ]
    assert allow["code"] == "NOT_FOUND"
    bulk = (
        await data(
            server.url,
            BULK,
            {"platforms": ["loopback"], "f": {"assetIds": [str(theirs.id)]}},
        )
    )["publishAllPending"]
    assert (bulk["assetsConsidered"], bulk["created"]) == (0, 0)
    assert (
        await models.Publication.get(id=row.id)
    ).status is models.PublicationStatus.PENDING
    assert (await models.Asset.get(id=theirs.id)).allow_duplicate_publish is False


async def test_publish_all_pending_pages_and_skips(
    server: Server, loopback: FakePlatforms
) -> None:
    assets = [
        await store_video(server.runtime, n.to_bytes(4, "big") * 100) for n in range(5)
    ]
    done = (await publish(server.url, assets[0].id))["publication"]["id"]
    await wait_for(server.url, done)
    first = (
        await data(server.url, BULK, {"platforms": ["loopback", "tiktok"], "first": 3})
    )["publishAllPending"]
    assert first["assetsConsidered"] == 3
    assert (first["created"], first["skippedExisting"]) == (5, 1)
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (
        await data(
            server.url,
            BULK,
            {
                "platforms": ["loopback", "tiktok"],
                "first": 3,
                "after": first["pageInfo"]["endCursor"],
            },
        )
    )["publishAllPending"]
    assert (rest["assetsConsidered"], rest["created"]) == (2, 4)
    assert rest["pageInfo"]["hasNextPage"] is False
    for row in await models.Publication.all():
        await wait_for(server.url, str(row.id))
    assert len(loopback["loopback"].posts) == 5
    assert len(loopback["tiktok"].posts) == 5
    again = (await data(server.url, BULK, {"platforms": ["loopback", "tiktok"]}))[
        "publishAllPending"
    ]
    assert (again["created"], again["skippedExisting"]) == (0, 10)
