"""Follow an execution's progress: read the row, then its bus channel
(`workflowExecutionProgress`)."""

from collections.abc import AsyncIterator
from typing import Any

from gql_media import models
from gql_media.runtime import Runtime
from gql_media.services.follow import Followed, follow
from gql_media.services.workflows.runs import ExecutionState, execution_channel


def execution(execution_id: Any) -> Followed[ExecutionState]:
    """How to follow an execution row (a deleted workflow ends the stream)."""

    async def read() -> ExecutionState | None:
        row = await models.WorkflowExecution.get_or_none(id=execution_id)
        return ExecutionState.from_model(row) if row else None

    return Followed(
        name=f"workflow execution {execution_id}",
        channel=execution_channel(execution_id),
        read=read,
        parse=ExecutionState.from_event,
        newer=lambda new, seen: new.revision > seen.revision,
        finished=lambda state: state.is_finished,
        readable="the execution stays readable with workflowExecution(id)",
    )


def follow_execution(
    runtime: Runtime, execution_id: Any, first: ExecutionState | None = None
) -> AsyncIterator[ExecutionState]:
    """`follow` an execution on the runtime's bus with the configured grace."""
    grace = runtime.settings.bus_unavailable_grace_seconds
    return follow(execution(execution_id), runtime.bus, grace, first)
