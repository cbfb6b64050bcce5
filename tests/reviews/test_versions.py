"""Version numbers: racing createAssetVersion calls on one task get 1..N exactly,
and each new version links the previous one."""

import asyncio

from gql_media import models
from tests.conftest import Server
from tests.reviews.support import create_version, ready_asset


async def test_ten_racing_calls_on_one_task_get_versions_1_to_10(
    server: Server,
) -> None:
    assets = [await ready_asset(n=n) for n in range(10)]
    results = await asyncio.gather(
        *(
            create_version(
                server.url, project="SWA", task="ep01_sq010_sh020_lighting",
                assetId=str(a.id),
            )
            for a in assets
        )
    )  # fmt: skip
    assert {r["__typename"] for r in results} == {"CreateAssetVersionSuccess"}, results[
        0
    ]
    numbers = sorted(r["asset"]["version"] for r in results)
    assert numbers == list(range(1, 11))
    rows = await models.Asset.filter(task="ep01_sq010_sh020_lighting").order_by(
        "version"
    )
    assert [r.version for r in rows] == list(range(1, 11))
    counter = await models.TaskCounter.get(task="ep01_sq010_sh020_lighting")
    assert counter.last_version == 10


async def test_a_new_version_links_the_previous_one_and_labels_itself(
    server: Server,
) -> None:
    first, second = await ready_asset(n=1), await ready_asset(n=2)
    v1 = await create_version(
        server.url, project="SWA", task="t1", assetId=str(first.id)
    )
    v2 = await create_version(
        server.url, project="SWA", task="t1", assetId=str(second.id)
    )
    assert v1["asset"]["versionLabel"] == "v001"
    assert v1["asset"]["previousVersion"] is None
    assert v1["asset"]["reviewStatus"] == "NOT_SUBMITTED"
    assert v1["asset"]["author"] == "local"  # the principal, by default
    assert v2["asset"]["versionLabel"] == "v002"
    assert v2["asset"]["previousVersion"] == {"id": str(first.id), "version": 1}
