"""A `JobState` with every field set, for tests of what travels on the bus and
what is built from it."""

import dataclasses
from datetime import UTC, datetime

from gql_media import models
from gql_media.services.jobs.state import JobState

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def job_state(**changes: object) -> JobState:
    """A running import's state as of `NOW`, with `changes` applied."""
    state = JobState(
        id="0b6c6a43-4d1b-4f43-9b8a-2f3e7f0f2f10",
        owner_id="alice",
        kind=models.JobKind.IMPORT_URL,
        status=models.JobStatus.RUNNING,
        stage="download",
        progress=0.5,
        message="",
        revision=3,
        attempts=1,
        max_attempts=3,
        asset_id=None,
        is_duplicate=False,
        error_code=None,
        error_message=None,
        created_at=NOW,
        updated_at=NOW,
        started_at=NOW,
        finished_at=None,
        result_key="exports/x.zip",
    )
    return dataclasses.replace(state, **changes)  # type: ignore[arg-type]
