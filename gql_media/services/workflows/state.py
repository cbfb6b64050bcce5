"""The state machines of executions and node runs, as tables: a status's row
lists the statuses it may move to. Finished statuses have no moves."""

from gql_media.errors import InvalidState
from gql_media.models import ExecutionStatus, NodeRunStatus, WorkflowStatus

E = ExecutionStatus
N = NodeRunStatus
W = WorkflowStatus

EXECUTION_MOVES: dict[ExecutionStatus, frozenset[ExecutionStatus]] = {
    E.RUNNING: frozenset({E.COMPLETED, E.FAILED, E.CANCELED}),
    E.COMPLETED: frozenset(),
    E.FAILED: frozenset(),
    E.CANCELED: frozenset(),
}

NODE_MOVES: dict[NodeRunStatus, frozenset[NodeRunStatus]] = {
    N.PENDING: frozenset({N.RUNNING, N.COMPLETED, N.FAILED, N.CANCELED}),
    N.RUNNING: frozenset({N.COMPLETED, N.FAILED, N.CANCELED}),
    N.COMPLETED: frozenset(),
    N.FAILED: frozenset(),
    N.CANCELED: frozenset(),
}

# Which workflow statuses an operation accepts.
WORKFLOW_ALLOWS: dict[str, frozenset[WorkflowStatus]] = {
    "save": frozenset({W.DRAFT, W.SAVED}),
    "update_draft": frozenset({W.DRAFT, W.SAVED}),
    "archive": frozenset({W.DRAFT, W.SAVED}),
    "restore_revision": frozenset({W.SAVED}),
    "execute": frozenset({W.SAVED}),
}


def check_execution_move(current: ExecutionStatus, target: ExecutionStatus) -> None:
    """Raises InvalidState unless the table allows `current -> target`."""
    if target not in EXECUTION_MOVES[current]:
        raise InvalidState(f"the execution is {current.value}; it cannot become "
                           f"{target.value}")  # fmt: skip


def check_node_move(current: NodeRunStatus, target: NodeRunStatus) -> None:
    """Raises InvalidState unless the table allows `current -> target`."""
    if target not in NODE_MOVES[current]:
        raise InvalidState(f"the node is {current.value}; it cannot become "
                           f"{target.value}")  # fmt: skip


def check_workflow_allows(status: WorkflowStatus, operation: str) -> None:
    """Raises InvalidState unless a workflow in `status` allows `operation`."""
    if status not in WORKFLOW_ALLOWS[operation]:
        raise InvalidState(
            f"the workflow is {status.value}; {operation.replace('_', ' ')} needs "
            + " or ".join(s.value for s in sorted(WORKFLOW_ALLOWS[operation]))
        )
