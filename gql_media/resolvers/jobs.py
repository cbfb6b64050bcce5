"""Job root fields: lookups, cancel and retry, and the progress subscription."""

import logging
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from gql_media import models
from gql_media.kit.ids import is_uuid
from gql_media.kit.pagination import SortKey, check_first, paginate
from gql_media.schema.common.context import Info
from gql_media.schema.common.live import deliver
from gql_media.schema.common.mutations import mutation
from gql_media.schema.jobs import results
from gql_media.schema.jobs.inputs import JobFilter
from gql_media.schema.jobs.types import Job, JobConnection
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.jobs.progress import follow_job
from gql_media.services.jobs.state import JobState

logger = logging.getLogger(__name__)

NEWEST_FIRST = SortKey("created_at_desc", "created_at", True, datetime)


@strawberry.type
class JobQuery:
    @strawberry.field(description="One job by id; null if unknown.")
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        if not is_uuid(id):
            return None
        row = await models.Job.get_or_none(id=id, owner_id=info.context.owner_id)
        return Job.from_model(row) if row else None

    @strawberry.field(description="The owner's jobs, newest first; `first` <= 100.")
    async def jobs(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: JobFilter | None = None,
    ) -> JobConnection:
        query = models.Job.filter(owner_id=info.context.owner_id)
        if filter is not None:
            if filter.status is not None:
                query = query.filter(status=filter.status)
            if filter.kind is not None:
                query = query.filter(kind=filter.kind)
            if filter.asset_id is not None:
                if not is_uuid(filter.asset_id):
                    query = query.filter(id__isnull=True)  # matches nothing
                else:
                    query = query.filter(asset_id=filter.asset_id)
        page = await paginate(
            query, NEWEST_FIRST, check_first(first), after, count=False
        )
        return JobConnection.of(page, Job.from_model)


@strawberry.type
class JobMutation:
    @mutation(description="Stop a queued or running job.")
    async def cancel_job(
        self, info: Info, id: strawberry.ID
    ) -> results.CancelJobResult:
        row = await jobs.cancel(info.context.runtime, info.context.owner_id, id)
        return results.CancelJobSuccess(job=Job.from_model(row))

    @mutation(description="Run a failed or cancelled job again.")
    async def retry_job(self, info: Info, id: strawberry.ID) -> results.RetryJobResult:
        row = await jobs.retry(info.context.runtime, info.context.owner_id, id)
        return results.RetryJobSuccess(job=Job.from_model(row))


@strawberry.type
class JobSubscription:
    @strawberry.subscription(
        description="The job's state now, then every change; completes after "
        "SUCCEEDED, FAILED or CANCELED. A subscriber that falls behind gets the "
        "latest state, not a backlog."
    )
    async def job_progress(
        self,
        info: Info,
        job_id: strawberry.ID,
        after_revision: Annotated[
            int | None,
            strawberry.argument(
                description="The last `revision` the client has (resuming): only "
                "newer states are sent, the current one at once if newer."
            ),
        ] = None,
    ) -> AsyncGenerator[Job, None]:
        """The job's current state from the database at once, then each change from
        the bus, ending after a terminal state (see `services/follow.py`: a bus
        outage past the grace period ends it with UNAVAILABLE)."""
        ctx = info.context
        row = await jobs.get_job(ctx.owner_id, job_id)  # NotFound -> error
        first = JobState.from_model(row)
        states = follow_job(ctx.runtime, row.id, first, after_revision)
        # Fresh loaders per event (nested fields show this event's rows), or
        # no GraphQL execution per event at all where a shared one can skip it.
        async for job in deliver(info, states, Job.from_state):
            yield job
