"""`Job.from_state` copies a JobState's attributes instead of calling the
dataclass __init__: the result must be what __init__ builds, field for field."""

import dataclasses
from datetime import UTC, datetime, timedelta

import strawberry

from gql_media import models
from gql_media.schema.jobs.types import Job
from gql_media.services.jobs.state import JobState
from tests.support.jobs import job_state


def state() -> JobState:
    at = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    return job_state(
        id="job-1",
        owner_id="owner-1",
        kind=models.JobKind.EXPORT_GENERATION,
        status=models.JobStatus.FAILED,
        stage="store",
        progress=0.75,
        message="no space left",
        revision=7,
        attempts=2,
        asset_id="asset-1",
        is_duplicate=True,
        error_code="STORAGE",
        error_message="disk full",
        created_at=at,
        updated_at=at + timedelta(seconds=1),
        started_at=at + timedelta(seconds=2),
        finished_at=at + timedelta(seconds=3),
    )


def test_a_job_from_a_state_is_what_init_builds() -> None:
    source = state()
    built = Job(
        id=strawberry.ID(source.id),
        kind=source.kind,
        status=source.status,
        stage=source.stage,
        progress=source.progress,
        message=source.message,
        attempts=source.attempts,
        max_attempts=source.max_attempts,
        is_duplicate=source.is_duplicate,
        error_code=source.error_code,
        error_message=source.error_message,
        created_at=source.created_at,
        updated_at=source.updated_at,
        started_at=source.started_at,
        finished_at=source.finished_at,
        revision=source.revision,
        asset_id=source.asset_id,
        result_key=source.result_key,
    )
    job = Job.from_state(source)
    assert vars(job) == vars(built)
    assert type(job) is Job


def test_a_state_holds_the_job_fields_and_the_owner_only() -> None:
    # A field added to one and not the other must be mapped by hand.
    job_fields = {field.name for field in dataclasses.fields(Job) if field.init}
    state_fields = {field.name for field in dataclasses.fields(JobState)}
    assert state_fields == job_fields | {"owner_id"}
    assert set(vars(Job.from_state(state()))) == job_fields
