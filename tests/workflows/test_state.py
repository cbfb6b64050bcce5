"""The state tables of executions and node runs: one test per row."""

import pytest

from gql_media.errors import InvalidState
from gql_media.models import ExecutionStatus, NodeRunStatus, WorkflowStatus
from gql_media.services.workflows import state


def _check_row_execution(current: ExecutionStatus) -> None:
    for target in ExecutionStatus:
        if target in state.EXECUTION_MOVES[current]:
            state.check_execution_move(current, target)
        else:
            with pytest.raises(InvalidState):
                state.check_execution_move(current, target)


def test_execution_running_may_complete_fail_or_be_canceled() -> None:
    assert state.EXECUTION_MOVES[ExecutionStatus.RUNNING] == {
        ExecutionStatus.COMPLETED,
        ExecutionStatus.FAILED,
        ExecutionStatus.CANCELED,
    }
    _check_row_execution(ExecutionStatus.RUNNING)


@pytest.mark.parametrize(
    "status",
    [ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELED],
)
def test_a_finished_execution_moves_nowhere(status: ExecutionStatus) -> None:
    assert state.EXECUTION_MOVES[status] == frozenset()
    _check_row_execution(status)


def _check_row_node(current: NodeRunStatus) -> None:
    for target in NodeRunStatus:
        if target in state.NODE_MOVES[current]:
            state.check_node_move(current, target)
        else:
            with pytest.raises(InvalidState):
                state.check_node_move(current, target)


def test_node_pending_may_start_or_finish_at_once() -> None:
    assert NodeRunStatus.PENDING not in state.NODE_MOVES[NodeRunStatus.PENDING]
    assert NodeRunStatus.RUNNING in state.NODE_MOVES[NodeRunStatus.PENDING]
    _check_row_node(NodeRunStatus.PENDING)


def test_node_running_may_finish_but_not_go_back() -> None:
    assert NodeRunStatus.PENDING not in state.NODE_MOVES[NodeRunStatus.RUNNING]
    assert NodeRunStatus.COMPLETED in state.NODE_MOVES[NodeRunStatus.RUNNING]
    _check_row_node(NodeRunStatus.RUNNING)


@pytest.mark.parametrize(
    "status", [NodeRunStatus.COMPLETED, NodeRunStatus.FAILED, NodeRunStatus.CANCELED]
)
def test_a_finished_node_moves_nowhere(status: NodeRunStatus) -> None:
    assert state.NODE_MOVES[status] == frozenset()
    _check_row_node(status)


@pytest.mark.parametrize("operation", sorted(state.WORKFLOW_ALLOWS))
def test_workflow_operations_by_status(operation: str) -> None:
    allowed = state.WORKFLOW_ALLOWS[operation]
    for status in WorkflowStatus:
        if status in allowed:
            state.check_workflow_allows(status, operation)
        else:
            with pytest.raises(InvalidState):
                state.check_workflow_allows(status, operation)
    assert WorkflowStatus.ARCHIVED not in allowed
