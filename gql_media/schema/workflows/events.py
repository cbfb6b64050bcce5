"""The events of one execution, as its progress subscription sends them."""

import strawberry

from gql_media import models
from gql_media.schema.common.context import Info
from gql_media.schema.workflows.enums import ExecutionStatus
from gql_media.schema.workflows.types import NodeRun, WorkflowExecution
from gql_media.services.workflows.runs import ExecutionState


@strawberry.type(description="An execution's state after it or one of its nodes "
                 "changed.")  # fmt: skip
class WorkflowExecutionEvent:
    execution_id: strawberry.ID
    revision: int = strawberry.field(description="Grows with every change.")
    status: ExecutionStatus
    is_finished: bool = strawberry.field(
        description="COMPLETED, FAILED or CANCELED: the last event."
    )
    node_id: str | None = strawberry.field(
        description="The node that changed; null when the execution did."
    )

    @classmethod
    def from_state(cls, state: ExecutionState) -> "WorkflowExecutionEvent":
        return cls(
            execution_id=strawberry.ID(state.id),
            revision=state.revision,
            status=state.status,
            is_finished=state.is_finished,
            node_id=state.node_id,
        )

    @strawberry.field(description="The execution as it is now.")
    async def execution(self, info: Info) -> WorkflowExecution | None:
        row = await models.WorkflowExecution.get_or_none(id=self.execution_id)
        return WorkflowExecution.from_model(row) if row else None

    @strawberry.field(description="The node that changed, as it is now.")
    async def node(self, info: Info) -> NodeRun | None:
        if self.node_id is None:
            return None
        loader = info.context.loaders.node_runs_by_execution_id
        rows = await loader.load(str(self.execution_id))
        return next(
            (NodeRun.from_model(r) for r in rows if r.node_id == self.node_id), None
        )
