"""Follow a job's progress: read the row, then its bus channel (`jobProgress`,
`gql-media import`)."""

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from gql_media import models
from gql_media.bus.base import job_channel
from gql_media.kit.batching import Batched
from gql_media.kit.ids import is_uuid
from gql_media.runtime import Runtime
from gql_media.services.follow import Followed, follow
from gql_media.services.jobs.state import JobState


async def _rows_by_id(ids: list[str]) -> dict[str, models.Job]:
    wanted = [UUID(i) for i in ids if is_uuid(i)]  # one bad id fails no batch
    return {str(row.id): row for row in await models.Job.filter(id__in=wanted)}


# Every follower re-reads its row once subscribed; followers that start together
# (a thousand watchers connecting, clients back after a restart) share queries.
_rows = Batched(_rows_by_id)


def job(job_id: Any) -> Followed[JobState]:
    """How to follow a job row."""

    async def read() -> JobState | None:
        row = await _rows.get(str(job_id))
        return JobState.from_model(row) if row else None

    return Followed(
        name=f"job {job_id}",
        channel=job_channel(job_id),
        read=read,
        parse=JobState.from_event,
        newer=lambda new, seen: new.revision > seen.revision,
        finished=lambda state: state.status.is_terminal,
        revision=lambda state: state.revision,
        readable="the job stays readable with job(id)",
    )


def follow_job(
    runtime: Runtime,
    job_id: Any,
    first: JobState | None = None,
    after: int | None = None,
) -> AsyncIterator[JobState]:
    """`follow` a job on the runtime's bus with the configured grace period."""
    grace = runtime.settings.bus_unavailable_grace_seconds
    return follow(job(job_id), runtime.bus, grace, first, after)
