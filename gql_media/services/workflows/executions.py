"""Execution use cases: start a run of the saved revision, report nodes that run
elsewhere, link videos to nodes, finish and cancel."""

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound
from gql_media.kit.clock import now
from gql_media.kit.ids import get_owned
from gql_media.models import (
    AssetStatus,
    ExecutionStatus,
    NodeRunStatus,
    WorkflowVideoRole,
)
from gql_media.runtime import Runtime
from gql_media.services.assets import imports
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import (
    AssetDetails,
    ReceivedFile,
    check_json_object,
)
from gql_media.services.workflows import graph, runs, scheduler, stitching
from gql_media.services.workflows.editing import get_workflow
from gql_media.services.workflows.nodes import NODE_TYPES
from gql_media.services.workflows.state import (
    check_execution_move,
    check_node_move,
    check_workflow_allows,
)


async def get_execution(
    owner_id: str, execution_id: object
) -> models.WorkflowExecution:
    return await get_owned(
        models.WorkflowExecution, owner_id, execution_id, "workflow execution"
    )


async def start(
    runtime: Runtime, owner_id: str, workflow_id: object, data: dict[str, Any] | None
) -> models.WorkflowExecution:
    """A RUNNING execution of the workflow's current saved revision, with a
    PENDING node run per node; the server-run nodes that are ready start now."""
    workflow = await get_workflow(owner_id, workflow_id)
    check_workflow_allows(workflow.status, "execute")
    if data is not None:
        check_json_object(data, "executionData")
    revision = await models.WorkflowRevision.get(
        workflow_id=workflow.id, number=workflow.revision
    )
    checked = graph.check(revision.definition, full=False)
    async with in_transaction():
        execution = await models.WorkflowExecution.create(
            owner_id=owner_id,
            workflow_id=workflow.id,
            revision_id=revision.id,
            revision_number=revision.number,
            execution_data=data or {},
        )
        await models.NodeRun.bulk_create(
            [
                models.NodeRun(
                    execution_id=execution.id,
                    node_id=node_id,
                    node_type=checked.nodes[node_id]["type"],
                    position=position,
                )
                for position, node_id in enumerate(checked.order)
            ]
        )
        await models.Workflow.filter(id=workflow.id).update(last_executed_at=now())
    await scheduler.advance(runtime, execution.id)
    return await models.WorkflowExecution.get(id=execution.id)


async def _running(owner_id: str, execution_id: object) -> models.WorkflowExecution:
    execution = await get_execution(owner_id, execution_id)
    if execution.status is not ExecutionStatus.RUNNING:
        raise InvalidState(f"the execution is {execution.status.value}")
    return execution


async def _node(execution: models.WorkflowExecution, node_id: str) -> models.NodeRun:
    run = await models.NodeRun.get_or_none(execution_id=execution.id, node_id=node_id)
    if run is None:
        raise NotFound(f"the execution has no node {node_id!r}")
    return run


