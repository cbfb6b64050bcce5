"""Cross-owner cases of the reviews root fields (versions, decisions, annotations,
housekeeping). Tasks are named, not numbered: a task of A's asked for by B must
read like a task nobody has."""

import asyncio
import json
import uuid
from typing import Any

import websockets

from tests.accounts.isolation import (
    ERROR,
    World,
    as_b,
    case,
    masked,
    none_of_a,
    same,
    seed,
)
from tests.support.graphql import data, upload

PROJECT = "ISO"
ANNOTATE = (
    "mutation ($id: ID!) { addAnnotation(assetId: $id, input: {text: "
    '"note", atSeconds: 0.2, position: {x: 0.5, y: 0.5}}) '
    f"{{ {ERROR} ... on AnnotationSuccess {{ annotation {{ id }} }} }} }}"
)


@seed
async def a_version_under_review(world: World) -> None:
    """A's uploaded asset becomes v001 of a task, submitted, with an annotation."""
    task = f"a_task_{uuid.uuid4().hex[:8]}"
    placed = await data(
        world.url,
        "mutation ($id: ID!, $task: String!) { placeAssetOnTask(assetId: $id, "
        f"input: {{project: {json.dumps(PROJECT)}, task: $task}}) {{ {ERROR} }} }}",
        {"id": world.ids["asset"], "task": task},
        token=world.a.token,
    )
    assert placed["placeAssetOnTask"]["__typename"] == "PlaceAssetOnTaskSuccess"
    submitted = await data(
        world.url,
        f"mutation ($id: ID!) {{ submitForReview(assetId: $id) {{ {ERROR} }} }}",
        {"id": world.ids["asset"]},
        token=world.a.token,
    )
    assert submitted["submitForReview"]["__typename"] == "ReviewDecisionSuccess"
    noted = await data(
        world.url, ANNOTATE, {"id": world.ids["asset"]}, token=world.a.token
    )
    world.ids["annotation"] = noted["addAnnotation"]["annotation"]["id"]
    world.ids["task"] = task


@case("Query.task")
async def task(world: World) -> None:
    query = (
        "query ($p: String!, $t: String!) { task(project: $p, task: $t) "
        "{ versions { id } latest { id } approved { id } history { id } } }"
    )
    theirs = await as_b(world, query, {"p": PROJECT, "t": world.ids["task"]})
    nobody_task = f"a_task_{uuid.uuid4().hex[:8]}"
    nobody = await as_b(world, query, {"p": PROJECT, "t": nobody_task})
    assert masked(theirs, world.ids["task"]) == masked(nobody, nobody_task)
    assert theirs == {"data": {"task": None}}, theirs


@case("Query.reviewQueue", "Query.reviewStats")
async def listings(world: World) -> None:
    queue = await as_b(
        world,
        "query ($p: String!) { reviewQueue(project: $p) { totalCount "
        "edges { node { id } } } }",
        {"p": PROJECT},
    )
    assert queue["data"]["reviewQueue"]["totalCount"] == 0, queue
    stats = await as_b(
        world,
        "{ reviewStats { versionCount byProject { key count } } }",
        {},
    )
    assert stats["data"]["reviewStats"]["versionCount"] == 0, stats
    none_of_a(world, stats)


@case(
    "Mutation.submitForReview",
    "Mutation.approveVersion",
    "Mutation.requestChanges",
    "Mutation.rejectVersion",
    "Mutation.addAnnotation",
    "Mutation.placeAssetOnTask",
)
async def by_asset_id(world: World) -> None:
    documents = [
        f"mutation ($id: ID!) {{ {name}(assetId: $id) {{ {ERROR} }} }}"
        for name in (
            "submitForReview",
            "approveVersion",
            "requestChanges",
            "rejectVersion",
        )
    ]
    documents += [
        ANNOTATE,
        "mutation ($id: ID!) { placeAssetOnTask(assetId: $id, input: "
        f'{{project: "{PROJECT}", task: "b_task"}}) {{ {ERROR} }} }}',
    ]
    for document in documents:
        await same(world, document, _id, world.ids["asset"])


