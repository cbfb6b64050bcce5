"""Publishing use cases: publish one asset, publish all pending, retry, cancel,
allow duplicates, and whether an asset may be published.

Everything is checked before anything is written: a bad request leaves no row.
Duplicate prevention is on by default: an asset (or other bytes with the same
SHA-256) already posted on a platform is BLOCKED there, and the attempt is in
the audit trail, unless the asset's `allow_duplicate_publish` is set.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from gql_media import models
from gql_media.errors import GqlMediaError, InvalidInput, InvalidState
from gql_media.kit.clock import now
from gql_media.kit.ids import get_owned, is_uuid
from gql_media.kit.pagination import Page, SortKey, paginate
from gql_media.models import PublicationStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.publishing import ledger, registry
from gql_media.services.publishing.state import POSTED, Trigger
from gql_media.services.publishing.uploaders.base import PublishMetadata
from gql_media.services.publishing.validation import (
    check_for_platform,
    check_metadata,
    check_publishable,
    publishable,
)

MAX_SCHEDULE_AHEAD = timedelta(days=366)
MAX_PLATFORMS = 16
# What publishAsset may restart; a row in another state is busy or waiting.
_RESTARTABLE = (PublicationStatus.FAILED_FINAL, PublicationStatus.CANCELED)
BULK_ORDER = SortKey("created_at_asc", "created_at", False, datetime)


@dataclass(frozen=True)
class Published:
    publication: models.Publication
    blocked: bool


async def _configured(runtime: Runtime, platform: str, meta: PublishMetadata) -> None:
    """PlatformNotConfigured or InvalidInput unless the platform takes `meta`."""
    uploader = registry.build(runtime.settings, platform)
    try:
        check_for_platform(uploader, meta)
    finally:
        await uploader.close()


def _when(scheduled_at: datetime | None) -> datetime | None:
    if scheduled_at is None:
        return None
    if scheduled_at.tzinfo is None:
        raise InvalidInput("scheduledAt needs a time zone", field="scheduledAt")
    if scheduled_at > now() + MAX_SCHEDULE_AHEAD:
        raise InvalidInput("scheduledAt is more than a year ahead", "scheduledAt")
    return scheduled_at


async def posted_elsewhere(
    owner_id: str, platform: str, checksum: str | None, asset_id: Any
) -> models.Publication | None:
    """A post of the same bytes (another asset of this owner) on `platform`."""
    if not checksum:
        return None
    return (
        await models.Publication.filter(
            owner_id=owner_id,
            platform=platform,
            status__in=list(POSTED),
            asset__checksum=checksum,
        )
        .exclude(asset_id=asset_id)
        .first()
    )


async def publish_asset(
    runtime: Runtime,
    owner_id: str,
    principal: str,
    asset_id: str,
    platform: str,
    metadata: PublishMetadata,
    scheduled_at: datetime | None = None,
) -> Published:
    """Start (or schedule) the publication of one asset on one platform."""
    platform = registry.check_platform(platform)
    metadata = check_metadata(metadata)
    due = _when(scheduled_at)
    asset = await get_owned(models.Asset, owner_id, asset_id, "asset", deleted_at=None)
    check_publishable(asset)
    await _configured(runtime, platform, metadata)
    fields: dict[str, Any] = {
        "title": metadata.title,
        "caption": metadata.caption,
        "hashtags": metadata.hashtags,
        "privacy": metadata.privacy,
        "scheduled_at": due,
    }
    row = await models.Publication.get_or_none(asset_id=asset.id, platform=platform)
    if row is None:
        other = None
        if not asset.allow_duplicate_publish:
            other = await posted_elsewhere(owner_id, platform, asset.checksum, asset.id)
        try:
            if other is not None:
                blocked = await ledger.create(
                    runtime,
                    owner_id=owner_id,
                    asset_id=asset.id,
                    platform=platform,
                    principal=principal,
                    trigger=Trigger.BLOCK,
                    error=f"the same video is already posted as {other.post_id}",
                    post_id=other.post_id,
                    post_url=other.post_url,
                    **fields,
                )
                return Published(blocked, blocked=True)
            created = await ledger.create(
                runtime,
                owner_id=owner_id,
                asset_id=asset.id,
                platform=platform,
                principal=principal,
                due=due,
                **fields,
            )
        except IntegrityError:
            raise InvalidState(
                f"the asset is already being published to {platform}"
            ) from None
        return Published(created, blocked=False)
    if row.status in POSTED and not asset.allow_duplicate_publish:
        # The row keeps its post id; the refused attempt is in the trail.
        row = await ledger.transition(
            runtime,
            row,
            Trigger.BLOCK,
            principal=principal,
            error=f"already published as {row.post_id}; set allowDuplicatePublish",
        )
        return Published(row, blocked=True)
    if row.status not in POSTED and row.status not in _RESTARTABLE:
        raise InvalidState(
            f"the asset's publication to {platform} is {row.status.value}"
        )
    row = await ledger.transition(
        runtime,
        row,
        Trigger.REPUBLISH,
        principal=principal,
        attempt_at=due or now(),
        retry_count=0,
        next_retry_at=None,
        error_code=None,
        last_error=None,
        resume_state={},
        **fields,
    )
    return Published(row, blocked=False)


@dataclass
class BulkResult:
    created: int = 0
    skipped_existing: int = 0
    skipped_duplicates: int = 0
    publications: list[models.Publication] = field(default_factory=list)
    page: Page[models.Asset] | None = None


@dataclass(frozen=True)
class BulkFilter:
    asset_ids: list[str] | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def publish_all_pending(
    runtime: Runtime,
    owner_id: str,
    principal: str,
    platforms: list[str],
    bulk: BulkFilter,
    metadata: PublishMetadata,
    first: int,
    after: str | None,
) -> BulkResult:
    """Publish every READY video of the filter not yet on each platform, one
    page of assets per call (`first` <= the bulk limit; follow `endCursor`)."""
    limit = runtime.settings.publishing.bulk_max_assets
    if not 1 <= first <= limit:
        raise InvalidInput(f"first must be between 1 and {limit}", field="first")
    if not platforms or len(platforms) > MAX_PLATFORMS:
        raise InvalidInput(f"give 1 to {MAX_PLATFORMS} platforms", "platforms")
    if bulk.asset_ids is not None and len(bulk.asset_ids) > limit:
        raise InvalidInput(
            f"at most {limit} assetIds per call; page through the rest",
            field="assetIds",
        )
    names = sorted({registry.check_platform(p) for p in platforms})
    metadata = check_metadata(metadata)
    for name in names:
        await _configured(runtime, name, metadata)
    query = models.Asset.filter(
        owner_id=owner_id,
        deleted_at=None,
        archived_at=None,
        kind=models.AssetKind.VIDEO,
        status=models.AssetStatus.READY,
    )
    if bulk.asset_ids is not None:
        query = query.filter(id__in=[i for i in bulk.asset_ids if is_uuid(i)])
    if bulk.tag:
        query = query.filter(tag_rows__tag=bulk.tag.strip())
    if bulk.created_after is not None:
        query = query.filter(created_at__gte=bulk.created_after)
    if bulk.created_before is not None:
        query = query.filter(created_at__lt=bulk.created_before)
    page = await paginate(query.distinct(), BULK_ORDER, first, after)
    result = BulkResult(page=page)
    ids = [asset.id for asset in page.rows]
    existing = {
        (str(asset_id), platform)
        for asset_id, platform in await models.Publication.filter(
            asset_id__in=ids, platform__in=names
        ).values_list("asset_id", "platform")
    }
    posted = {
        (checksum, platform)
        for checksum, platform in await models.Publication.filter(
            owner_id=owner_id, platform__in=names, status__in=list(POSTED)
        ).values_list("asset__checksum", "platform")
    }
    specs: list[dict[str, Any]] = []
    for asset in page.rows:
        for name in names:
            if (str(asset.id), name) in existing:
                result.skipped_existing += 1
                continue
            if (asset.checksum, name) in posted and not asset.allow_duplicate_publish:
                result.skipped_duplicates += 1
                continue
            # Same bytes on two assets: the second one is a duplicate.
            posted.add((asset.checksum, name))
            specs.append(
                {
                    "asset_id": asset.id,
                    "platform": name,
                    "title": metadata.title or asset.name[:255] or None,
                    "caption": metadata.caption,
                    "hashtags": metadata.hashtags,
                    "privacy": metadata.privacy,
                }
            )
    try:
        rows = await ledger.create_many(runtime, owner_id, principal, specs)
    except IntegrityError:
        raise InvalidState(
            "another request published some of these meanwhile; call again"
        ) from None
    result.created = len(rows)
    result.publications = rows
    return result


async def get_publication(owner_id: str, publication_id: str) -> models.Publication:
    return await get_owned(models.Publication, owner_id, publication_id, "publication")


async def retry(
    runtime: Runtime, owner_id: str, principal: str, publication_id: str
) -> models.Publication:
    """Attempt a FAILED_FINAL (or FAILED, CANCELED) publication again now; the
    retry count restarts at 0, so it gets its automatic retries again."""
    row = await get_publication(owner_id, publication_id)
    return await ledger.transition(
        runtime,
        row,
        Trigger.RETRY,
        principal=principal,
        retry_count=0,
        next_retry_at=None,
        scheduled_at=None,
        error_code=None,
        last_error=None,
    )


async def cancel(
    runtime: Runtime, owner_id: str, principal: str, publication_id: str
) -> models.Publication:
    """Cancel a PENDING (possibly scheduled) publication, or one waiting for a
    retry; an attempt under way cannot be cancelled (it may be posting)."""
    row = await get_publication(owner_id, publication_id)
    job_id = row.job_id  # type: ignore[attr-defined]
    row = await ledger.transition(
        runtime,
        row,
        Trigger.CANCEL,
        principal=principal,
        error=f"cancelled by {principal}",
        next_retry_at=None,
    )
    job = await models.Job.get_or_none(id=job_id) if job_id else None
    if job is not None and job.status is models.JobStatus.QUEUED:
        # Recorded here: a waiting (deferred) job has no runner to record it,
        # and when its turn comes its claim finds it ended.
        await jobs.finish(
            runtime,
            job.id,
            models.JobStatus.CANCELED,
            error=InvalidState("the publication was cancelled"),
            message="cancelled",
        )
    return row


async def set_allow_duplicate(
    owner_id: str, asset_id: str, allowed: bool
) -> models.Asset:
    asset = await get_owned(models.Asset, owner_id, asset_id, "asset", deleted_at=None)
    await models.Asset.filter(id=asset.id).update(allow_duplicate_publish=allowed)
    asset.allow_duplicate_publish = allowed
    return asset


async def can_publish(
    runtime: Runtime, owner_id: str, asset_id: str, platform: str
) -> tuple[bool, str | None]:
    """Whether publishAsset would start an attempt now, and if not, why."""
    try:
        platform = registry.check_platform(platform)
        asset = await get_owned(
            models.Asset, owner_id, asset_id, "asset", deleted_at=None
        )
        await _configured(runtime, platform, PublishMetadata())
    except GqlMediaError as error:  # unknown platform or asset, not configured
        return False, error.message
    reason = publishable(asset)
    if reason is not None:
        return False, reason
    row = await models.Publication.get_or_none(asset_id=asset.id, platform=platform)
    if row is None:
        if not asset.allow_duplicate_publish:
            other = await posted_elsewhere(owner_id, platform, asset.checksum, asset.id)
            if other is not None:
                return False, f"the same video is already on {platform}"
        return True, None
    if row.status in POSTED:
        if asset.allow_duplicate_publish:
            return True, None
        return False, f"already published on {platform} as {row.post_id}"
    if row.status in _RESTARTABLE:
        return True, None
    return False, f"the publication is {row.status.value}"