async def _video_ids(owner_id: str, value: object, where: str) -> list[str]:
    """A video output: a list of the owner's READY, live, unarchived videos."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{where} must be a list of asset ids", "outputs")
    for asset_id in value:
        row = await assets.get_asset(owner_id, asset_id)  # NotFound
        stitching.check_usable(row)
    return list(value)


async def report_node(
    runtime: Runtime,
    owner_id: str,
    execution_id: object,
    node_id: str,
    status: NodeRunStatus,
    outputs: dict[str, Any] | None,
    error: str | None,
) -> models.NodeRun:
    """Record the state of a node that runs in the client or an engine."""
    execution = await _running(owner_id, execution_id)
    run = await _node(execution, node_id)
    node_type = NODE_TYPES[run.node_type]
    if node_type.server_run:
        raise InvalidState(f"node {node_id!r} ({run.node_type}) is run by the server")
    check_node_move(NodeRunStatus(run.status), status)
    clean: dict[str, Any] = {}
    if outputs is not None:
        check_json_object(outputs, "outputs")
        for name, value in outputs.items():
            port = node_type.output(name)
            if port is None:
                raise InvalidInput(f"{run.node_type} has no output {name!r}", "outputs")
            if port.kind == "video":
                value = await _video_ids(owner_id, value, f"outputs.{name}")
            clean[name] = value
    fields: dict[str, Any] = {"outputs": clean} if outputs is not None else {}
    if status is NodeRunStatus.FAILED:
        await runs.fail_node(runtime, run, error or "reported failed")
    else:
        if not await runs.move_node(runtime, run, status, **fields):
            raise InvalidState(f"node {node_id!r} changed meanwhile; read it again")
        for asset_id in clean.get("video", []):
            await runs.link(
                execution, node_id, run.node_type, WorkflowVideoRole.OUTPUT, asset_id
            )
        if status is NodeRunStatus.COMPLETED:
            await scheduler.advance(runtime, execution.id)
    return await models.NodeRun.get(id=run.id)


@dataclass(frozen=True)
class LinkSource:
    asset_id: str | None = None
    url: str | None = None
    file: ReceivedFile | None = None


async def link_video(
    runtime: Runtime,
    owner_id: str,
    execution_id: object,
    node_id: str,
    role: WorkflowVideoRole,
    source: LinkSource,
) -> tuple[models.WorkflowVideo, models.Job | None]:
    """Link an asset to a node: an existing video, a URL to import, or an upload."""
    execution = await get_execution(owner_id, execution_id)
    run = await _node(execution, node_id)
    given = [s for s in (source.asset_id, source.url, source.file) if s is not None]
    if len(given) != 1:
        raise InvalidInput("give exactly one of assetId, url and file", "input")
    job = None
    if source.asset_id is not None:
        asset = await assets.get_asset(owner_id, source.asset_id)
        stitching.check_usable(asset)
    elif source.url is not None:
        details = AssetDetails(kind=models.AssetKind.VIDEO)
        asset, job = await imports.start_import(runtime, owner_id, source.url, details)
    else:
        assert source.file is not None
        details = AssetDetails(kind=models.AssetKind.VIDEO)
        asset, job, _ = await assets.create_from_upload(
            runtime, owner_id, source.file, details
        )
        if asset.status is AssetStatus.FAILED:
            raise InvalidState("the uploaded file failed before")
    row = await runs.link(execution, node_id, run.node_type, role, asset.id)
    await runs.changed(runtime, execution.id, node_id)
    return row, job


async def finish(
    runtime: Runtime,
    owner_id: str,
    execution_id: object,
    status: ExecutionStatus,
    error: str | None,
) -> models.WorkflowExecution:
    """End an execution by hand (COMPLETED or FAILED); open nodes are CANCELED."""
    execution = await get_execution(owner_id, execution_id)
    if status not in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED):
        raise InvalidInput("status must be COMPLETED or FAILED", "status")
    check_execution_move(ExecutionStatus(execution.status), status)
    if not await runs.end_execution(runtime, execution.id, status, error):
        raise InvalidState("the execution ended meanwhile")
    return await models.WorkflowExecution.get(id=execution.id)


async def cancel(
    runtime: Runtime, owner_id: str, execution_id: object
) -> models.WorkflowExecution:
    """Cancel a RUNNING execution and the jobs it started."""
    execution = await get_execution(owner_id, execution_id)
    check_execution_move(ExecutionStatus(execution.status), ExecutionStatus.CANCELED)
    await runs.end_execution(runtime, execution.id, ExecutionStatus.CANCELED)
    return await models.WorkflowExecution.get(id=execution.id)


async def stitch(
    runtime: Runtime,
    owner_id: str,
    request: stitching.StitchRequest,
    execution_id: object | None,
    node_id: str | None,
) -> tuple[models.Asset, models.Job]:
    """`stitchVideos`: on its own, or as a PENDING VideoStitcher node's work."""
    if (execution_id is None) != (node_id is None):
        raise InvalidInput("give both workflowExecutionId and nodeId, or neither")
    if execution_id is None or node_id is None:
        return await stitching.start(runtime, owner_id, request)
    execution = await _running(owner_id, execution_id)
    run = await _node(execution, node_id)
    if run.node_type != "VideoStitcher":
        raise InvalidState(
            f"node {node_id!r} is a {run.node_type}, not a VideoStitcher"
        )
    asset, job = await stitching.start(runtime, owner_id, request, node_run=run)
    await runs.changed(runtime, execution.id, node_id)
    return asset, job
