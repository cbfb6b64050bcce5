"""Inputs of the publishing fields."""

from datetime import datetime

import strawberry

from gql_media.schema.publishing.enums import PublicationStatus
from gql_media.services.publishing.publishing import BulkFilter
from gql_media.services.publishing.queries import EventSearch, PublicationSearch
from gql_media.services.publishing.uploaders.base import PublishMetadata


@strawberry.input(description="What to send with the video.")
class PublicationMetadataInput:
    title: str | None = strawberry.field(
        default=None, description="YouTube: at most 100 characters."
    )
    caption: str | None = strawberry.field(
        default=None,
        description="The description on YouTube (5,000); TikTok and Instagram: "
        "2,200 with the hashtags.",
    )
    hashtags: list[str] = strawberry.field(
        default_factory=list, description="Without '#'; at most 30 on TikTok/Instagram."
    )
    privacy: str = strawberry.field(
        default="private", description="public, unlisted or private."
    )

    def to_domain(self) -> PublishMetadata:
        return PublishMetadata(
            title=self.title,
            caption=self.caption,
            hashtags=list(self.hashtags),
            privacy=self.privacy,
        )


@strawberry.input
class PublishAssetInput:
    asset_id: strawberry.ID
    platform: str = strawberry.field(
        description="youtube, tiktok, instagram, webhook, or an installed plugin's."
    )
    metadata: PublicationMetadataInput | None = None
    scheduled_at: datetime | None = strawberry.field(
        default=None, description="Not before this time (at most a year ahead)."
    )


@strawberry.input(description="Which assets publishAllPending considers.")
class PublishAllPendingFilter:
    asset_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="At most the bulk limit (500 by default) per call."
    )
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def to_domain(self) -> BulkFilter:
        return BulkFilter(
            asset_ids=[str(i) for i in self.asset_ids]
            if self.asset_ids is not None
            else None,
            tag=self.tag,
            created_after=self.created_after,
            created_before=self.created_before,
        )


@strawberry.input
class PublicationFilter:
    platform: str | None = None
    status: PublicationStatus | None = None
    asset_id: strawberry.ID | None = None

    def to_domain(self) -> PublicationSearch:
        return PublicationSearch(
            platform=self.platform,
            status=self.status,
            asset_id=str(self.asset_id) if self.asset_id is not None else None,
        )


@strawberry.input
class PublicationEventFilter:
    publication_id: strawberry.ID | None = None
    asset_id: strawberry.ID | None = None
    platform: str | None = None

    def to_domain(self) -> EventSearch:
        return EventSearch(
            publication_id=str(self.publication_id)
            if self.publication_id is not None
            else None,
            asset_id=str(self.asset_id) if self.asset_id is not None else None,
            platform=self.platform,
        )


@strawberry.input(description="Which transitions publicationProgress pushes.")
class PublicationProgressFilter:
    platform: str | None = None
    asset_id: strawberry.ID | None = None
    publication_id: strawberry.ID | None = None
