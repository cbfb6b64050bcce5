"""Running the nodes the server runs itself, as soon as their inputs are there.

`advance` walks the executed revision in topological order and starts every
PENDING server-run node whose upstream nodes have COMPLETED: `TextInput` and
`Output` complete at once, `ImportVideo` starts an import job, `VideoStitcher` a
stitch job. The job follower (`FOLLOWER`, registered in wiring.py) completes or
fails the node when its job ends and advances the execution again. An
execution whose nodes have all COMPLETED is COMPLETED.
"""

import logging
from typing import Any

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import GqlMediaError
from gql_media.kit.clock import now
from gql_media.models import (
    ExecutionStatus,
    JobKind,
    JobStatus,
    NodeRunStatus,
    WorkflowVideoRole,
)
from gql_media.runtime import JobFollower, Runtime
from gql_media.services.assets import imports
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import AssetDetails
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.workflows import graph, runs, stitching
from gql_media.services.workflows.nodes import NODE_TYPES

logger = logging.getLogger(__name__)

FOLLOWED_KINDS = (JobKind.IMPORT_URL, JobKind.STITCH)


async def advance(runtime: Runtime, execution_id: object) -> None:
    """Start or complete every server-run node that is ready, until none is."""
    while True:
        execution = await models.WorkflowExecution.get_or_none(id=execution_id)
        if execution is None or execution.status.is_finished:
            return
        revision = await models.WorkflowRevision.get(id=execution.revision_id)  # type: ignore[attr-defined]
        checked = graph.check(revision.definition, full=False)
        rows = await models.NodeRun.filter(execution_id=execution.id)
        by_node = {r.node_id: r for r in rows}
        if all(r.status is NodeRunStatus.COMPLETED for r in rows):
            await runs.end_execution(runtime, execution.id, ExecutionStatus.COMPLETED)
            return
        ready = [
            node_id
            for node_id in checked.order
            if by_node[node_id].status is NodeRunStatus.PENDING
            and NODE_TYPES[checked.nodes[node_id]["type"]].server_run
            and all(
                by_node[e.source].status is NodeRunStatus.COMPLETED
                for e in checked.inputs_of(node_id)
            )
        ]
        if not ready:
            return
        for node_id in ready:
            run = by_node[node_id]
            try:
                await _start(
                    runtime, execution, checked, run, _inputs(checked, by_node, node_id)
                )
            except GqlMediaError as error:
                fresh = await models.NodeRun.get(id=run.id)
                if fresh.status is not NodeRunStatus.PENDING:
                    continue  # another advance started it first
                await runs.fail_node(runtime, run, f"{error.code}: {error.message}")
                return


def _inputs(
    checked: graph.Graph, by_node: dict[str, models.NodeRun], node_id: str
) -> dict[str, list[Any]]:
    """Each input port's values, in the order of the connections."""
    values: dict[str, list[Any]] = {}
    for edge in checked.inputs_of(node_id):
        produced = by_node[edge.source].outputs.get(edge.output)
        items = produced if isinstance(produced, list) else [produced]
        values.setdefault(edge.input, []).extend(v for v in items if v is not None)
    return values


async def _start(
    runtime: Runtime,
    execution: models.WorkflowExecution,
    checked: graph.Graph,
    run: models.NodeRun,
    inputs: dict[str, list[Any]],
) -> None:
    node = checked.nodes[run.node_id]
    params: dict[str, Any] = node.get("params", {})
    match node["type"]:
        case "TextInput":
            await runs.move_node(
                runtime, run, NodeRunStatus.COMPLETED, outputs={"text": params["text"]}
            )
        case "Output":
            videos = inputs.get("video", [])
            for asset_id in videos:
                await runs.link(
                    execution, run.node_id, "Output", WorkflowVideoRole.OUTPUT, asset_id
                )
            await runs.move_node(
                runtime, run, NodeRunStatus.COMPLETED, outputs={"video": videos}
            )
        case "ImportVideo":
            await _start_import(runtime, execution, run, params["url"])
        case "VideoStitcher":
            videos = [str(v) for v in inputs.get("videos", [])]
            request = stitching.StitchRequest(
                videos, name=params.get("name"), tags=params.get("tags")
            )
            await stitching.start(runtime, execution.owner_id, request, node_run=run)
            for asset_id in videos:
                await runs.link(
                    execution, run.node_id, "VideoStitcher", WorkflowVideoRole.INPUT,
                    asset_id,
                )  # fmt: skip
            await runs.changed(runtime, execution.id, run.node_id)


async def _start_import(
    runtime: Runtime,
    execution: models.WorkflowExecution,
    run: models.NodeRun,
    url: str,
) -> None:
    await imports.check_url(runtime, url)  # outside the transaction: DNS
    details = AssetDetails(
        metadata={"workflowExecutionId": str(execution.id), "nodeId": run.node_id}
    )
    async with in_transaction():
        _asset, job = await assets.insert_import(
            runtime, execution.owner_id, url, details
        )
        moved = await models.NodeRun.filter(
            id=run.id, status=NodeRunStatus.PENDING
        ).update(status=NodeRunStatus.RUNNING, job_id=job.id, started_at=now())
        if not moved:
            # Another advance started it first: drop our rows with the transaction.
            raise _AlreadyStarted("another advance started the node")
    await jobs.enqueue(runtime, job.id)
    await runs.changed(runtime, execution.id, run.node_id)


class _AlreadyStarted(GqlMediaError):
    code = "ALREADY_STARTED"


async def on_job_end(runtime: Runtime, job: models.Job) -> None:
    """Complete or fail the node run that follows `job`, then advance."""
    if job.kind not in FOLLOWED_KINDS:
        return
    followers = await models.NodeRun.filter(job_id=job.id, status=NodeRunStatus.RUNNING)
    for run in followers:
        if job.status is JobStatus.SUCCEEDED and job.asset_id is not None:  # type: ignore[attr-defined]
            asset_id = str(job.asset_id)  # type: ignore[attr-defined]
            execution = await models.WorkflowExecution.get(id=run.execution_id)  # type: ignore[attr-defined]
            await runs.link(
                execution, run.node_id, run.node_type, WorkflowVideoRole.OUTPUT,
                asset_id,
            )  # fmt: skip
            await runs.move_node(
                runtime, run, NodeRunStatus.COMPLETED, outputs={"video": [asset_id]}
            )
            await advance(runtime, run.execution_id)  # type: ignore[attr-defined]
        else:
            reason = f"{job.error_code or job.status.value}: {job.error_message or ''}"
            await runs.fail_node(runtime, run, reason.strip().rstrip(":"))


FOLLOWER = JobFollower("workflows", on_job_end)
