"""The review enums: the model enums themselves, marked for GraphQL in place."""

import strawberry

from gql_media.models import AnnotationShape, ReviewAction, ReviewStatus
from gql_media.services.reviews.activity import ActivityKind

strawberry.enum(
    ReviewStatus,
    description="NOT_SUBMITTED -> PENDING -> APPROVED | CHANGES_REQUESTED | "
    "REJECTED; an APPROVED version becomes SUPERSEDED when another version of its "
    "task is approved.",
)
strawberry.enum(ReviewAction, description="What a review event records.")
strawberry.enum(
    AnnotationShape,
    description="POINT at the position, RECTANGLE from the position, or a "
    "freehand PATH of points.",
)
strawberry.enum(ActivityKind, description="What happened in a project's review.")

__all__ = ["ActivityKind", "AnnotationShape", "ReviewAction", "ReviewStatus"]
