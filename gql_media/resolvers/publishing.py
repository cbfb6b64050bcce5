"""Publishing root fields: publish, bulk publish, retry, cancel, duplicates; the
ledger, its audit trail and counts."""

from collections.abc import AsyncGenerator

import strawberry

from gql_media.dataloaders import Loaders
from gql_media.errors import InvalidInput
from gql_media.kit.ids import is_uuid
from gql_media.schema.assets.types import Asset
from gql_media.schema.common.context import Info
from gql_media.schema.common.mutations import mutation
from gql_media.schema.common.pagination import PageInfo
from gql_media.schema.publishing import results
from gql_media.schema.publishing.enums import PublicationOrder
from gql_media.schema.publishing.inputs import (
    PublicationEventFilter,
    PublicationFilter,
    PublicationMetadataInput,
    PublicationProgressFilter,
    PublishAllPendingFilter,
    PublishAssetInput,
)
from gql_media.schema.publishing.types import (
    CanPublish,
    Publication,
    PublicationConnection,
    PublicationCount,
    PublicationEvent,
    PublicationEventConnection,
    PublicationProgress,
)
from gql_media.services.publishing import publishing, queries, registry
from gql_media.services.publishing.progress import ProgressFilter, follow_publications


@strawberry.type
class PublishingQuery:
    @strawberry.field(description="One publication by id; null if unknown.")
    async def publication(self, info: Info, id: strawberry.ID) -> Publication | None:
        if not is_uuid(id):
            return None
        row = await queries.get_publication(info.context.owner_id, str(id))
        return Publication.from_model(row) if row is not None else None

    @strawberry.field(
        description="The owner's publications, newest first by default; `first` <= 100."
    )
    async def publications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: PublicationFilter | None = None,
        order_by: PublicationOrder = PublicationOrder.CREATED_AT_DESC,
    ) -> PublicationConnection:
        search = (filter or PublicationFilter()).to_domain()
        page = await queries.search_publications(
            info.context.owner_id, search, order_by.value, first, after
        )
        return PublicationConnection.of(page, Publication.from_model)

    @strawberry.field(
        description="The audit trail: one event per transition, oldest first."
    )
    async def publication_events(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: PublicationEventFilter | None = None,
    ) -> PublicationEventConnection:
        search = (filter or PublicationEventFilter()).to_domain()
        page = await queries.search_events(info.context.owner_id, search, first, after)
        return PublicationEventConnection.of(page, PublicationEvent.from_model)

    @strawberry.field(description="Publications by platform and status.")
    async def publication_stats(self, info: Info) -> list[PublicationCount]:
        return [
            PublicationCount(platform=c.platform, status=c.status, count=c.count)
            for c in await queries.stats(info.context.owner_id)
        ]

    @strawberry.field(
        description="Whether publishAsset would start an attempt now, and why not."
    )
    async def can_publish(
        self, info: Info, asset_id: strawberry.ID, platform: str
    ) -> CanPublish:
        allowed, reason = await publishing.can_publish(
            info.context.runtime, info.context.owner_id, str(asset_id), platform
        )
        return CanPublish(allowed=allowed, reason=reason)

    @strawberry.field(description="The platform names this server knows.")
    async def publishing_platforms(self) -> list[str]:
        return registry.platforms()


