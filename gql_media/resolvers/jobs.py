"""Job resolvers: lookups, cancel and retry, and the progress subscription."""

import logging
from collections.abc import AsyncGenerator
from datetime import datetime

from gql_media import models
from gql_media.dataloaders import Loaders
from gql_media.resolvers.common import is_uuid, result_of
from gql_media.schema.context import Info
from gql_media.schema.inputs import JobFilter
from gql_media.schema.types import results
from gql_media.schema.types.asset import PageInfo
from gql_media.schema.types.job import Job, JobConnection, JobEdge
from gql_media.services import follow, job_control, jobs
from gql_media.services.pagination import SortKey, check_first, paginate
from gql_media.services.snapshots import JobState

logger = logging.getLogger(__name__)

NEWEST_FIRST = SortKey("created_at_desc", "created_at", True, datetime)


async def job(info: Info, id: str) -> Job | None:
    if not is_uuid(id):
        return None
    row = await models.Job.get_or_none(id=id, owner_id=info.context.owner_id)
    return Job.from_model(row) if row else None


async def job_list(
    info: Info, first: int | None, after: str | None, filter: JobFilter | None
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
    page = await paginate(query, NEWEST_FIRST, check_first(first), after)
    return JobConnection(
        edges=[
            JobEdge(cursor=c, node=Job.from_model(r))
            for r, c in zip(page.rows, page.cursors, strict=True)
        ],
        page_info=PageInfo.from_page(page),
        total_count=page.total_count,
    )


async def cancel_job(info: Info, id: str) -> results.CancelJobResult:
    async def run() -> results.CancelJobSuccess:
        row = await job_control.cancel(info.context.runtime, info.context.owner_id, id)
        return results.CancelJobSuccess(job=Job.from_model(row))

    return await result_of(results.CancelJobResult, run)


async def retry_job(info: Info, id: str) -> results.RetryJobResult:
    async def run() -> results.RetryJobSuccess:
        row = await job_control.retry(info.context.runtime, info.context.owner_id, id)
        return results.RetryJobSuccess(job=Job.from_model(row))

    return await result_of(results.RetryJobResult, run)


async def job_progress(info: Info, job_id: str) -> AsyncGenerator[Job, None]:
    """The job's current state from the database at once, then each change from
    the bus, ending after a terminal state (see `services.follow`: a bus outage
    past the grace period ends it with UNAVAILABLE)."""
    ctx = info.context
    row = await jobs.get_job(ctx.owner_id, job_id)  # NotFound -> error
    async for state in follow.follow_job(ctx.runtime, row.id, JobState.from_model(row)):
        # A WebSocket's context lives as long as the connection: drop cached
        # rows so nested fields (job.asset) show this event's state.
        ctx.loaders = Loaders()
        yield Job.from_state(state)
