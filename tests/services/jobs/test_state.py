"""JobState travels on the bus as a dict: it comes back equal, still frozen, and
a malformed event is refused by name (the bus carries whatever Redis holds)."""

import dataclasses

import pytest

from gql_media import models
from gql_media.services.jobs.state import JobState
from tests.support.jobs import NOW, job_state


def test_an_event_comes_back_as_the_same_frozen_state() -> None:
    state = job_state()
    back = JobState.from_event(state.to_event())
    assert back == state
    assert type(back.status) is models.JobStatus and back.created_at == NOW
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.revision = 4  # type: ignore[misc]


def test_an_event_without_the_optional_field_takes_its_default() -> None:
    event = job_state().to_event()
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
        JobState.from_event({**job_state().to_event(), **change})


def test_an_event_missing_a_field_is_refused() -> None:
    event = job_state().to_event()
    del event["revision"]
    with pytest.raises(TypeError, match="revision"):
        JobState.from_event(event)
