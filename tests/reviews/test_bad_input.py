"""Bad input to the reviews domain: each gets a typed error and writes nothing."""

from typing import Any

import pytest

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.resolvers.root import build_schema
from gql_media.runtime import Runtime
from gql_media.services.reviews import annotations
from gql_media.services.reviews.annotations import NewAnnotation
from gql_media.services.reviews.validation import Geometry
from tests.accounts.support import make_account, token_for
from tests.conftest import Server
from tests.reviews.support import counts, create_version, decide, ready_asset
from tests.support.graphql import data

ANNOTATE = """
mutation ($id: ID!, $input: AddAnnotationInput!) {
  addAnnotation(assetId: $id, input: $input) {
    __typename ... on Error { code message }
    ... on InvalidInputError { field }
  }
}
"""
PLACE = """
mutation ($id: ID!, $input: PlaceAssetOnTaskInput!) {
  placeAssetOnTask(assetId: $id, input: $input) {
    __typename ... on Error { code message }
  }
}
"""


async def placed(server: Server, n: int = 1, task: str = "sh010") -> str:
    row = await ready_asset(n=n)
    result = await create_version(
        server.url, project="SWA", task=task, assetId=str(row.id)
    )
    return str(result["asset"]["id"])


async def annotate(server: Server, asset_id: str, **input: Any) -> dict[str, Any]:
    body = {"text": "note", **input}
    result: dict[str, Any] = (
        await data(server.url, ANNOTATE, {"id": asset_id, "input": body})
    )["addAnnotation"]
    return result


def test_decisions_declare_the_review_scope_and_the_rest_write() -> None:
    fields = build_schema().get_type_by_name("Mutation").fields  # type: ignore[union-attr]
    scopes = {f.python_name: f.metadata.get("scope") for f in fields}
    for name in ("approve_version", "request_changes", "reject_version"):
        assert scopes[name] == "review", name
    for name in (
        "create_asset_version",
        "place_asset_on_task",
        "submit_for_review",
        "add_annotation",
        "resolve_annotation",
        "delete_annotation",
    ):
        assert scopes[name] == "write", name  # fmt: skip


async def test_decisions_without_the_review_scope_are_forbidden(
    server: Server,
) -> None:
    """A real token of the owner with read and write but not review: the three
    decisions answer FORBIDDEN and write nothing; the same version can still be
    submitted (write), and a review token then approves it."""
    artist = await make_account("studio", ["read", "write"])
    reviewer = await token_for(artist, ["read", "review"], principal="lead")
    row = await ready_asset(artist.owner_id)
    made = await data(
        server.url,
        PLACE,
        {"id": str(row.id), "input": {"project": "SWA", "task": "sh010"}},
        token=artist.token,
    )
    assert made["placeAssetOnTask"]["__typename"] == "PlaceAssetOnTaskSuccess"
    submitted = await decide(
        server.url, "submitForReview", str(row.id), token=artist.token
    )
    assert submitted["__typename"] == "ReviewDecisionSuccess", submitted
    before = await counts()
    for mutation in ("approveVersion", "requestChanges", "rejectVersion"):
        result = await decide(server.url, mutation, str(row.id), token=artist.token)
        assert result["__typename"] == "ForbiddenError", result
        assert result["code"] == "FORBIDDEN"
    assert await counts() == before
    assert (await models.Asset.get(id=row.id)).review_status is (
        models.ReviewStatus.PENDING
    )  # fmt: skip
    approved = await decide(server.url, "approveVersion", str(row.id), token=reviewer)
    assert approved["__typename"] == "ReviewDecisionSuccess", approved
    row = await models.Asset.get(id=row.id)
    assert row.review_status is models.ReviewStatus.APPROVED
    assert row.approved_by == "lead"


async def test_approving_a_not_submitted_version_is_refused(server: Server) -> None:
    asset_id = await placed(server)
    before = await counts()
    for mutation in ("approveVersion", "requestChanges", "rejectVersion"):
        result = await decide(server.url, mutation, asset_id, "ok")
        assert result["__typename"] == "InvalidStateError", result
    assert await counts() == before
    row = await models.Asset.get(id=asset_id)
    assert row.review_status is models.ReviewStatus.NOT_SUBMITTED
    assert row.approved_by is None


