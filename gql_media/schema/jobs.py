"""Job operations: lookups, cancel and retry, and live progress."""

from collections.abc import AsyncGenerator

import strawberry

from gql_media.resolvers import jobs as resolve
from gql_media.schema.assets import results
from gql_media.schema.assets.inputs import JobFilter
from gql_media.schema.common.context import Info
from gql_media.schema.jobs.types import Job, JobConnection


@strawberry.type
class JobQuery:
    @strawberry.field(description="One job by id; null if unknown.")
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        return await resolve.job(info, id)

    @strawberry.field(description="The owner's jobs, newest first; `first` <= 100.")
    async def jobs(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: JobFilter | None = None,
    ) -> JobConnection:
        return await resolve.job_list(info, first, after, filter)


@strawberry.type
class JobMutation:
    @strawberry.mutation(description="Stop a queued or running job.")
    async def cancel_job(
        self, info: Info, id: strawberry.ID
    ) -> results.CancelJobResult:
        return await resolve.cancel_job(info, id)

    @strawberry.mutation(description="Run a failed or cancelled job again.")
    async def retry_job(self, info: Info, id: strawberry.ID) -> results.RetryJobResult:
        return await resolve.retry_job(info, id)


@strawberry.type
class JobSubscription:
    @strawberry.subscription(
        description="The job's state now, then every change; completes after "
        "SUCCEEDED, FAILED or CANCELED."
    )
    async def job_progress(
        self, info: Info, job_id: strawberry.ID
    ) -> AsyncGenerator[Job, None]:
        async for job in resolve.job_progress(info, job_id):
            yield job