@strawberry.type
class PublishingMutation:
    @mutation(
        description="Publish a READY video to a platform, now or at `scheduledAt`. "
        "An asset already posted there is BLOCKED (duplicate prevention) unless "
        "its allowDuplicatePublish is set."
    )
    async def publish_asset(
        self, info: Info, input: PublishAssetInput
    ) -> results.PublishAssetResult:
        ctx = info.context
        metadata = (input.metadata or PublicationMetadataInput()).to_domain()
        done = await publishing.publish_asset(
            ctx.runtime,
            ctx.owner_id,
            ctx.principal,
            str(input.asset_id),
            input.platform,
            metadata,
            input.scheduled_at,
        )
        return results.PublishAssetSuccess(
            publication=Publication.from_model(done.publication), blocked=done.blocked
        )

    @mutation(
        description="Publish every READY video of the filter that has no publication "
        "on each platform yet, skipping duplicates; one page of assets per call "
        "(`first` up to the bulk limit, then `after: pageInfo.endCursor`)."
    )
    async def publish_all_pending(
        self,
        info: Info,
        platforms: list[str],
        filter: PublishAllPendingFilter | None = None,
        metadata: PublicationMetadataInput | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> results.PublishAllPendingResult:
        ctx = info.context
        done = await publishing.publish_all_pending(
            ctx.runtime,
            ctx.owner_id,
            ctx.principal,
            platforms,
            (filter or PublishAllPendingFilter()).to_domain(),
            (metadata or PublicationMetadataInput()).to_domain(),
            first,
            after,
        )
        assert done.page is not None
        return results.PublishAllPendingSuccess(
            created=done.created,
            skipped_existing=done.skipped_existing,
            skipped_duplicates=done.skipped_duplicates,
            assets_considered=len(done.page.rows),
            page_info=PageInfo.from_page(done.page),
            publications=[Publication.from_model(r) for r in done.publications],
        )

    @mutation(
        description="Attempt a FAILED_FINAL, FAILED or CANCELED publication again "
        "now. The retry count restarts at 0 (it gets its automatic retries again)."
    )
    async def retry_publication(
        self, info: Info, id: strawberry.ID
    ) -> results.RetryPublicationResult:
        ctx = info.context
        row = await publishing.retry(ctx.runtime, ctx.owner_id, ctx.principal, str(id))
        return results.RetryPublicationSuccess(
            publication=Publication.from_model(row), retry_count_restarted=True
        )

    @mutation(
        description="Cancel a PENDING (or scheduled) publication, or one waiting "
        "for a retry; an attempt under way cannot be cancelled."
    )
    async def cancel_publication(
        self, info: Info, id: strawberry.ID
    ) -> results.CancelPublicationResult:
        ctx = info.context
        row = await publishing.cancel(ctx.runtime, ctx.owner_id, ctx.principal, str(id))
        return results.CancelPublicationSuccess(publication=Publication.from_model(row))

    @mutation(
        description="Let this asset be posted again where it is already posted "
        "(off by default: duplicates are BLOCKED)."
    )
    async def set_allow_duplicate_publish(
        self, info: Info, asset_id: strawberry.ID, allowed: bool
    ) -> results.SetAllowDuplicatePublishResult:
        asset = await publishing.set_allow_duplicate(
            info.context.owner_id, str(asset_id), allowed
        )
        return results.SetAllowDuplicatePublishSuccess(asset=Asset.from_model(asset))


@strawberry.type
class PublishingSubscription:
    @strawberry.subscription(
        description="Every transition of the owner's publications that match the "
        "filter, pushed as it happens: first the newest one (or an empty message), "
        "then each new one. Does not complete by itself."
    )
    async def publication_progress(
        self, info: Info, filter: PublicationProgressFilter | None = None
    ) -> AsyncGenerator[PublicationProgress, None]:
        ctx = info.context
        given = filter or PublicationProgressFilter()
        for name, value in (
            ("assetId", given.asset_id),
            ("publicationId", given.publication_id),
        ):
            if value is not None and not is_uuid(value):
                raise InvalidInput(f"malformed {name}", field=name)
        wanted = ProgressFilter(
            platform=given.platform.strip().lower() if given.platform else None,
            asset_id=str(given.asset_id) if given.asset_id else None,
            publication_id=str(given.publication_id) if given.publication_id else None,
        )
        async for record in follow_publications(ctx.runtime, ctx.owner_id, wanted):
            # The connection's context outlives one event: drop cached rows so
            # nested fields (publication { asset }) show this event's state.
            ctx.loaders = Loaders()
            if record.get("id") is None:
                yield PublicationProgress(event=None, publication_id=None)
                continue
            yield PublicationProgress(
                event=PublicationEvent.from_record(record),
                publication_id=record["publication_id"],
            )
