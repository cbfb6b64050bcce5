"""The review state machine, one test per row of the table, and every other
(status, action) pair refused."""

import pytest

from gql_media.errors import InvalidState
from gql_media.models import ReviewAction, ReviewStatus
from gql_media.services.reviews.state import TRANSITIONS, next_status


def test_submit_moves_not_submitted_to_pending() -> None:
    assert (
        next_status(ReviewStatus.NOT_SUBMITTED, ReviewAction.SUBMIT)
        is ReviewStatus.PENDING
    )


def test_approve_moves_pending_to_approved() -> None:
    assert next_status(ReviewStatus.PENDING, ReviewAction.APPROVE) is (
        ReviewStatus.APPROVED
    )


def test_request_changes_moves_pending_to_changes_requested() -> None:
    assert next_status(ReviewStatus.PENDING, ReviewAction.REQUEST_CHANGES) is (
        ReviewStatus.CHANGES_REQUESTED
    )


def test_reject_moves_pending_to_rejected() -> None:
    assert next_status(ReviewStatus.PENDING, ReviewAction.REJECT) is (
        ReviewStatus.REJECTED
    )


def test_supersede_moves_approved_to_superseded() -> None:
    assert next_status(ReviewStatus.APPROVED, ReviewAction.SUPERSEDE) is (
        ReviewStatus.SUPERSEDED
    )


def test_the_table_has_exactly_the_rows_tested_above() -> None:
    assert len(TRANSITIONS) == 5


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s in ReviewStatus for a in ReviewAction if (s, a) not in TRANSITIONS],
)
def test_every_other_move_is_refused(
    status: ReviewStatus, action: ReviewAction
) -> None:
    with pytest.raises(InvalidState):
        next_status(status, action)
