"""Review types built from models: events, annotations, a task, stats, activity."""

from datetime import datetime

import strawberry

from gql_media import models
from gql_media.schema.assets.types import Asset
from gql_media.schema.common.context import Info
from gql_media.schema.reviews.enums import (
    ActivityKind,
    AnnotationShape,
    ReviewAction,
    ReviewStatus,
)
from gql_media.services.reviews import queries as review_queries
from gql_media.services.reviews.activity import Activity
from gql_media.services.reviews.versions import label


@strawberry.type(description="A point in the frame, in fractions (0..1).")
class Point:
    x: float
    y: float


@strawberry.type(description="One step in a version's review history.")
class ReviewEvent:
    id: strawberry.ID
    action: ReviewAction
    from_status: ReviewStatus
    to_status: ReviewStatus
    principal: str = strawberry.field(description="Who submitted or decided.")
    note: str
    version: int
    created_at: datetime
    asset_id: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.ReviewEvent) -> "ReviewEvent":
        return cls(
            id=strawberry.ID(str(row.id)),
            action=row.action,
            from_status=row.from_status,
            to_status=row.to_status,
            principal=row.principal,
            note=row.note,
            version=row.version,
            created_at=row.created_at,
            asset_id=str(row.asset_id),  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The version as v001, v002, ...")
    def version_label(self) -> str:
        return label(self.version)

    @strawberry.field(description="The version this event is about (null if deleted).")
    async def asset(self, info: Info) -> Asset | None:
        row = await info.context.loaders.assets_by_id.load(self.asset_id)
        return Asset.from_model(row) if row else None


@strawberry.type(description="A note at a time and a place in the frame, or a reply.")
class Annotation:
    id: strawberry.ID
    at_seconds: float
    frame: int = strawberry.field(
        description="Derived from the frame rate if not given."
    )
    position: Point
    shape: AnnotationShape
    width: float | None = strawberry.field(description="A rectangle's width (0..1).")
    height: float | None = strawberry.field(description="A rectangle's height (0..1).")
    points: list[Point] | None = strawberry.field(description="A path's points.")
    text: str
    author: str
    parent_id: strawberry.ID | None = strawberry.field(
        description="The annotation this one replies to."
    )
    resolved_at: datetime | None
    resolved_by: str | None
    created_at: datetime
    asset_id: strawberry.Private[str]

    @classmethod
    def from_model(cls, row: models.Annotation) -> "Annotation":
        parent = row.parent_id  # type: ignore[attr-defined]
        return cls(
            id=strawberry.ID(str(row.id)),
            at_seconds=row.at_seconds,
            frame=row.frame,
            position=Point(x=row.x, y=row.y),
            shape=row.shape,
            width=row.width,
            height=row.height,
            points=[Point(x=p[0], y=p[1]) for p in row.points] if row.points else None,
            text=row.text,
            author=row.author,
            parent_id=strawberry.ID(str(parent)) if parent else None,
            resolved_at=row.resolved_at,
            resolved_by=row.resolved_by,
            created_at=row.created_at,
            asset_id=str(row.asset_id),  # type: ignore[attr-defined]
        )

    @strawberry.field(description="True once someone resolved it.")
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @strawberry.field(description="Replies, oldest first.")
    async def replies(self, info: Info) -> list["Annotation"]:
        rows = await info.context.loaders.annotations_by_asset_id.load(self.asset_id)
        replies = [r for r in rows if str(r.parent_id) == self.id]  # type: ignore[attr-defined]
        replies.sort(key=lambda r: (r.created_at, str(r.id)))
        return [Annotation.from_model(r) for r in replies]


@strawberry.type(description="A task of a project: its versions and review history.")
class ReviewTask:
    project: str
    task: str
    owner_id: strawberry.Private[str]

    async def _versions(self, info: Info) -> list[models.Asset]:
        key = (self.owner_id, self.project, self.task)
        rows = await info.context.loaders.versions_by_task.load(key)
        # previousVersion and history { asset } then read these rows, not SQL.
        info.context.loaders.assets_by_id.prime_many({str(r.id): r for r in rows})
        return rows

    @strawberry.field(description="Every live version, v001 first.")
    async def versions(self, info: Info) -> list[Asset]:
        return [Asset.from_model(r) for r in await self._versions(info)]

    @strawberry.field(description="The highest live version.")
    async def latest(self, info: Info) -> Asset | None:
        rows = await self._versions(info)
        return Asset.from_model(rows[-1]) if rows else None

    @strawberry.field(description="The APPROVED version, if any (at most one).")
    async def approved(self, info: Info) -> Asset | None:
        rows = await self._versions(info)
        found = [r for r in rows if r.review_status is ReviewStatus.APPROVED]
        return Asset.from_model(found[-1]) if found else None

    @strawberry.field(description="Every submission and decision, oldest first.")
    async def history(self, info: Info) -> list[ReviewEvent]:
        # The versions first: they prime assets_by_id, so each event's `asset`
        # is read from them whichever sibling field resolves first.
        await self._versions(info)
        key = (self.owner_id, self.project, self.task)
        rows = await info.context.loaders.review_events_by_task.load(key)
        return [ReviewEvent.from_model(r) for r in rows]


@strawberry.type
class ReviewCount:
    key: str = strawberry.field(description="The project, review status or author.")
    count: int


@strawberry.type(description="Counts of the owner's live versions (assets on a task).")
class ReviewStats:
    version_count: int
    by_project: list[ReviewCount]
    by_review_status: list[ReviewCount]
    by_author: list[ReviewCount]

    @classmethod
    def from_domain(cls, stats: review_queries.ReviewStats) -> "ReviewStats":
        def counts(values: dict[str, int]) -> list[ReviewCount]:
            return [ReviewCount(key=k, count=v) for k, v in sorted(values.items())]

        return cls(
            version_count=stats.version_count,
            by_project=counts(stats.by_project),
            by_review_status=counts(stats.by_review_status),
            by_author=counts(stats.by_author),
        )


@strawberry.type(description="A submission, decision or annotation, as it happened.")
class ReviewActivity:
    kind: ActivityKind
    project: str
    task: str
    version: int
    asset_id: strawberry.ID
    principal: str
    note: str = strawberry.field(description="The note, or the annotation's text.")
    review_status: ReviewStatus | None = strawberry.field(
        description="The version's status after a submission or decision."
    )
    review_event_id: strawberry.ID | None
    annotation_id: strawberry.ID | None
    occurred_at: datetime

    @classmethod
    def from_domain(cls, item: Activity) -> "ReviewActivity":
        event_id = item.review_event_id
        return cls(
            kind=item.kind,
            project=item.project,
            task=item.task,
            version=item.version,
            asset_id=strawberry.ID(item.asset_id),
            principal=item.principal,
            note=item.note,
            review_status=item.review_status,
            review_event_id=strawberry.ID(str(event_id)) if event_id else None,
            annotation_id=(
                strawberry.ID(item.annotation_id) if item.annotation_id else None
            ),
            occurred_at=item.occurred_at,
        )
