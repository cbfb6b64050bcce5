"""publishAllPending over 200 assets x 3 platforms at 5 requests/s per platform,
in the distributed mode (limits shared through Redis, arq worker): every row
ends SUCCESS, no platform saw more than 5 requests in any second, no duplicates.

Run on PostgreSQL + distributed only: at 5 requests/s the run takes 40 s per
combination, and this is the combination where the limit is shared."""

import asyncio

import pytest

from gql_media import models
from gql_media.services.publishing import registry
from gql_media.settings import Settings
from tests.conftest import Server
from tests.publishing.conftest import store_video
from tests.publishing.fake_platform import FakePlatforms
from tests.publishing.loopback import LoopbackUploader
from tests.support.graphql import data

pytestmark = pytest.mark.timeout(240)

BULK = """
mutation ($platforms: [String!]!, $first: Int!, $after: String) {
  publishAllPending(platforms: $platforms, first: $first, after: $after) {
    __typename
    ... on PublishAllPendingSuccess { created skippedExisting skippedDuplicates
                                      pageInfo { hasNextPage endCursor } }
    ... on Error { code message }
  }
}
"""
NAMES = ("alpha", "beta", "gamma")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Enough jobs at once that the platforms' rate, not the worker, sets the pace.
    settings.job_concurrency = 8
    return settings


@pytest.mark.only("postgres-distributed")  # a 40 s run: once is enough
async def test_200_assets_on_3_rate_limited_platforms(
    server: Server, platforms: FakePlatforms
) -> None:
    server.settings.publishing.requests_per_second = 5
    # The fake platforms share this process's busy event loop with the API and
    # 8 jobs, so a request may reach them well after its token was taken.
    server.settings.publishing.rate_margin_seconds = 0.5
    for name in NAMES:
        registry.register(
            name,
            lambda s, n=name: LoopbackUploader(n, platforms.url(n), resumable=False),
        )
    try:
        for n in range(200):
            await store_video(server.runtime, n.to_bytes(2, "big") * 512)
        answer = (
            await data(server.url, BULK, {"platforms": list(NAMES), "first": 200})
        )["publishAllPending"]
        answer["pageInfo"].pop("endCursor")
        assert answer == {
            "__typename": "PublishAllPendingSuccess",
            "created": 600,
            "skippedExisting": 0,
            "skippedDuplicates": 0,
            "pageInfo": {"hasNextPage": False},
        }
        async with asyncio.timeout(200):
            while await models.Publication.exclude(
                status=models.PublicationStatus.SUCCESS
            ).exists():
                await asyncio.sleep(0.5)
    finally:
        for name in NAMES:
            registry.unregister(name)
    for name in NAMES:
        platform = platforms[name]
        assert len(platform.posts) == 200
        assert len({p["sha256"] for p in platform.posts}) == 200  # no duplicates
        times = sorted(platform.request_times)
        assert platform.max_in_window(1.0) <= 5, (
            name,
            [round(t - times[0], 3) for t in times],
        )
