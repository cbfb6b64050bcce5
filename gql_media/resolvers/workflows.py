"""Workflow root fields: saved graphs, revisions, executions, stitching, progress."""

from collections.abc import AsyncGenerator
from typing import Any, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from gql_media import models
from gql_media.errors import InvalidInput
from gql_media.kit.ids import is_uuid
from gql_media.schema.assets.types import Asset
from gql_media.schema.common.context import Info
from gql_media.schema.common.live import deliver
from gql_media.schema.common.mutations import mutation
from gql_media.schema.jobs.types import Job
from gql_media.schema.workflows import results
from gql_media.schema.workflows.enums import (
    ExecutionStatus,
    NodeRunStatus,
    WorkflowOrder,
    WorkflowVideoRole,
)
from gql_media.schema.workflows.events import WorkflowExecutionEvent
from gql_media.schema.workflows.inputs import (
    LinkVideoInput,
    StitchVideosInput,
    WorkflowFilter,
)
from gql_media.schema.workflows.types import (
    NodeRun,
    Workflow,
    WorkflowConnection,
    WorkflowExecution,
    WorkflowNodeType,
    WorkflowRevision,
    WorkflowVideo,
)
from gql_media.services.assets.validation import ReceivedFile
from gql_media.services.workflows import editing, executions, queries
from gql_media.services.workflows.nodes import NODE_TYPES
from gql_media.services.workflows.progress import follow_execution
from gql_media.services.workflows.runs import ExecutionState
from gql_media.services.workflows.stitching import StitchRequest


