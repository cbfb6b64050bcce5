"""Publication, its audit events and its counts: contracts built from the rows."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql_media import models
from gql_media.schema.common.context import Info
from gql_media.schema.common.pagination import Connection
from gql_media.schema.publishing.enums import PublicationStatus

if TYPE_CHECKING:
    from gql_media.schema.assets.types import Asset


@strawberry.type(description="What was (or will be) sent with the video.")
class PublicationMetadata:
    title: str | None
    caption: str | None = strawberry.field(description="The description on YouTube.")
    hashtags: list[str]
    privacy: str = strawberry.field(description="public, unlisted or private.")


@strawberry.type(description="One asset on one platform: the ledger row.")
class Publication:
    id: strawberry.ID
    platform: str
    status: PublicationStatus
    post_id: str | None = strawberry.field(description="The platform's id of the post.")
    post_url: str | None
    metadata: PublicationMetadata
    retry_count: int = strawberry.field(
        description="Failures since the last manual retry (3 automatic retries)."
    )
    error_code: str | None
    last_error: str | None = strawberry.field(description="The platform's words.")
    last_attempt_at: datetime | None
    scheduled_at: datetime | None
    next_retry_at: datetime | None
    published_at: datetime | None
    revision: int
    created_by: str = strawberry.field(description="The principal who asked for it.")
    created_at: datetime
    updated_at: datetime
    asset_id: strawberry.ID

    @classmethod
    def from_model(cls, row: models.Publication) -> "Publication":
        return cls(
            id=strawberry.ID(str(row.id)),
            platform=row.platform,
            status=row.status,
            post_id=row.post_id,
            post_url=row.post_url,
            metadata=PublicationMetadata(
                title=row.title,
                caption=row.caption,
                hashtags=list(row.hashtags or []),
                privacy=row.privacy,
            ),
            retry_count=row.retry_count,
            error_code=row.error_code,
            last_error=row.last_error,
            last_attempt_at=row.last_attempt_at,
            scheduled_at=row.scheduled_at,
            next_retry_at=row.next_retry_at,
            published_at=row.published_at,
            revision=row.revision,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            asset_id=strawberry.ID(str(row.asset_id)),  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The published asset (null once deleted).")
    async def asset(
        self, info: Info
    ) -> Annotated["Asset", strawberry.lazy("gql_media.schema.assets.types")] | None:
        from gql_media.schema.assets.types import Asset

        row = await info.context.loaders.assets_by_id.load(str(self.asset_id))
        return Asset.from_model(row) if row is not None else None


@strawberry.type(description="A page of publications.")
class PublicationConnection(Connection[Publication]):
    pass


@strawberry.type(description="One transition of a publication (the audit trail).")
class PublicationEvent:
    id: strawberry.ID
    at: datetime
    publication_id: strawberry.ID
    asset_id: strawberry.ID
    platform: str
    from_status: PublicationStatus | None = strawberry.field(
        description="Null for the event that created the publication."
    )
    to_status: PublicationStatus
    retry_count: int
    error: str | None
    post_id: str | None
    principal: str = strawberry.field(
        description='Who made it: a token\'s principal, or "system" for workers.'
    )
    revision: int

    @classmethod
    def from_record(cls, record: dict) -> "PublicationEvent":
        """From the JSON record the trail file and the bus carry."""
        return cls(
            id=strawberry.ID(record["id"]),
            at=datetime.fromisoformat(record["at"]),
            publication_id=strawberry.ID(record["publication_id"]),
            asset_id=strawberry.ID(record["asset_id"]),
            platform=record["platform"],
            from_status=PublicationStatus(record["from"]) if record["from"] else None,
            to_status=PublicationStatus(record["to"]),
            retry_count=record["retry_count"],
            error=record["error"],
            post_id=record["post_id"],
            principal=record["principal"],
            revision=record["revision"],
        )

    @classmethod
    def from_model(cls, row: models.PublicationEvent) -> "PublicationEvent":
        return cls(
            id=strawberry.ID(str(row.id)),
            at=row.at,
            publication_id=strawberry.ID(str(row.publication_id)),  # type: ignore[attr-defined]
            asset_id=strawberry.ID(str(row.asset_id)),
            platform=row.platform,
            from_status=row.from_status,
            to_status=row.to_status,
            retry_count=row.retry_count,
            error=row.error,
            post_id=row.post_id,
            principal=row.principal,
            revision=row.revision,
        )


@strawberry.type(description="A page of publication events, oldest first.")
class PublicationEventConnection(Connection[PublicationEvent]):
    pass


@strawberry.type(description="How many publications a platform has in a status.")
class PublicationCount:
    platform: str
    status: PublicationStatus
    count: int


@strawberry.type(description="Whether publishAsset would start an attempt now.")
class CanPublish:
    allowed: bool
    reason: str | None = strawberry.field(description="Why not, when not allowed.")


@strawberry.type(description="A transition pushed by publicationProgress.")
class PublicationProgress:
    event: PublicationEvent | None = strawberry.field(
        description="The transition; null in the first message when nothing "
        "matching has happened yet."
    )
    publication_id: strawberry.Private[str | None]

    @strawberry.field(description="The publication as it is now.")
    async def publication(self, info: Info) -> Publication | None:
        if self.publication_id is None:
            return None
        row = await models.Publication.get_or_none(
            id=self.publication_id, owner_id=info.context.owner_id
        )
        return Publication.from_model(row) if row is not None else None