async def test_approving_another_version_supersedes_the_approved_one(
    server: Server,
) -> None:
    first, second = await placed(server, 1), await placed(server, 2)
    for asset_id in (first, second):
        await decide(server.url, "submitForReview", asset_id)
        await decide(server.url, "approveVersion", asset_id, "good")
    assert (await models.Asset.get(id=first)).review_status is (
        models.ReviewStatus.SUPERSEDED
    )
    assert (await models.Asset.get(id=second)).review_status is (
        models.ReviewStatus.APPROVED
    )
    superseded = await models.ReviewEvent.get(action=models.ReviewAction.SUPERSEDE)
    assert str(superseded.asset_id) == first  # type: ignore[attr-defined]
    assert superseded.note == "superseded by v002"


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"atSeconds": 2.5, "position": {"x": 0.5, "y": 0.5}}, "atSeconds"),
        ({"atSeconds": -0.1, "position": {"x": 0.5, "y": 0.5}}, "atSeconds"),
        ({"atSeconds": 1.0, "frame": 48, "position": {"x": 0.5, "y": 0.5}}, "frame"),
        ({"atSeconds": 1.0, "position": {"x": 1.5, "y": 0.5}}, "position.x"),
        ({"atSeconds": 1.0, "position": {"x": 0.5, "y": -0.01}}, "position.y"),
        (
            {
                "atSeconds": 1.0,
                "position": {"x": 0.8, "y": 0.5},
                "shape": {"kind": "RECTANGLE", "width": 0.5, "height": 0.1},
            },
            "shape",
        ),
        (
            {
                "atSeconds": 1.0,
                "position": {"x": 0.5, "y": 0.5},
                "shape": {
                    "kind": "PATH",
                    "points": [{"x": 0.5, "y": 0.5}] * 10_001,
                },
            },
            "points",
        ),
        ({"atSeconds": 1.0, "position": {"x": 0.5, "y": 0.5}, "text": "x" * 10_240},
         "text"),
        ({"atSeconds": 1.0}, "position"),
        ({"position": {"x": 0.5, "y": 0.5}}, "atSeconds"),
    ],
)  # fmt: skip
async def test_annotations_outside_the_media_or_the_frame_are_refused(
    server: Server, input: dict[str, Any], field: str
) -> None:
    asset_id = await placed(server)  # 2 s at 24 fps: frames 0..47
    before = await counts()
    result = await annotate(server, asset_id, **input)
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == field
    assert await counts() == before


async def test_a_path_of_1000_points_is_accepted(server: Server) -> None:
    asset_id = await placed(server)
    points = [{"x": i / 1000, "y": 0.5} for i in range(1000)]
    result = await annotate(
        server,
        asset_id,
        atSeconds=2.0,
        position={"x": 0, "y": 0.5},
        shape={"kind": "PATH", "points": points},
    )
    assert result["__typename"] == "AnnotationSuccess", result
    row = await models.Annotation.get()
    assert len(row.points or []) == 1000 and row.frame == 47


@pytest.mark.parametrize(
    ("project", "task"),
    [
        ("SWA", "ep01/sh020"),
        ("SWA", "..\\sh020"),
        ("SWA", "../../etc"),
        ("SWA", "x" * 10_240),
        ("S/WA", "sh020"),
        ("", "sh020"),
        ("SWA", ""),
    ],
)
async def test_bad_project_or_task_names_are_refused(
    server: Server, project: str, task: str
) -> None:
    row = await ready_asset()
    before = await counts()
    result = await create_version(
        server.url, project=project, task=task, assetId=str(row.id)
    )
    assert result["__typename"] == "InvalidInputError", result
    variables = {"id": str(row.id), "input": {"project": project, "task": task}}
    placed_result = (await data(server.url, PLACE, variables))["placeAssetOnTask"]
    assert placed_result["__typename"] == "InvalidInputError", placed_result
    assert await counts() == before


