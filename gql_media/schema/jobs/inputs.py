"""Input types of the job operations."""

import strawberry

from gql_media.schema.jobs.enums import JobKind, JobStatus


@strawberry.input
class JobFilter:
    status: JobStatus | None = None
    kind: JobKind | None = None
    asset_id: strawberry.ID | None = None
