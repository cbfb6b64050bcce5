"""Cross-owner cases of the publishing root fields."""

import asyncio
import json
from typing import Any

import websockets

from gql_media import models
from gql_media.kit import clock
from tests.accounts.isolation import ERROR, World, as_b, case, none_of_a, same, seed


@seed
async def a_publication(world: World) -> None:
    row = await models.Publication.create(
        owner_id=world.a.owner_id,
        asset_id=world.ids["asset"],
        platform="youtube",
        status=models.PublicationStatus.FAILED_FINAL,
    )
    await models.PublicationEvent.create(
        owner_id=world.a.owner_id,
        publication=row,
        asset_id=world.ids["asset"],
        platform="youtube",
        to_status=models.PublicationStatus.FAILED_FINAL,
        at=clock.now(),
    )
    world.ids["publication"] = str(row.id)


@case("Query.publication")
async def publication(world: World) -> None:
    await same(
        world,
        "query ($id: ID!) { publication(id: $id) { id } }",
        _id,
        world.ids["publication"],
    )


@case(
    "Query.publications",
    "Query.publicationEvents",
    "Query.publicationStats",
    "Query.publishingPlatforms",
)
async def lists(world: World) -> None:
    for query in (
        "{ publications(first: 100) { edges { node { id } } } }",
        "{ publicationEvents(first: 100) { edges { node { __typename } } } }",
        "{ publicationStats { __typename } }",
        "{ publishingPlatforms }",
    ):
        body = await as_b(world, query, {})
        assert "errors" not in body, body
        none_of_a(world, body)
    stats = await as_b(world, "{ publicationStats { __typename } }", {})
    assert stats["data"]["publicationStats"] == [], stats  # A's count is not B's
    events = await as_b(
        world, "{ publicationEvents(first: 100) { edges { cursor } } }", {}
    )
    assert events["data"]["publicationEvents"]["edges"] == [], events


@case("Query.canPublish", "Mutation.publishAsset", "Mutation.setAllowDuplicatePublish")
async def by_asset_id(world: World) -> None:
    for document in (
        'query ($id: ID!) { canPublish(assetId: $id, platform: "youtube") '
        "{ __typename } }",
        "mutation ($id: ID!) { publishAsset(input: {assetId: $id, "
        f'platform: "youtube"}}) {{ {ERROR} }} }}',
        "mutation ($id: ID!) { setAllowDuplicatePublish(assetId: $id, allowed: true) "
        f"{{ {ERROR} }} }}",
    ):
        await same(world, document, _id, world.ids["asset"])


@case("Mutation.retryPublication", "Mutation.cancelPublication")
async def by_publication_id(world: World) -> None:
    for name in ("retryPublication", "cancelPublication"):
        await same(
            world,
            f"mutation ($id: ID!) {{ {name}(id: $id) {{ {ERROR} }} }}",
            _id,
            world.ids["publication"],
        )


@case("Mutation.publishAllPending")
async def publish_all_pending(world: World) -> None:
    body = await as_b(
        world,
        f'mutation {{ publishAllPending(platforms: ["youtube"]) {{ {ERROR} }} }}',
        {},
    )
    none_of_a(world, body)


@case("Subscription.publicationProgress")
async def publication_progress(world: World) -> None:
    # It does not complete by itself: compare the first message only.
    query = (
        "subscription ($id: ID) { publicationProgress(filter: {publicationId: $id}) "
        "{ __typename } }"
    )
    theirs = await _first(world, query, {"id": world.ids["publication"]})
    nobody = await _first(world, query, {"id": "00000000-0000-0000-0000-000000000000"})
    assert theirs == nobody, (theirs, nobody)
    none_of_a(world, await _first(world, query, {"id": None}))


async def _first(world: World, query: str, variables: dict[str, Any]) -> Any:
    url = world.url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(
        url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        auth = {"authorization": f"Bearer {world.b.token}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": query, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        async with asyncio.timeout(20):
            message = json.loads(await ws.recv())
    return {k: v for k, v in message.items() if k != "id"}


def _id(value: str) -> dict[str, Any]:
    return {"id": value}
