"""The review state machine as a table: (status, action) -> the next status.

    NOT_SUBMITTED --SUBMIT--> PENDING
    PENDING --APPROVE--> APPROVED
    PENDING --REQUEST_CHANGES--> CHANGES_REQUESTED
    PENDING --REJECT--> REJECTED
    APPROVED --SUPERSEDE--> SUPERSEDED   (another version of the task was approved)

Anything else is refused with InvalidState. Changes after CHANGES_REQUESTED or
REJECTED come as a new version of the task, which starts NOT_SUBMITTED.
"""

from gql_media.errors import InvalidState
from gql_media.models import ReviewAction, ReviewStatus

TRANSITIONS: dict[tuple[ReviewStatus, ReviewAction], ReviewStatus] = {
    (ReviewStatus.NOT_SUBMITTED, ReviewAction.SUBMIT): ReviewStatus.PENDING,
    (ReviewStatus.PENDING, ReviewAction.APPROVE): ReviewStatus.APPROVED,
    (ReviewStatus.PENDING, ReviewAction.REQUEST_CHANGES): (
        ReviewStatus.CHANGES_REQUESTED
    ),
    (ReviewStatus.PENDING, ReviewAction.REJECT): ReviewStatus.REJECTED,
    (ReviewStatus.APPROVED, ReviewAction.SUPERSEDE): ReviewStatus.SUPERSEDED,
}


def next_status(current: ReviewStatus, action: ReviewAction) -> ReviewStatus:
    """The status `action` leads to from `current`, or InvalidState."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidState(
            f"cannot {action.value.lower().replace('_', ' ')} a version that is "
            f"{current.value}"
        ) from None
