"""JobState travels on the bus as a dict: it comes back equal, still frozen, and
a malformed event is refused by name (the bus carries whatever Redis holds)."""

import dataclasses
from datetime import UTC, datetime

import pytest

from gql_media import models
from gql_media.services.jobs.state import JobState

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _state(**changes: object) -> JobState:
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


def test_an_event_comes_back_as_the_same_frozen_state() -> None:
    state = _state()
    back = JobState.from_event(state.to_event())
    assert back == state
    assert type(back.status) is models.JobStatus and back.created_at == NOW
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.revision = 4  # type: ignore[misc]


def test_an_event_without_the_optional_field_takes_its_default() -> None:
    event = _state().to_event()
    del event["result_key"]
    assert JobState.from_event(event).result_key is None


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"bogus": 1}, TypeError),
        ({"status": "EXPLODED"}, ValueError),
        ({"kind": None}, ValueError),
        ({"created_at": "yesterday"}, ValueError),
    ],
)
def test_a_malformed_event_is_refused(change: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        JobState.from_event({**_state().to_event(), **change})


def test_an_event_missing_a_field_is_refused() -> None:
    event = _state().to_event()
    del event["revision"]
    with pytest.raises(TypeError, match="revision"):
        JobState.from_event(event)
