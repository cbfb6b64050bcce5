"""Cross-owner cases of the asset root fields."""

from typing import Any

from tests.accounts.isolation import ERROR, World, as_b, case, none_of_a, same
from tests.support.graphql import upload


@case("Query.asset")
async def asset(world: World) -> None:
    body = await same(
        world, "query ($id: ID!) { asset(id: $id) { id } }", _id, world.ids["asset"]
    )
    assert body["data"]["asset"] is None


@case("Query.assets")
async def assets(world: World) -> None:
    body = await as_b(
        world,
        "{ assets(first: 100) { totalCount edges { node { id } } } }",
        {},
    )
    none_of_a(world, body)


@case("Query.stats")
async def stats(world: World) -> None:
    body = await as_b(world, "{ stats { assetCount totalStoredBytes } }", {})
    owned = await as_b(
        world, "{ assets(first: 100) { totalCount edges { node { sizeBytes } } } }", {}
    )
    totals = body["data"]["stats"]
    mine = owned["data"]["assets"]
    # B's totals are B's assets only (B may have uploaded its own by now).
    assert totals["assetCount"] == mine["totalCount"], (totals, mine)
    assert int(totals["totalStoredBytes"]) == sum(
        e["node"]["sizeBytes"] or 0 for e in mine["edges"]
    )


@case("Mutation.uploadAsset")
async def upload_asset(world: World) -> None:
    # The same bytes as A's asset: deduplication is per owner, so B gets its
    # own asset (a duplicate only of what B imported itself), never A's.
    response = await upload(
        world.url,
        world.clip,
        headers={"GraphQL-Require-Preflight": "1", **_auth(world.b.token)},
    )
    body = response.json()
    result = body["data"]["uploadAsset"]
    assert result["__typename"] == "UploadAssetSuccess", body
    none_of_a(world, body)
    mine = await as_b(
        world, "query ($id: ID!) { asset(id: $id) { id } }", _id(result["asset"]["id"])
    )
    assert mine["data"]["asset"] is not None, (body, mine)
    world.b_ids["asset"] = result["asset"]["id"]


@case("Mutation.importAsset")
async def import_asset(world: World) -> None:
    body = await as_b(
        world,
        "mutation ($input: ImportAssetInput!) { importAsset(input: $input) { "
        "__typename ... on ImportAssetSuccess { asset { id } job { id } } "
        "... on Error { code message } } }",
        {"input": {"url": world.source_url}},
    )
    result = body["data"]["importAsset"]
    assert result["__typename"] == "ImportAssetSuccess", body
    none_of_a(world, body)


@case("Mutation.updateAsset")
async def update_asset(world: World) -> None:
    await same(
        world,
        f'mutation ($id: ID!) {{ updateAsset(id: $id, input: {{name: "x", '
        f'tags: ["b"]}}) {{ {ERROR} }} }}',
        _id,
        world.ids["asset"],
    )


@case(
    "Mutation.archiveAsset",
    "Mutation.restoreAsset",
    "Mutation.deleteAsset",
    "Mutation.regenerateThumbnail",
)
async def by_asset_id(world: World) -> None:
    for name in ("archiveAsset", "restoreAsset", "deleteAsset", "regenerateThumbnail"):
        await same(
            world,
            f"mutation ($id: ID!) {{ {name}(id: $id) {{ {ERROR} }} }}",
            _id,
            world.ids["asset"],
        )


def _id(value: str) -> dict[str, Any]:
    return {"id": value}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
