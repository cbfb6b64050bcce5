"""Helpers for workflow tests: GraphQL documents, definitions, READY videos."""

from pathlib import Path
from typing import Any

from gql_media import models
from tests.conftest import Server, wait_for_job
from tests.support.graphql import data, upload

RESULT = "__typename ... on Error { code message }"

CREATE = f"""
mutation ($name: String!, $definition: JSON) {{
  createWorkflow(name: $name, definition: $definition) {{
    {RESULT} ... on CreateWorkflowSuccess {{ workflow {{ id status revision }} }}
  }}
}}
"""
SAVE = f"""
mutation ($id: ID!, $definition: JSON!, $expected: Int!) {{
  saveWorkflow(id: $id, definition: $definition, expectedRevision: $expected) {{
    {RESULT}
    ... on ConflictError {{ currentRevision }}
    ... on SaveWorkflowSuccess {{ workflow {{ id status revision definition }} }}
  }}
}}
"""
DRAFT = f"""
mutation ($id: ID!, $definition: JSON) {{
  updateWorkflowDraft(id: $id, definition: $definition) {{
    {RESULT} ... on UpdateWorkflowDraftSuccess {{ workflow {{ revision definition }} }}
  }}
}}
"""
ARCHIVE = f"""
mutation ($id: ID!) {{ archiveWorkflow(id: $id) {{ {RESULT}
  ... on ArchiveWorkflowSuccess {{ workflow {{ status }} }} }} }}
"""
RESTORE = f"""
mutation ($id: ID!, $n: Int!, $expected: Int!) {{
  restoreWorkflowRevision(workflowId: $id, number: $n, expectedRevision: $expected) {{
    {RESULT}
    ... on RestoreWorkflowRevisionSuccess {{ workflow {{ revision definition }} }}
  }}
}}
"""
DELETE = f"""
mutation ($id: ID!) {{ deleteWorkflow(id: $id) {{ {RESULT}
  ... on DeleteWorkflowSuccess {{ deletedId }} }} }}
"""
START = f"""
mutation ($id: ID!) {{
  startWorkflowExecution(workflowId: $id) {{
    {RESULT}
    ... on StartWorkflowExecutionSuccess {{ execution {{ id status revisionNumber }} }}
  }}
}}
"""
REPORT = f"""
mutation ($id: ID!, $node: String!, $status: NodeRunStatus!, $outputs: JSON) {{
  reportNodeRun(executionId: $id, nodeId: $node, status: $status, outputs: $outputs) {{
    {RESULT} ... on ReportNodeRunSuccess {{ node {{ nodeId status outputs }} }}
  }}
}}
"""
LINK = f"""
mutation ($id: ID!, $node: String!, $input: LinkVideoInput) {{
  linkWorkflowVideo(executionId: $id, nodeId: $node, input: $input) {{
    {RESULT} ... on LinkWorkflowVideoSuccess {{ link {{ nodeId role asset {{ id }} }}
    job {{ id }} }}
  }}
}}
"""
CANCEL = f"""
mutation ($id: ID!) {{ cancelWorkflowExecution(id: $id) {{ {RESULT}
  ... on CancelWorkflowExecutionSuccess {{ execution {{ status }} }} }} }}
"""
FINISH = f"""
mutation ($id: ID!) {{ finishWorkflowExecution(id: $id) {{ {RESULT}
  ... on FinishWorkflowExecutionSuccess {{ execution {{ status finishedAt }} }} }} }}
"""
STITCH = f"""
mutation ($input: StitchVideosInput!) {{
  stitchVideos(input: $input) {{
    {RESULT} ... on TooLargeError {{ limit }}
    ... on StitchVideosSuccess {{ asset {{ id status sourceType }} job {{ id }} }}
  }}
}}
"""


def node(node_id: str, type_: str, **params: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": type_,
        "params": params,
        "position": {"x": 0, "y": 0},
    }


def conn(a: str, b: str) -> dict[str, str]:
    return {"from": a, "to": b}


def stitch_graph(urls: list[str]) -> dict[str, Any]:
    """ImportVideo nodes -> a VideoStitcher -> an Output."""
    nodes = [node(f"import{i}", "ImportVideo", url=u) for i, u in enumerate(urls)]
    edges = [conn(f"import{i}:video", "stitch:videos") for i in range(len(urls))]
    nodes += [node("stitch", "VideoStitcher", name="joined"), node("out", "Output")]
    edges.append(conn("stitch:video", "out:video"))
    return {"nodes": nodes, "connections": edges}


def text_graph() -> dict[str, Any]:
    """A graph of client-run nodes (and a TextInput the server completes)."""
    return {
        "nodes": [
            node("text", "TextInput", text="a red fox"),
            node("prompt", "PromptGenerator"),
            node("gen", "VideoGeneration", provider="replicate", model="m"),
            node("out", "Output"),
        ],
        "connections": [
            conn("text:text", "prompt:text"),
            conn("prompt:prompt", "gen:prompt"),
            conn("gen:video", "out:video"),
        ],
    }


async def create(server: Server, name: str = "wf", definition: Any = None) -> str:
    result = (await data(server.url, CREATE, {"name": name, "definition": definition}))[
        "createWorkflow"
    ]
    assert result["__typename"] == "CreateWorkflowSuccess", result
    return str(result["workflow"]["id"])


async def save(server: Server, wf: str, definition: Any, expected: int) -> Any:
    variables = {"id": wf, "definition": definition, "expected": expected}
    return (await data(server.url, SAVE, variables))["saveWorkflow"]


async def saved(server: Server, definition: Any) -> str:
    wf = await create(server)
    result = await save(server, wf, definition, 0)
    assert result["__typename"] == "SaveWorkflowSuccess", result
    return wf


async def start(server: Server, wf: str) -> Any:
    return (await data(server.url, START, {"id": wf}))["startWorkflowExecution"]


async def ready_video(server: Server, path: Path) -> str:
    """Upload a clip and wait until its asset is READY; returns its id."""
    response = await upload(server.url, path)
    result = response.json()["data"]["uploadAsset"]
    assert result["__typename"] == "UploadAssetSuccess", result
    if result["job"] is not None:
        job = await wait_for_job(result["job"]["id"])
        assert job.status is models.JobStatus.SUCCEEDED, job.error_message
    return str(result["asset"]["id"])


async def counts() -> dict[str, int]:
    """Rows of the workflow tables, to show that a refusal wrote nothing."""
    return {
        "workflows": await models.Workflow.all().count(),
        "revisions": await models.WorkflowRevision.all().count(),
        "executions": await models.WorkflowExecution.all().count(),
        "nodes": await models.NodeRun.all().count(),
        "links": await models.WorkflowVideo.all().count(),
        "assets": await models.Asset.all().count(),
        "jobs": await models.Job.all().count(),
    }
