"""The job enums: the model enums themselves (see schema/assets/enums.py)."""

import strawberry

from gql_media.models import JobKind, JobStatus

strawberry.enum(JobKind, description="What a job does.")
strawberry.enum(
    JobStatus, description="QUEUED -> RUNNING -> SUCCEEDED, FAILED or CANCELED."
)

__all__ = ["JobKind", "JobStatus"]
