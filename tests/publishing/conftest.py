"""Publishing fixtures: the fake platforms, the test uploader registered as a
plugin, stored READY videos, and the GraphQL operations the tests send.

The server fixture is the jobs tests' one: each test runs embedded and
distributed (arq worker in this process, Redis bus), on SQLite and PostgreSQL.
"""

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from gql_media import models
from gql_media.runtime import Runtime
from gql_media.services.publishing import audit, registry
from gql_media.settings import Settings
from gql_media.storage.keys import blob_key
from tests.conftest import make_settings
from tests.jobs.conftest import private_redis, server  # noqa: F401 - fixtures
from tests.publishing.fake_platform import FakePlatforms, fake_platforms
from tests.publishing.loopback import LoopbackUploader
from tests.support.graphql import data

PUBLISH = """
mutation ($input: PublishAssetInput!) {
  publishAsset(input: $input) {
    __typename
    ... on PublishAssetSuccess { blocked publication { id status postId retryCount } }
    ... on Error { code message }
    ... on InvalidInputError { field }
  }
}
"""
PUBLICATION = """
query ($id: ID!) {
  publication(id: $id) {
    id platform status postId postUrl retryCount errorCode lastError
    nextRetryAt scheduledAt publishedAt revision
    metadata { title caption hashtags privacy }
    asset { id allowDuplicatePublish }
  }
}
"""
EVENTS = """
query ($f: PublicationEventFilter, $after: String) {
  publicationEvents(first: 100, filter: $f, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id fromStatus toStatus retryCount error postId principal revision
                   publicationId } }
  }
}
"""
RETRY = """
mutation ($id: ID!) {
  retryPublication(id: $id) {
    __typename
    ... on RetryPublicationSuccess {
      retryCountRestarted publication { status retryCount }
    }
    ... on Error { code message }
  }
}
"""
CANCEL = """
mutation ($id: ID!) {
  cancelPublication(id: $id) {
    __typename
    ... on CancelPublicationSuccess { publication { status } }
    ... on Error { code message }
  }
}
"""
ALLOW = """
mutation ($id: ID!, $allowed: Boolean!) {
  setAllowDuplicatePublish(assetId: $id, allowed: $allowed) {
    __typename
    ... on SetAllowDuplicatePublishSuccess { asset { id allowDuplicatePublish } }
    ... on Error { code message }
  }
}
"""
TERMINAL = ("SUCCESS", "FAILED_FINAL", "BLOCKED", "CANCELED")


@pytest.fixture
def settings(tmp_path: Path, clean_db: str) -> Settings:
    """Fast retries; limits high enough not to slow the tests down."""
    return make_settings(
        tmp_path / "data",
        clean_db,
        job_retry_base_seconds=0.05,
        publishing={
            "retry_base_seconds": 0.05,
            "retry_max_seconds": 0.2,
            "requests_per_second": 1000,
            "concurrency": 8,
        },
    )


@pytest.fixture
async def platforms() -> AsyncIterator[FakePlatforms]:
    async with fake_platforms() as fake:
        yield fake


@pytest.fixture
def loopback(platforms: FakePlatforms) -> Iterator[FakePlatforms]:
    """The test uploader registered as the platforms "loopback" and "tiktok"
    (the latter to exercise TikTok's published limits), plus a one-shot
    uploader "simple" that posts in one request."""
    registry.register(
        "loopback", lambda s: LoopbackUploader("loopback", platforms.url("loopback"))
    )
    registry.register(
        "tiktok", lambda s: LoopbackUploader("tiktok", platforms.url("tiktok"))
    )
    yield platforms
    for name in ("loopback", "tiktok"):
        registry.unregister(name)
    audit.close_all()


async def store_video(
    runtime: Runtime,
    payload: bytes | None = None,
    *,
    owner_id: str = "local",
    **fields: Any,
) -> models.Asset:
    """A READY video asset whose bytes are in storage (no probing needed: the
    ledger only streams the file)."""
    payload = payload if payload is not None else os.urandom(300_000)
    digest = hashlib.sha256(payload).hexdigest()
    source = runtime.settings.data_dir / f"upload-{digest[:12]}"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(payload)
    await runtime.storage.put_file(blob_key(digest), source, "video/mp4")
    source.unlink()
    values: dict[str, Any] = {
        "owner_id": owner_id,
        "name": f"clip {digest[:6]}",
        "kind": models.AssetKind.VIDEO,
        "status": models.AssetStatus.READY,
        "checksum": digest,
        "dedup_key": digest,
        "size_bytes": len(payload),
        "mime_type": "video/mp4",
        "storage_key": blob_key(digest),
        "source_type": models.SourceType.UPLOADED,
    }
    values.update(fields)
    return await models.Asset.create(**values)


async def publish(
    base_url: str, asset_id: Any, platform: str = "loopback", **extra: Any
) -> dict[str, Any]:
    variables = {"input": {"assetId": str(asset_id), "platform": platform, **extra}}
    result: dict[str, Any] = (await data(base_url, PUBLISH, variables))["publishAsset"]
    return result


async def publication(base_url: str, pub_id: str) -> dict[str, Any]:
    result: dict[str, Any] = (await data(base_url, PUBLICATION, {"id": pub_id}))[
        "publication"
    ]
    return result


async def wait_for(
    base_url: str, pub_id: str, *statuses: str, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll the publication until it is in one of `statuses` (or TERMINAL)."""
    wanted = statuses or TERMINAL
    async with asyncio.timeout(timeout):
        while (row := await publication(base_url, pub_id))["status"] not in wanted:
            await asyncio.sleep(0.05)
    return row


async def events(base_url: str, pub_id: str | None = None) -> list[dict[str, Any]]:
    filter_ = {"publicationId": pub_id} if pub_id else None
    result = await data(base_url, EVENTS, {"f": filter_})
    return [edge["node"] for edge in result["publicationEvents"]["edges"]]


def transitions(rows: list[dict[str, Any]]) -> list[tuple[str | None, str]]:
    return [(row["fromStatus"], row["toStatus"]) for row in rows]