@case("Mutation.resolveAnnotation", "Mutation.deleteAnnotation")
async def by_annotation_id(world: World) -> None:
    for name in ("resolveAnnotation", "deleteAnnotation"):
        document = f"mutation ($id: ID!) {{ {name}(id: $id) {{ {ERROR} }} }}"
        await same(world, document, _id, world.ids["annotation"])


@case("Mutation.createAssetVersion")
async def create_asset_version(world: World) -> None:
    document = (
        "mutation ($id: ID!, $task: String!) { createAssetVersion(input: "
        f'{{project: "{PROJECT}", task: $task, assetId: $id}}) {{ {ERROR} '
        "... on CreateAssetVersionSuccess { asset { id version } } } }"
    )
    task = world.ids["task"]
    await same(world, document, lambda i: {"id": i, "task": task}, world.ids["asset"])
    # B's own asset on a task named like A's: B's numbering starts at 1 (A's task
    # already has v001, so a shared counter would give 2).
    body = await as_b(world, document, {"id": world.b_ids["asset"], "task": task})
    assert body["data"]["createAssetVersion"]["asset"]["version"] == 1, body


@case("Mutation.cleanupStorage")
async def cleanup_storage(world: World) -> None:
    """B's cleanup (a real run) leaves A's rows and files alone; the suite's
    snapshot of A checks that after every case."""
    body = await as_b(
        world,
        f"mutation {{ cleanupStorage(dryRun: false) {{ {ERROR} "
        "... on CleanupStorageSuccess { job { id } } } }",
        {},
    )
    assert body["data"]["cleanupStorage"]["__typename"] == "CleanupStorageSuccess"
    none_of_a(world, body)


@case("Subscription.reviewActivity")
async def review_activity(world: World) -> None:
    """B subscribed to a project named like C's sees nothing of what C does there,
    while C's own subscriber sees it (so the event was sent)."""
    project = "SHARED"
    url = world.url.replace("http://", "ws://") + "/graphql"
    query = (
        "subscription ($p: String!) { reviewActivity(project: $p) "
        "{ kind assetId annotationId } }"
    )
    async with _subscribed(url, world.b.token, query, {"p": project}) as b_socket:
        async with _subscribed(url, world.c.token, query, {"p": project}) as c_socket:
            await _c_annotates(world, project)
            seen_by_c = json.loads(await asyncio.wait_for(c_socket.recv(), 30))
            assert seen_by_c["type"] == "next", seen_by_c
        try:
            leaked = await asyncio.wait_for(b_socket.recv(), 1.0)
        except TimeoutError:
            leaked = None
        assert leaked is None, leaked


async def _c_annotates(world: World, project: str) -> None:
    """C uploads a clip, places it on a task of `project` and submits it."""
    headers = {
        "GraphQL-Require-Preflight": "1",
        "Authorization": f"Bearer {world.c.token}",
    }
    body = (await upload(world.url, world.clip, headers=headers)).json()
    asset_id = body["data"]["uploadAsset"]["asset"]["id"]
    placed = await data(
        world.url,
        "mutation ($id: ID!, $p: String!) { placeAssetOnTask(assetId: $id, "
        f'input: {{project: $p, task: "c_task"}}) {{ {ERROR} }} }}',
        {"id": asset_id, "p": project},
        token=world.c.token,
    )
    assert placed["placeAssetOnTask"]["__typename"] == "PlaceAssetOnTaskSuccess"
    await data(
        world.url,
        f"mutation ($id: ID!) {{ submitForReview(assetId: $id) {{ {ERROR} }} }}",
        {"id": asset_id},
        token=world.c.token,
    )


class _subscribed:
    """A graphql-transport-ws socket with one subscription started."""

    def __init__(self, url: str, token: str, query: str, variables: Any) -> None:
        self.url, self.token, self.query, self.variables = url, token, query, variables

    async def __aenter__(self) -> Any:
        self.cm = websockets.connect(
            self.url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
        )
        ws = await self.cm.__aenter__()
        init = {"authorization": f"Bearer {self.token}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": self.query, "variables": self.variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        await asyncio.sleep(0.3)  # let the server subscribe to the bus
        return ws

    async def __aexit__(self, *exc: object) -> None:
        await self.cm.__aexit__(*exc)


def _id(value: str) -> dict[str, Any]:
    return {"id": value}
