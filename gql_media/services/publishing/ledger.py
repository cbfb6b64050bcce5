"""Writing the ledger: every transition goes through `transition` (or `create`).

A transition is a compare-and-set on (status, revision), so two workers, or a
worker and a person, never both move a row; in the same transaction it appends
the `PublicationEvent` and, when the next step is an attempt, writes its job.
After the commit it appends the JSON line, publishes the event on the owner's
channel and enqueues the job (deferred to when it is due).
"""

import logging
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.kit.clock import now
from gql_media.models import JobKind, PublicationStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.publishing import audit
from gql_media.services.publishing.state import Trigger, next_status

logger = logging.getLogger(__name__)

SYSTEM = "system"  # the principal of transitions the workers make


def channel(owner_id: str) -> str:
    """The bus channel of one owner's publication events."""
    return f"publications:{owner_id}"


async def create(
    runtime: Runtime,
    *,
    owner_id: str,
    asset_id: Any,
    platform: str,
    principal: str,
    due: datetime | None = None,
    trigger: Trigger = Trigger.PUBLISH,
    error: str | None = None,
    **fields: Any,
) -> models.Publication:
    """Insert a row with its first event (PENDING: and its attempt's job, due at
    `due` or now; BLOCKED: a duplicate of content already posted there)."""
    status = next_status(None, trigger)
    async with in_transaction():
        row = await models.Publication.create(
            owner_id=owner_id,
            asset_id=asset_id,
            platform=platform,
            status=status,
            created_by=principal,
            revision=1,
            **fields,
        )
        job = None
        if status is PublicationStatus.PENDING:
            job = await _new_job(runtime, row)
            await models.Publication.filter(id=row.id).update(job_id=job.id)
            row.job_id = job.id  # type: ignore[attr-defined]
        event = await _event(row, None, principal, error)
    await _after_commit(runtime, row, event, job.id if job else None, due)
    return row


async def create_many(
    runtime: Runtime, owner_id: str, principal: str, specs: list[dict[str, Any]]
) -> list[models.Publication]:
    """Insert PENDING rows (each spec: asset_id, platform and metadata fields),
    their first events and their attempt jobs in one transaction, three bulk
    INSERTs however many rows: the bulk path of publishAllPending."""
    next_status(None, Trigger.PUBLISH)
    stamp = now()
    rows, jobs_, events = [], [], []
    for spec in specs:
        row = models.Publication(
            owner_id=owner_id,
            status=PublicationStatus.PENDING,
            created_by=principal,
            revision=1,
            created_at=stamp,
            updated_at=stamp,
            **spec,
        )
        job = models.Job(
            owner_id=owner_id,
            kind=JobKind.PUBLISH,
            max_attempts=runtime.settings.job_max_attempts,
            payload={"publication_id": str(row.id), "platform": row.platform},
            created_at=stamp,
            updated_at=stamp,
        )
        row.job_id = job.id  # type: ignore[attr-defined]
        rows.append(row)
        jobs_.append(job)
        events.append(
            models.PublicationEvent(
                owner_id=owner_id,
                publication_id=row.id,
                asset_id=row.asset_id,  # type: ignore[attr-defined]
                platform=row.platform,
                from_status=None,
                to_status=row.status,
                retry_count=0,
                principal=principal,
                revision=1,
                at=stamp,
            )
        )
    async with in_transaction():
        await models.Job.bulk_create(jobs_)
        await models.Publication.bulk_create(rows)
        await models.PublicationEvent.bulk_create(events)
    for row, event, job in zip(rows, events, jobs_, strict=True):
        await _after_commit(runtime, row, event, job.id, None)
    return rows


