"""The workflow tree: Workflow -> revisions, executions -> node runs, videos.

Every nested field goes through the request's DataLoaders, so reading the whole
tree costs a fixed number of SQL statements whatever its size.
"""

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from gql_media import models
from gql_media.schema.assets.types import Asset
from gql_media.schema.common.context import Info
from gql_media.schema.common.pagination import Connection
from gql_media.schema.jobs.types import Job
from gql_media.schema.workflows.enums import (
    ExecutionStatus,
    NodeRunStatus,
    WorkflowStatus,
    WorkflowVideoRole,
)
from gql_media.services.workflows.nodes import NodeType, Port


@strawberry.type(description="A named input or output of a node type.")
class NodePort:
    name: str
    kind: str = strawberry.field(description='What travels on it: "text" or "video".')
    many: bool = strawberry.field(
        description="An input that takes several connections, in order."
    )

    @classmethod
    def of(cls, port: Port) -> "NodePort":
        return cls(name=port.name, kind=port.kind, many=port.many)


@strawberry.type(description="A node type of the registry: a frontend's palette.")
class WorkflowNodeType:
    name: str
    description: str
    inputs: list[NodePort]
    outputs: list[NodePort]
    params_schema: JSON = strawberry.field(
        description="The JSON schema a node's params must match when saved."
    )
    server_run: bool = strawberry.field(
        description="Run by the server during an execution; the others are "
        "reported with reportNodeRun."
    )

    @classmethod
    def of(cls, node_type: NodeType) -> "WorkflowNodeType":
        return cls(
            name=node_type.name,
            description=node_type.description,
            inputs=[NodePort.of(p) for p in node_type.inputs],
            outputs=[NodePort.of(p) for p in node_type.outputs],
            params_schema=cast(JSON, node_type.params_schema),
            server_run=node_type.server_run,
        )


@strawberry.type(description="A saved definition of a workflow, as it was saved.")
class WorkflowRevision:
    number: int
    definition: JSON
    saved_at: datetime
    saved_by: str = strawberry.field(description="The principal who saved it.")

    @classmethod
    def from_model(cls, row: models.WorkflowRevision) -> "WorkflowRevision":
        return cls(
            number=row.number,
            definition=cast(JSON, row.definition),
            saved_at=row.saved_at,
            saved_by=row.saved_by,
        )


@strawberry.type(description="An asset a node of an execution produced or consumed.")
class WorkflowVideo:
    id: strawberry.ID
    node_id: str
    node_type: str
    role: WorkflowVideoRole
    created_at: datetime
    workflow_id: strawberry.ID
    execution_id: strawberry.ID
    asset_id: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.WorkflowVideo) -> "WorkflowVideo":
        return cls(
            id=strawberry.ID(str(row.id)),
            node_id=row.node_id,
            node_type=row.node_type,
            role=row.role,
            created_at=row.created_at,
            workflow_id=strawberry.ID(str(row.workflow_id)),  # type: ignore[attr-defined]
            execution_id=strawberry.ID(str(row.execution_id)),  # type: ignore[attr-defined]
            asset_id=str(row.asset_id),  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The asset; null once deleted.")
    async def asset(self, info: Info) -> Asset | None:
        row = await info.context.loaders.assets_by_id.load(self.asset_id)
        return Asset.from_model(row) if row else None


@strawberry.type(description="The state of one node in one execution.")
class NodeRun:
    node_id: str
    node_type: str
    status: NodeRunStatus
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    outputs: JSON = strawberry.field(description="Values by output port name.")
    execution_id: strawberry.Private[str]
    job_id: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: models.NodeRun) -> "NodeRun":
        job_id = row.job_id  # type: ignore[attr-defined]
        return cls(
            node_id=row.node_id,
            node_type=row.node_type,
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            error=row.error_message,
            outputs=cast(JSON, row.outputs),
            execution_id=str(row.execution_id),  # type: ignore[attr-defined]
            job_id=str(job_id) if job_id else None,
        )

    @strawberry.field(description="The job the server runs for this node, if any.")
    async def job(self, info: Info) -> Job | None:
        if self.job_id is None:
            return None
        row = await info.context.loaders.jobs_by_id.load(self.job_id)
        return Job.from_model(row) if row else None

    @strawberry.field(description="The assets linked to this node.")
    async def videos(self, info: Info) -> list[WorkflowVideo]:
        loader = info.context.loaders.workflow_videos_by_execution_id
        rows = await loader.load(self.execution_id)
        return [WorkflowVideo.from_model(r) for r in rows if r.node_id == self.node_id]


@strawberry.type(description="One run of a saved revision of a workflow.")
class WorkflowExecution:
    id: strawberry.ID
    workflow_id: strawberry.ID
    revision_number: int = strawberry.field(description="The revision it runs.")
    status: ExecutionStatus
    started_at: datetime
    finished_at: datetime | None
    execution_data: JSON
    error: str | None
    event_revision: int = strawberry.field(
        description="Grows with every change of the execution or a node."
    )

    @classmethod
    def from_model(cls, row: models.WorkflowExecution) -> "WorkflowExecution":
        return cls(
            id=strawberry.ID(str(row.id)),
            workflow_id=strawberry.ID(str(row.workflow_id)),  # type: ignore[attr-defined]
            revision_number=row.revision_number,
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            execution_data=cast(JSON, row.execution_data),
            error=row.error_message,
            event_revision=row.event_revision,
        )

    @strawberry.field(description="The node runs, in topological order.")
    async def nodes(self, info: Info) -> list[NodeRun]:
        rows = await info.context.loaders.node_runs_by_execution_id.load(str(self.id))
        return [NodeRun.from_model(r) for r in rows]

    @strawberry.field(description="The assets linked to the execution's nodes.")
    async def videos(self, info: Info) -> list[WorkflowVideo]:
        loader = info.context.loaders.workflow_videos_by_execution_id
        return [WorkflowVideo.from_model(r) for r in await loader.load(str(self.id))]


@strawberry.type(description="A saved node graph.")
class Workflow:
    id: strawberry.ID
    name: str
    description: str
    status: WorkflowStatus
    definition: JSON = strawberry.field(
        description="The working copy: {nodes, connections}."
    )
    revision: int = strawberry.field(
        description="Grows by one with every save; 0 until the first."
    )
    created_at: datetime
    updated_at: datetime
    last_executed_at: datetime | None

    @classmethod
    def from_model(cls, row: models.Workflow) -> "Workflow":
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            description=row.description,
            status=row.status,
            definition=cast(JSON, row.definition),
            revision=row.revision,
            created_at=row.created_at,
            updated_at=row.updated_at,
            last_executed_at=row.last_executed_at,
        )

    @strawberry.field(description="The saved revisions, newest first.")
    async def revisions(self, info: Info) -> list[WorkflowRevision]:
        rows = await info.context.loaders.revisions_by_workflow_id.load(str(self.id))
        return [WorkflowRevision.from_model(r) for r in rows]

    @strawberry.field(description="The executions, newest first.")
    async def executions(self, info: Info) -> list[WorkflowExecution]:
        rows = await info.context.loaders.executions_by_workflow_id.load(str(self.id))
        return [WorkflowExecution.from_model(r) for r in rows]

    @strawberry.field(description="Every asset linked to a node of an execution.")
    async def videos(self, info: Info) -> list[WorkflowVideo]:
        loader = info.context.loaders.workflow_videos_by_workflow_id
        return [WorkflowVideo.from_model(r) for r in await loader.load(str(self.id))]


@strawberry.type(description="A page of workflows (Relay-style connection).")
class WorkflowConnection(Connection[Workflow]):
    pass
