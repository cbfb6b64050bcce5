"""JobState: the copy of a job row that travels on the bus."""

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from gql_media import models


@dataclass(frozen=True)
class JobState:
    """Everything a client sees of a job, as of one `revision`."""

    id: str
    owner_id: str
    kind: models.JobKind
    status: models.JobStatus
    stage: str
    progress: float
    message: str
    revision: int
    attempts: int
    max_attempts: int
    asset_id: str | None
    is_duplicate: bool
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    # The storage key of what the job made besides an asset (an export's ZIP).
    result_key: str | None = None

    @classmethod
    def from_model(cls, job: models.Job) -> "JobState":
        return cls(
            id=str(job.id),
            owner_id=job.owner_id,
            kind=models.JobKind(job.kind),
            status=models.JobStatus(job.status),
            stage=job.stage,
            progress=job.progress,
            message=job.message,
            revision=job.revision,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            asset_id=str(job.asset_id) if job.asset_id else None,  # type: ignore[attr-defined]
            is_duplicate=job.is_duplicate,
            error_code=job.error_code,
            error_message=job.error_message,
            created_at=job.created_at,
            updated_at=job.updated_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            result_key=job.payload.get("result_key"),
        )

    def to_event(self) -> dict[str, Any]:
        event = asdict(self)
        for key, value in event.items():
            if isinstance(value, datetime):
                event[key] = value.isoformat()
        event["kind"] = self.kind.value
        event["status"] = self.status.value
        return event

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> "JobState":
        # Once per event and subscribed job: dict look-ups, not Enum calls.
        data = dict(event)
        for key in _TIMES:
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        data["kind"] = _member(_KINDS, data["kind"], "kind")
        data["status"] = _member(_STATUSES, data["status"], "status")
        if data.keys() == _FIELDS:
            # Every field and nothing else: store what `__init__` would, without
            # its one frozen `object.__setattr__` per field (3x the cost).
            state = object.__new__(cls)
            state.__dict__.update(data)
            return state
        return cls(**data)  # a missing or unknown field: `__init__` says which


_FIELDS = {field.name for field in fields(JobState)}
_TIMES = ("created_at", "updated_at", "started_at", "finished_at")
_KINDS = {kind.value: kind for kind in models.JobKind}
_STATUSES = {status.value: status for status in models.JobStatus}


def _member(members: dict[str, Any], value: Any, name: str) -> Any:
    try:
        return members[value]
    except (KeyError, TypeError):
        raise ValueError(f"not a job {name}: {value!r}") from None
