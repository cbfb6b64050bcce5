"""Job resolvers: lookups, cancel and retry, and the progress subscription."""

import logging
from collections.abc import AsyncGenerator
from datetime import datetime

from gql_media import models
from gql_media.bus import job_channel
from gql_media.dataloaders import Loaders
from gql_media.kit.pagination import SortKey, check_first, paginate
from gql_media.resolvers.common import is_uuid, result_of
from gql_media.schema.assets import results
from gql_media.schema.assets.inputs import JobFilter
from gql_media.schema.assets.types import PageInfo
from gql_media.schema.common.context import Info
from gql_media.schema.jobs.types import Job, JobConnection, JobEdge
from gql_media.services.jobs import control as job_control
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.jobs.state import JobState

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
    """The job's current state from the database, then each change from the bus,
    ending after a terminal state. Subscribing before reading the row means no
    change can fall between the two; `revision` drops events already seen."""
    row = await jobs.get_job(info.context.owner_id, job_id)  # NotFound -> error
    async with info.context.runtime.bus.subscribe(job_channel(row.id)) as events:
        state = JobState.from_model(await models.Job.get(id=row.id))
        yield Job.from_state(state)
        if state.status.is_terminal:
            return
        async for event in events:
            new = JobState.from_event(event)
            if new.revision <= state.revision:
                continue
            state = new
            # A WebSocket's context lives as long as the connection: drop cached
            # rows so nested fields (job.asset) show this event's state.
            info.context.loaders = Loaders()
            yield Job.from_state(state)
            if state.status.is_terminal:
                return
