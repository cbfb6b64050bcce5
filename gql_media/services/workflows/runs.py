"""Moving executions and node runs, recording links, and telling subscribers.

Every change bumps `WorkflowExecution.event_revision` and publishes an
`ExecutionState` on `workflow_execution:<id>`. Status moves are compare-and-set
UPDATEs checked against the tables of `state.py`, so a repeated job end or two
racing reports move a row once.
"""

import logging
from dataclasses import asdict, dataclass
from typing import Any

from tortoise.expressions import F

from gql_media import models
from gql_media.kit.clock import now
from gql_media.models import ExecutionStatus, NodeRunStatus, WorkflowVideoRole
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.workflows.state import EXECUTION_MOVES, NODE_MOVES

logger = logging.getLogger(__name__)


def execution_channel(execution_id: object) -> str:
    """The bus channel of one execution and its node runs."""
    return f"workflow_execution:{execution_id}"


@dataclass(frozen=True)
class ExecutionState:
    """What an execution event carries: its status as of `revision`, and the
    node whose change it reports (None for the execution itself)."""

    id: str
    status: ExecutionStatus
    revision: int
    node_id: str | None = None

    @classmethod
    def from_model(
        cls, row: models.WorkflowExecution, node_id: str | None = None
    ) -> "ExecutionState":
        return cls(
            str(row.id), ExecutionStatus(row.status), row.event_revision, node_id
        )

    @property
    def is_finished(self) -> bool:
        return self.status.is_finished

    def to_event(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> "ExecutionState":
        return cls(**{**event, "status": ExecutionStatus(event["status"])})


async def changed(
    runtime: Runtime, execution_id: object, node_id: str | None = None
) -> None:
    """Bump the execution's event revision and publish its state."""
    await models.WorkflowExecution.filter(id=execution_id).update(
        event_revision=F("event_revision") + 1
    )
    row = await models.WorkflowExecution.get(id=execution_id)
    try:
        event = ExecutionState.from_model(row, node_id).to_event()
        await runtime.bus.publish(execution_channel(row.id), event)
    except Exception as exc:  # any transport error; the rows are the truth
        logger.warning("execution %s: event not published: %s", row.id, exc)


async def move_node(
    runtime: Runtime,
    run: models.NodeRun,
    target: NodeRunStatus,
    **fields: Any,
) -> bool:
    """Move a node run to `target` if the table allows it from its current row
    status; False when another path moved it first."""
    sources = [s for s, moves in NODE_MOVES.items() if target in moves]
    if target is NodeRunStatus.RUNNING:
        fields.setdefault("started_at", now())
    elif target.is_finished:
        fields.setdefault("finished_at", now())
    moved = await models.NodeRun.filter(id=run.id, status__in=sources).update(
        status=target, **fields
    )
    if moved:
        await changed(runtime, run.execution_id, run.node_id)  # type: ignore[attr-defined]
    return bool(moved)


async def link(
    execution: models.WorkflowExecution,
    node_id: str,
    node_type: str,
    role: WorkflowVideoRole,
    asset_id: object,
) -> models.WorkflowVideo:
    """The link of an asset to a node (made once; a repeat returns it)."""
    row, _ = await models.WorkflowVideo.get_or_create(
        execution_id=execution.id,
        node_id=node_id,
        asset_id=asset_id,
        role=role,
        defaults={
            "workflow_id": execution.workflow_id,  # type: ignore[attr-defined]
            "node_type": node_type,
        },
    )
    return row


async def end_execution(
    runtime: Runtime,
    execution_id: object,
    status: ExecutionStatus,
    error: str | None = None,
) -> bool:
    """Finish a RUNNING execution; unfinished node runs become CANCELED and
    their jobs are stopped. False when it had finished already."""
    sources = [s for s, moves in EXECUTION_MOVES.items() if status in moves]
    moved = await models.WorkflowExecution.filter(
        id=execution_id, status__in=sources
    ).update(status=status, finished_at=now(), error_message=error)
    if not moved:
        return False
    open_runs = await models.NodeRun.filter(
        execution_id=execution_id,
        status__in=[NodeRunStatus.PENDING, NodeRunStatus.RUNNING],
    )
    # Rows first: when a stopped job ends, its follower finds nothing RUNNING.
    await models.NodeRun.filter(id__in=[r.id for r in open_runs]).update(
        status=NodeRunStatus.CANCELED, finished_at=now()
    )
    job_ids = [r.job_id for r in open_runs if r.job_id]  # type: ignore[attr-defined]
    for job in await models.Job.filter(id__in=job_ids, status__in=jobs.ACTIVE):
        await jobs.halt(runtime, job, f"the workflow execution is {status.value}")
    await changed(runtime, execution_id)
    logger.info("execution %s ended %s", execution_id, status.value)
    return True


async def fail_node(runtime: Runtime, run: models.NodeRun, error: str) -> None:
    """A node failed: so does its execution."""
    await move_node(runtime, run, NodeRunStatus.FAILED, error_message=error[:2000])
    await end_execution(
        runtime,
        run.execution_id,  # type: ignore[attr-defined]
        ExecutionStatus.FAILED,
        f"node {run.node_id}: {error}"[:2000],
    )
