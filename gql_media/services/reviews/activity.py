"""Review activity on the bus: one channel per owner and project.

Submissions, decisions and annotations are published after their commit, so a
subscriber never hears of something a query cannot read yet.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from gql_media import models
from gql_media.kit.clock import now
from gql_media.runtime import Runtime


class ActivityKind(StrEnum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    REJECTED = "REJECTED"
    SUPERSEDED = "SUPERSEDED"
    ANNOTATION_ADDED = "ANNOTATION_ADDED"
    ANNOTATION_RESOLVED = "ANNOTATION_RESOLVED"
    ANNOTATION_DELETED = "ANNOTATION_DELETED"


FOR_ACTION = {
    models.ReviewAction.SUBMIT: ActivityKind.SUBMITTED,
    models.ReviewAction.APPROVE: ActivityKind.APPROVED,
    models.ReviewAction.REQUEST_CHANGES: ActivityKind.CHANGES_REQUESTED,
    models.ReviewAction.REJECT: ActivityKind.REJECTED,
    models.ReviewAction.SUPERSEDE: ActivityKind.SUPERSEDED,
}


def review_channel(owner_id: str, project: str) -> str:
    """The channel of one owner's project (project codes hold no ':')."""
    return f"review:{owner_id}:{project}"


@dataclass(frozen=True)
class Activity:
    """What travels on a review channel (JSON-able through `to_event`)."""

    kind: ActivityKind
    project: str
    task: str
    version: int
    asset_id: str
    principal: str
    occurred_at: datetime
    note: str = ""
    review_status: models.ReviewStatus | None = None
    review_event_id: int | None = None
    annotation_id: str | None = None

    def to_event(self) -> dict[str, Any]:
        event = asdict(self)
        event["occurred_at"] = self.occurred_at.isoformat()
        return event

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> "Activity":
        status = event.get("review_status")
        return cls(
            **{
                **event,
                "kind": ActivityKind(event["kind"]),
                "occurred_at": datetime.fromisoformat(event["occurred_at"]),
                "review_status": models.ReviewStatus(status) if status else None,
            }
        )

    @classmethod
    def of_event(cls, row: models.ReviewEvent) -> "Activity":
        return cls(
            kind=FOR_ACTION[row.action],
            project=row.project,
            task=row.task,
            version=row.version,
            asset_id=str(row.asset_id),  # type: ignore[attr-defined]
            principal=row.principal,
            occurred_at=row.created_at,
            note=row.note,
            review_status=row.to_status,
            review_event_id=row.id,
        )

    @classmethod
    def of_annotation(
        cls,
        kind: ActivityKind,
        asset: models.Asset,
        annotation: models.Annotation,
        principal: str,
    ) -> "Activity":
        return cls(
            kind=kind,
            project=asset.project or "",
            task=asset.task or "",
            version=asset.version or 0,
            asset_id=str(asset.id),
            principal=principal,
            occurred_at=now(),
            note=annotation.text,
            annotation_id=str(annotation.id),
        )


async def publish(runtime: Runtime, owner_id: str, *items: Activity) -> None:
    """Send activities, in order, to the project's channel (after the commit)."""
    for item in items:
        if item.project:  # an asset on no task has no project to tell
            await runtime.bus.publish(
                review_channel(owner_id, item.project), item.to_event()
            )
