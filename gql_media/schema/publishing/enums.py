"""The publication status (the model enum itself) and the list's sort orders."""

from enum import Enum

import strawberry

from gql_media.models import PublicationStatus

strawberry.enum(
    PublicationStatus,
    description="PENDING -> IN_PROGRESS -> SUCCESS | FAILED (a retry is scheduled) "
    "| FAILED_FINAL (no automatic retry) | RATE_LIMITED (retried after the "
    "platform's reset; not a failure). BLOCKED: already posted there (duplicate "
    "prevention). CANCELED: stopped before an attempt.",
)


@strawberry.enum(description="Sort orders of the publications list.")
class PublicationOrder(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"


__all__ = ["PublicationOrder", "PublicationStatus"]