async def transition(
    runtime: Runtime,
    row: models.Publication,
    trigger: Trigger,
    *,
    principal: str = SYSTEM,
    error: str | None = None,
    attempt_at: datetime | None = None,
    **fields: Any,
) -> models.Publication:
    """Move `row` by `trigger` (InvalidState when the table has no such move or
    the row changed since it was read), record the event, and schedule an
    attempt at `attempt_at` when given (now for PENDING rows without one)."""
    before = PublicationStatus(row.status)
    after = next_status(before, trigger)
    if after is PublicationStatus.PENDING and attempt_at is None:
        attempt_at = now()
    async with in_transaction():
        job = None
        if attempt_at is not None:
            job = await _new_job(runtime, row)
            fields["job_id"] = job.id
        moved = await models.Publication.filter(
            id=row.id, status=before, revision=row.revision
        ).update(status=after, revision=row.revision + 1, **fields)
        if not moved:
            raise InvalidState("the publication changed meanwhile; read it again")
        row = await models.Publication.get(id=row.id)
        event = await _event(row, before, principal, error)
    await _after_commit(runtime, row, event, job.id if job else None, attempt_at)
    return row


async def save_resume(row: models.Publication, state: dict[str, Any]) -> None:
    """Keep what an uploader saved for the next attempt (not a transition)."""
    saved = await models.Publication.filter(
        id=row.id,
        status=PublicationStatus.IN_PROGRESS,
        job_id=row.job_id,  # type: ignore[attr-defined]
    ).update(resume_state=state)
    if not saved:
        logger.warning("publication %s: resume state not saved (row moved)", row.id)


async def _new_job(runtime: Runtime, row: models.Publication) -> models.Job:
    return await jobs.create_job(
        row.owner_id,
        JobKind.PUBLISH,
        asset=None,  # the asset's own follower must not read this job as its file's
        max_attempts=runtime.settings.job_max_attempts,
        payload={"publication_id": str(row.id), "platform": row.platform},
    )


async def _event(
    row: models.Publication,
    before: PublicationStatus | None,
    principal: str,
    error: str | None,
) -> models.PublicationEvent:
    return await models.PublicationEvent.create(
        owner_id=row.owner_id,
        publication_id=row.id,
        asset_id=row.asset_id,  # type: ignore[attr-defined]
        platform=row.platform,
        from_status=before,
        to_status=row.status,
        retry_count=row.retry_count,
        error=error,
        post_id=row.post_id,
        principal=principal,
        revision=row.revision,
        at=now(),
    )


def state_event(row: models.Publication, event: models.PublicationEvent) -> dict:
    """What travels on the bus: the audit record plus the row's next retry."""
    record = audit.record(event)
    record["next_retry_at"] = (
        row.next_retry_at.isoformat() if row.next_retry_at else None
    )
    record["scheduled_at"] = row.scheduled_at.isoformat() if row.scheduled_at else None
    record["post_url"] = row.post_url
    return record


async def _after_commit(
    runtime: Runtime,
    row: models.Publication,
    event: models.PublicationEvent,
    job_id: Any,
    due: datetime | None,
) -> None:
    audit.append(runtime.settings, event)
    try:
        await runtime.bus.publish(channel(row.owner_id), state_event(row, event))
    except Exception as exc:  # any transport error: the row is the truth
        logger.warning("publication %s: event not published: %s", row.id, exc)
    if job_id is not None:
        delay = max(0.0, (due - now()).total_seconds()) if due else 0.0
        try:
            await runtime.queue.enqueue(str(job_id), defer_seconds=delay)
        except Exception as exc:  # the sweeper enqueues QUEUED rows later
            logger.warning(
                "publication %s: job %s not enqueued: %s", row.id, job_id, exc
            )


async def reschedule(
    runtime: Runtime, row: models.Publication, due: datetime
) -> models.Publication | None:
    """Give a row that is waiting a fresh attempt job at `due` (its job ran
    early: a restart or the sweeper enqueues without a delay). Not a transition."""
    async with in_transaction():
        job = await _new_job(runtime, row)
        moved = await models.Publication.filter(
            id=row.id, status=row.status, revision=row.revision
        ).update(job_id=job.id)
        if not moved:
            await models.Job.filter(id=job.id).delete()
            return None
    delay = max(0.0, (due - now()).total_seconds())
    try:
        await runtime.queue.enqueue(str(job.id), defer_seconds=delay)
    except Exception as exc:  # the sweeper enqueues QUEUED rows later
        logger.warning("publication %s: job %s not enqueued: %s", row.id, job.id, exc)
    return await models.Publication.get(id=row.id)