async def test_a_description_of_10_kb_is_refused(server: Server) -> None:
    row = await ready_asset()
    before = await counts()
    result = await create_version(
        server.url, project="SWA", task="sh010", assetId=str(row.id),
        description="x" * 10_240,
    )  # fmt: skip
    assert result["__typename"] == "InvalidInputError", result
    assert await counts() == before


async def test_exactly_one_source_is_required(server: Server) -> None:
    row = await ready_asset()
    before = await counts()
    for extra in ({}, {"assetId": str(row.id), "url": "https://example.com/a.mp4"}):
        result = await create_version(server.url, project="SWA", task="t", **extra)
        assert result["__typename"] == "InvalidInputError", result
    assert await counts() == before


async def test_another_owners_asset_reads_as_unknown(server: Server) -> None:
    theirs = await ready_asset("someone-else", n=9)
    mine = await placed(server, 1)
    await decide(server.url, "submitForReview", mine)
    await annotate(server, mine, atSeconds=1.0, position={"x": 0.5, "y": 0.5})
    # Their asset placed on a task of theirs, with an annotation.
    await models.Asset.filter(id=theirs.id).update(
        project="SWA", task="sh010", version=1,
        review_status=models.ReviewStatus.PENDING,
    )  # fmt: skip
    their_note = await models.Annotation.create(
        owner_id="someone-else", asset_id=theirs.id, author="them", at_seconds=0,
        frame=0, x=0.1, y=0.1, shape=models.AnnotationShape.POINT, text="theirs",
    )  # fmt: skip
    before = await counts()
    other = str(theirs.id)
    assert (await create_version(server.url, project="SWA", task="x", assetId=other))[
        "__typename"
    ] == "NotFoundError"
    place = await data(
        server.url, PLACE, {"id": other, "input": {"project": "SWA", "task": "x"}}
    )
    assert place["placeAssetOnTask"]["__typename"] == "NotFoundError"
    for mutation in (
        "submitForReview",
        "approveVersion",
        "requestChanges",
        "rejectVersion",
    ):
        assert (await decide(server.url, mutation, other))["__typename"] == (
            "NotFoundError"
        )  # fmt: skip
    result = await annotate(server, other, atSeconds=1.0, position={"x": 0.5, "y": 0.5})
    assert result["__typename"] == "NotFoundError"
    for mutation in ("resolveAnnotation", "deleteAnnotation"):
        query = f"mutation ($id: ID!) {{ {mutation}(id: $id) {{ __typename }} }}"
        answer = await data(server.url, query, {"id": str(their_note.id)})
        assert answer[mutation]["__typename"] == "NotFoundError"
    reads = await data(
        server.url,
        """{ task(project: "SWA", task: "sh010") { versions { id } }
             reviewQueue(project: "SWA") { edges { node { id } } }
             reviewStats { versionCount }
             assets(filter: {project: "SWA"}) { edges { node { id } } } }""",
    )
    assert reads["task"]["versions"] == [{"id": mine}]
    assert reads["reviewQueue"]["edges"] == [{"node": {"id": mine}}]
    assert reads["reviewStats"]["versionCount"] == 1
    assert reads["assets"]["edges"] == [{"node": {"id": mine}}]
    assert await counts() == before
    unchanged = await models.Asset.get(id=theirs.id)
    assert unchanged.review_status is models.ReviewStatus.PENDING
    assert (await models.Annotation.get(id=their_note.id)).resolved_at is None


async def test_only_the_author_deletes_an_annotation(runtime: Runtime) -> None:
    asset = await ready_asset()
    note = await annotations.add(
        runtime, "local", "ana", str(asset.id),
        NewAnnotation(text="hi", at_seconds=0.5, geometry=Geometry(
            models.AnnotationShape.POINT, 0.5, 0.5)),
    )  # fmt: skip
    with pytest.raises(InvalidState):
        await annotations.delete(runtime, "local", "bob", str(note.id))
    assert await models.Annotation.exists(id=note.id)
    assert await annotations.delete(runtime, "local", "ana", str(note.id))
    assert not await models.Annotation.exists(id=note.id)