def _object(value: JSON | None, field: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput(f"{field} must be a JSON object", field)
    return cast(dict[str, Any], value)


@strawberry.type
class WorkflowQuery:
    @strawberry.field(description="One workflow by id; null if unknown.")
    async def workflow(self, info: Info, id: strawberry.ID) -> Workflow | None:
        if not is_uuid(id):
            return None
        row = await info.context.loaders.workflows_by_id.load(id)
        if row is None or row.owner_id != info.context.owner_id:
            return None
        return Workflow.from_model(row)

    @strawberry.field(
        description="The owner's workflows, newest first by default; `first` <= 100."
    )
    async def workflows(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: WorkflowFilter | None = None,
        order_by: WorkflowOrder = WorkflowOrder.CREATED_AT_DESC,
    ) -> WorkflowConnection:
        f = filter or WorkflowFilter()
        search = queries.WorkflowSearch(status=f.status, text=f.text)
        page = await queries.search_workflows(
            info.context.owner_id, search, order_by.value, first, after
        )
        return WorkflowConnection.of(page, Workflow.from_model)

    @strawberry.field(description="One saved revision of a workflow; null if unknown.")
    async def workflow_revision(
        self, info: Info, workflow_id: strawberry.ID, number: int
    ) -> WorkflowRevision | None:
        if not is_uuid(workflow_id):
            return None
        row = await models.WorkflowRevision.get_or_none(
            workflow_id=workflow_id,
            workflow__owner_id=info.context.owner_id,
            number=number,
        )
        return WorkflowRevision.from_model(row) if row else None

    @strawberry.field(description="One execution by id; null if unknown.")
    async def workflow_execution(
        self, info: Info, id: strawberry.ID
    ) -> WorkflowExecution | None:
        if not is_uuid(id):
            return None
        row = await models.WorkflowExecution.get_or_none(
            id=id, owner_id=info.context.owner_id
        )
        return WorkflowExecution.from_model(row) if row else None

    @strawberry.field(description="The node types a definition may use.")
    def workflow_node_types(self) -> list[WorkflowNodeType]:
        return [WorkflowNodeType.of(t) for t in NODE_TYPES.values()]


@strawberry.type
class WorkflowMutation:
    @mutation(description="Create a DRAFT workflow.")
    async def create_workflow(
        self,
        info: Info,
        name: str,
        description: str = "",
        definition: JSON | None = None,
    ) -> results.CreateWorkflowResult:
        row = await editing.create(
            info.context.owner_id,
            name,
            description,
            _object(definition, "definition"),
        )
        return results.CreateWorkflowSuccess(workflow=Workflow.from_model(row))

    @mutation(
        description="Check the definition fully and save it as the next revision "
        "(DRAFT becomes SAVED). A stale expectedRevision is a CONFLICT."
    )
    async def save_workflow(
        self, info: Info, id: strawberry.ID, definition: JSON, expected_revision: int
    ) -> results.SaveWorkflowResult:
        ctx = info.context
        checked = _object(definition, "definition") or {}
        row = await editing.save(
            ctx.owner_id, id, checked, expected_revision, ctx.principal
        )
        return results.SaveWorkflowSuccess(workflow=Workflow.from_model(row))

    @mutation(
        description="Change the working copy (a partial graph is fine, params are "
        "checked at the save), the name or the description."
    )
    async def update_workflow_draft(
        self,
        info: Info,
        id: strawberry.ID,
        definition: JSON | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> results.UpdateWorkflowDraftResult:
        row = await editing.update_draft(
            info.context.owner_id,
            id,
            name=name,
            description=description,
            definition=_object(definition, "definition"),
        )
        return results.UpdateWorkflowDraftSuccess(workflow=Workflow.from_model(row))

    @mutation(description="Archive a workflow: it can no longer run or be saved.")
    async def archive_workflow(
        self, info: Info, id: strawberry.ID
    ) -> results.ArchiveWorkflowResult:
        row = await editing.archive(info.context.owner_id, id)
        return results.ArchiveWorkflowSuccess(workflow=Workflow.from_model(row))

    @mutation(description="Save an earlier revision's definition as the next one.")
    async def restore_workflow_revision(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        number: int,
        expected_revision: int,
    ) -> results.RestoreWorkflowRevisionResult:
        ctx = info.context
        row = await editing.restore_revision(
            ctx.owner_id, workflow_id, number, expected_revision, ctx.principal
        )
        return results.RestoreWorkflowRevisionSuccess(workflow=Workflow.from_model(row))

    @mutation(
        description="Delete a workflow, its revisions, executions and links (the "
        "assets stay); stops the jobs its executions started."
    )
    async def delete_workflow(
        self, info: Info, id: strawberry.ID
    ) -> results.DeleteWorkflowResult:
        ctx = info.context
        deleted = await editing.delete(ctx.runtime, ctx.owner_id, id)
        return results.DeleteWorkflowSuccess(deleted_id=strawberry.ID(deleted))

    @mutation(
        description="Run the current saved revision of a SAVED workflow; the server "
        "runs TextInput, ImportVideo, VideoStitcher and Output nodes itself."
    )
    async def start_workflow_execution(
        self, info: Info, workflow_id: strawberry.ID, execution_data: JSON | None = None
    ) -> results.StartWorkflowExecutionResult:
        ctx = info.context
        row = await executions.start(
            ctx.runtime,
            ctx.owner_id,
            workflow_id,
            _object(execution_data, "executionData"),
        )
        return results.StartWorkflowExecutionSuccess(
            execution=WorkflowExecution.from_model(row)
        )

    @mutation(
        description="Report a node that runs in the client or an external engine "
        "(RUNNING, COMPLETED with its outputs, or FAILED)."
    )
    async def report_node_run(
        self,
        info: Info,
        execution_id: strawberry.ID,
        node_id: str,
        status: NodeRunStatus,
        outputs: JSON | None = None,
        error: str | None = None,
    ) -> results.ReportNodeRunResult:
        ctx = info.context
        row = await executions.report_node(
            ctx.runtime,
            ctx.owner_id,
            execution_id,
            node_id,
            status,
            _object(outputs, "outputs"),
            error,
        )
        return results.ReportNodeRunSuccess(node=NodeRun.from_model(row))

    @mutation(
        description="Link an asset to a node of an execution: an existing video, a "
        "URL to import, or an upload (multipart, GraphQL-Require-Preflight)."
    )
    async def link_workflow_video(
        self,
        info: Info,
        execution_id: strawberry.ID,
        node_id: str,
        input: LinkVideoInput | None = None,
        file: Upload | None = None,
        role: WorkflowVideoRole = WorkflowVideoRole.OUTPUT,
    ) -> results.LinkWorkflowVideoResult:
        ctx = info.context
        given = input or LinkVideoInput()
        if file is not None and not isinstance(file, ReceivedFile):
            raise InvalidInput("file must be a multipart upload", field="file")
        source = executions.LinkSource(
            asset_id=given.asset_id, url=given.url, file=file
        )
        row, job = await executions.link_video(
            ctx.runtime, ctx.owner_id, execution_id, node_id, role, source
        )
        return results.LinkWorkflowVideoSuccess(
            link=WorkflowVideo.from_model(row),
            job=Job.from_model(job) if job else None,
        )

    @mutation(description="End a RUNNING execution as COMPLETED or FAILED.")
    async def finish_workflow_execution(
        self,
        info: Info,
        id: strawberry.ID,
        status: ExecutionStatus = ExecutionStatus.COMPLETED,
        error: str | None = None,
    ) -> results.FinishWorkflowExecutionResult:
        ctx = info.context
        row = await executions.finish(ctx.runtime, ctx.owner_id, id, status, error)
        return results.FinishWorkflowExecutionSuccess(
            execution=WorkflowExecution.from_model(row)
        )

    @mutation(description="Cancel a RUNNING execution and the jobs it started.")
    async def cancel_workflow_execution(
        self, info: Info, id: strawberry.ID
    ) -> results.CancelWorkflowExecutionResult:
        ctx = info.context
        row = await executions.cancel(ctx.runtime, ctx.owner_id, id)
        return results.CancelWorkflowExecutionSuccess(
            execution=WorkflowExecution.from_model(row)
        )

    @mutation(
        description="Join 2 to 100 READY videos, in order, into a new STITCHED asset "
        "(a job): stream copy when they match, else one re-encode."
    )
    async def stitch_videos(
        self, info: Info, input: StitchVideosInput
    ) -> results.StitchVideosResult:
        ctx = info.context
        request = StitchRequest(
            [str(i) for i in input.asset_ids], name=input.name, tags=list(input.tags)
        )
        asset, job = await executions.stitch(
            ctx.runtime,
            ctx.owner_id,
            request,
            input.workflow_execution_id,
            input.node_id,
        )
        return results.StitchVideosSuccess(
            asset=Asset.from_model(asset), job=Job.from_model(job)
        )


@strawberry.type
class WorkflowSubscription:
    @strawberry.subscription(
        description="The execution's state now, then an event per change of it or "
        "one of its nodes; completes once it is COMPLETED, FAILED or CANCELED."
    )
    async def workflow_execution_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[WorkflowExecutionEvent, None]:
        ctx = info.context
        row = await executions.get_execution(ctx.owner_id, id)  # NotFound
        first = ExecutionState.from_model(row)
        states = follow_execution(ctx.runtime, row.id, first)
        # Fresh loaders per event, or no execution per event (live.deliver).
        async for event in deliver(info, states, WorkflowExecutionEvent.from_state):
            yield event
