"""Saving workflows over GraphQL: revisions, conflicts, drafts, archive, restore,
delete, and every bad input refused with a typed error and nothing written."""

import asyncio
from typing import Any

import pytest

from gql_media import models
from gql_media.settings import Settings
from tests.conftest import Server
from tests.support.graphql import data
from tests.workflows.support import (
    ARCHIVE,
    DELETE,
    DRAFT,
    RESTORE,
    counts,
    create,
    node,
    save,
    saved,
    start,
    text_graph,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A request cap above the definition's 1 MiB limit, so that the workflow's
    own limit is what refuses a definition over 1 MiB (with the default cap of
    1 MiB the HTTP layer refuses the request first, also as TOO_LARGE)."""
    settings.limits.max_request_bytes = 4 * 1024 * 1024
    return settings


REVISIONS = """
query ($id: ID!) {
  workflow(id: $id) { status revision definition lastExecutedAt
    revisions { number savedBy definition } }
  first: workflowRevision(workflowId: $id, number: 1) { number definition }
}
"""


async def test_saves_keep_every_revision_and_move_draft_to_saved(
    server: Server,
) -> None:
    wf = await create(server, "fox ad")
    first = text_graph()
    result = await save(server, wf, first, 0)
    assert result["workflow"]["status"] == "SAVED"
    assert result["workflow"]["revision"] == 1
    second = text_graph()
    second["nodes"][0]["params"]["text"] = "a blue fox"
    result = await save(server, wf, second, 1)
    assert result["workflow"]["revision"] == 2

    tree = await data(server.url, REVISIONS, {"id": wf})
    assert [r["number"] for r in tree["workflow"]["revisions"]] == [2, 1]
    assert tree["workflow"]["revisions"][1]["definition"] == first
    assert tree["workflow"]["revisions"][0]["savedBy"] == "local"
    assert tree["first"]["definition"] == first
    assert tree["workflow"]["definition"] == second


async def test_a_stale_expected_revision_is_a_conflict_and_changes_nothing(
    server: Server,
) -> None:
    wf = await saved(server, text_graph())
    before = await counts()
    other = text_graph()
    other["nodes"][0]["params"]["text"] = "changed"
    result = await save(server, wf, other, 0)
    assert result["__typename"] == "ConflictError"
    assert result["code"] == "CONFLICT" and result["currentRevision"] == 1
    assert await counts() == before
    row = await models.Workflow.get(id=wf)
    assert row.revision == 1 and row.definition == text_graph()


async def test_two_racing_saves_one_wins_the_other_conflicts(server: Server) -> None:
    wf = await saved(server, text_graph())
    graphs = []
    for text in ("left", "right", "third"):
        g = text_graph()
        g["nodes"][0]["params"]["text"] = text
        graphs.append(g)
    results = await asyncio.gather(*(save(server, wf, g, 1) for g in graphs))
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["ConflictError", "ConflictError", "SaveWorkflowSuccess"], results
    winner = next(r for r in results if r["__typename"] == "SaveWorkflowSuccess")
    row = await models.Workflow.get(id=wf)
    assert row.revision == 2
    assert row.definition == winner["workflow"]["definition"]
    assert await models.WorkflowRevision.filter(workflow_id=wf).count() == 2


BAD_DEFINITIONS: dict[str, tuple[Any, str]] = {
    "cycle": (
        {
            "nodes": [node("a", "VideoStitcher"), node("b", "VideoStitcher")],
            "connections": [
                {"from": "a:video", "to": "b:videos"},
                {"from": "b:video", "to": "a:videos"},
            ],
        },
        "INVALID_INPUT",
    ),
    "missing node": (
        {
            "nodes": [node("o", "Output")],
            "connections": [{"from": "x:video", "to": "o:video"}],
        },
        "INVALID_INPUT",
    ),
    "missing port": (
        {
            "nodes": [node("a", "ImportVideo", url="http://x"), node("o", "Output")],
            "connections": [{"from": "a:audio", "to": "o:video"}],
        },
        "INVALID_INPUT",
    ),
    "duplicate ids": (
        {"nodes": [node("o", "Output"), node("o", "Output")], "connections": []},
        "INVALID_INPUT",
    ),
    "unknown type": (
        {"nodes": [node("o", "Warp")], "connections": []},
        "INVALID_INPUT",
    ),
    "params": (
        {"nodes": [node("a", "ImportVideo")], "connections": []},
        "INVALID_INPUT",
    ),
    "501 nodes": (
        {"nodes": [node(f"n{i}", "Output") for i in range(501)], "connections": []},
        "TOO_LARGE",
    ),
    "2001 connections": (
        {
            "nodes": [node("a", "ImportVideo", url="http://x"), node("o", "Output")],
            "connections": [{"from": "a:video", "to": "o:video"}] * 2001,
        },
        "TOO_LARGE",
    ),
    "over 1 MiB": (
        {
            "nodes": [node(f"n{i}", "Output", label="x" * 5000) for i in range(220)],
            "connections": [],
        },
        "TOO_LARGE",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
async def test_bad_definitions_are_refused_and_nothing_is_written(
    server: Server, case: str
) -> None:
    definition, code = BAD_DEFINITIONS[case]
    wf = await create(server)
    before = await counts()
    result = await save(server, wf, definition, 0)
    assert result["code"] == code, result
    assert await counts() == before
    row = await models.Workflow.get(id=wf)
    assert row.status is models.WorkflowStatus.DRAFT and row.revision == 0
    if case != "params":
        # The structural checks hold for drafts and new workflows as well.
        draft = await data(server.url, DRAFT, {"id": wf, "definition": definition})
        assert draft["updateWorkflowDraft"]["code"] == code
    assert (await models.Workflow.get(id=wf)).definition == {
        "nodes": [],
        "connections": [],
    }


async def test_a_draft_may_be_partial_but_not_broken(server: Server) -> None:
    wf = await create(server)
    partial = {"nodes": [node("a", "ImportVideo")], "connections": []}
    result = await data(server.url, DRAFT, {"id": wf, "definition": partial})
    assert result["updateWorkflowDraft"]["workflow"]["definition"] == partial
    assert result["updateWorkflowDraft"]["workflow"]["revision"] == 0


async def test_executing_a_draft_or_an_archived_workflow_is_refused(
    server: Server,
) -> None:
    wf = await create(server, definition=text_graph())
    before = await counts()
    result = await start(server, wf)
    assert result["code"] == "INVALID_STATE" and "DRAFT" in result["message"]
    assert await counts() == before

    wf = await saved(server, text_graph())
    archived = (await data(server.url, ARCHIVE, {"id": wf}))["archiveWorkflow"]
    assert archived["workflow"]["status"] == "ARCHIVED"
    before = await counts()
    result = await start(server, wf)
    assert result["code"] == "INVALID_STATE" and "ARCHIVED" in result["message"]
    assert (await save(server, wf, text_graph(), 1))["code"] == "INVALID_STATE"
    assert await counts() == before


async def test_restoring_a_revision_saves_it_as_the_next(server: Server) -> None:
    wf = await saved(server, text_graph())
    second = text_graph()
    second["nodes"][0]["params"]["text"] = "second"
    await save(server, wf, second, 1)
    result = (await data(server.url, RESTORE, {"id": wf, "n": 1, "expected": 2}))[
        "restoreWorkflowRevision"
    ]
    assert result["workflow"]["revision"] == 3
    assert result["workflow"]["definition"] == text_graph()
    stale = await data(server.url, RESTORE, {"id": wf, "n": 1, "expected": 2})
    assert stale["restoreWorkflowRevision"]["code"] == "CONFLICT"
    missing = await data(server.url, RESTORE, {"id": wf, "n": 9, "expected": 3})
    assert missing["restoreWorkflowRevision"]["code"] == "NOT_FOUND"


async def test_deleting_a_workflow_removes_its_rows_but_not_assets(
    server: Server,
) -> None:
    wf = await saved(server, text_graph())
    execution = (await start(server, wf))["execution"]["id"]
    asset = await models.Asset.create(
        owner_id="local",
        name="kept",
        source_type=models.SourceType.UPLOADED,
        status=models.AssetStatus.READY,
        kind=models.AssetKind.VIDEO,
    )
    await models.WorkflowVideo.create(
        workflow_id=wf,
        execution_id=execution,
        node_id="gen",
        node_type="VideoGeneration",
        role=models.WorkflowVideoRole.OUTPUT,
        asset_id=asset.id,
    )
    result = (await data(server.url, DELETE, {"id": wf}))["deleteWorkflow"]
    assert result["deletedId"] == wf
    left = await counts()
    assert (left["workflows"], left["revisions"], left["executions"]) == (0, 0, 0)
    assert (left["nodes"], left["links"]) == (0, 0)
    assert await models.Asset.filter(id=asset.id).exists()


CROSS = """
query ($id: ID!) {
  workflow(id: $id) { id }
  workflowRevision(workflowId: $id, number: 1) { number }
  workflowExecution(id: $id) { id }
}
"""


async def test_another_owners_workflow_reads_and_acts_as_unknown(
    server: Server,
) -> None:
    theirs = await models.Workflow.create(
        owner_id="someone-else",
        name="theirs",
        status=models.WorkflowStatus.SAVED,
        definition=text_graph(),
        revision=1,
    )
    revision = await models.WorkflowRevision.create(
        workflow_id=theirs.id, number=1, definition=text_graph(), saved_by="them"
    )
    execution = await models.WorkflowExecution.create(
        owner_id="someone-else",
        workflow_id=theirs.id,
        revision_id=revision.id,
        revision_number=1,
    )
    wid = str(theirs.id)
    read = await data(server.url, CROSS, {"id": wid})
    assert read == {
        "workflow": None,
        "workflowRevision": None,
        "workflowExecution": None,
    }
    assert (await data(server.url, CROSS, {"id": str(execution.id)}))[
        "workflowExecution"
    ] is None
    before = await counts()
    assert (await save(server, wid, text_graph(), 1))["code"] == "NOT_FOUND"
    assert (await start(server, wid))["code"] == "NOT_FOUND"
    for doc, variables in (
        (ARCHIVE, {"id": wid}),
        (DELETE, {"id": wid}),
        (DRAFT, {"id": wid, "definition": text_graph()}),
        (RESTORE, {"id": wid, "n": 1, "expected": 1}),
    ):
        result = next(iter((await data(server.url, doc, variables)).values()))
        assert result["code"] == "NOT_FOUND", result
    assert await counts() == before
    row = await models.Workflow.get(id=theirs.id)
    assert (row.status, row.revision, row.name) == (
        models.WorkflowStatus.SAVED,
        1,
        "theirs",
    )
    listed = await data(server.url, "{ workflows { totalCount } }")
    assert listed["workflows"]["totalCount"] == 0


async def test_node_types_list_the_registry(server: Server) -> None:
    types = (
        await data(
            server.url,
            "{ workflowNodeTypes { name serverRun paramsSchema "
            "inputs { name kind many } outputs { name kind } } }",
        )
    )["workflowNodeTypes"]
    names = {t["name"] for t in types}
    assert {"TextInput", "PromptGenerator", "VideoGeneration", "ImportVideo",
            "VideoStitcher", "Output"} <= names  # fmt: skip
    stitcher = next(t for t in types if t["name"] == "VideoStitcher")
    assert stitcher["inputs"] == [{"name": "videos", "kind": "video", "many": True}]
    generation = next(t for t in types if t["name"] == "VideoGeneration")
    assert generation["paramsSchema"]["required"] == ["provider", "model"]
