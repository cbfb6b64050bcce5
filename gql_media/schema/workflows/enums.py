"""The workflow enums: the model enums themselves, and the list's sort orders."""

from enum import Enum

import strawberry

from gql_media.models import (
    ExecutionStatus,
    NodeRunStatus,
    WorkflowStatus,
    WorkflowVideoRole,
)

strawberry.enum(WorkflowStatus, description="DRAFT -> SAVED -> ARCHIVED.")
strawberry.enum(
    ExecutionStatus,
    name="WorkflowExecutionStatus",
    description="RUNNING -> COMPLETED, FAILED or CANCELED.",
)
strawberry.enum(
    NodeRunStatus,
    description="PENDING -> RUNNING -> COMPLETED, FAILED or CANCELED.",
)
strawberry.enum(
    WorkflowVideoRole,
    description="INPUT: a node consumed the asset; OUTPUT: a node produced it "
    "(on an Output node: a result of the workflow); INTERMEDIATE: linked as such.",
)


@strawberry.enum(description="Sort orders of the workflows list.")
class WorkflowOrder(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"
    NAME_ASC = "name_asc"


__all__ = [
    "ExecutionStatus",
    "NodeRunStatus",
    "WorkflowOrder",
    "WorkflowStatus",
    "WorkflowVideoRole",
]
