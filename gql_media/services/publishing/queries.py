"""Reading the ledger: publications with filters and orders, the audit trail,
counts by platform and status, and the export of both."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.functions import Count

from gql_media import models
from gql_media.kit.ids import is_uuid
from gql_media.kit.pagination import Page, SortKey, check_first, paginate
from gql_media.models import PublicationStatus

ORDERS = {
    key.name: key
    for key in (
        SortKey("created_at_desc", "created_at", True, datetime),
        SortKey("created_at_asc", "created_at", False, datetime),
        SortKey("updated_at_desc", "updated_at", True, datetime),
    )
}
EVENT_ORDER = SortKey("at_asc", "at", False, datetime)


@dataclass(frozen=True)
class PublicationSearch:
    platform: str | None = None
    status: PublicationStatus | None = None
    asset_id: str | None = None


@dataclass(frozen=True)
class EventSearch:
    publication_id: str | None = None
    asset_id: str | None = None
    platform: str | None = None


def _publications(owner_id: str, search: PublicationSearch):  # type: ignore[no-untyped-def]
    query = models.Publication.filter(owner_id=owner_id)
    if search.platform:
        query = query.filter(platform=search.platform.strip().lower())
    if search.status is not None:
        query = query.filter(status=search.status)
    if search.asset_id is not None:
        if not is_uuid(search.asset_id):
            return query.filter(id__in=[])
        query = query.filter(asset_id=search.asset_id)
    return query


async def search_publications(
    owner_id: str,
    search: PublicationSearch,
    order: str,
    first: int | None,
    after: str | None,
) -> Page[models.Publication]:
    return await paginate(
        _publications(owner_id, search), ORDERS[order], check_first(first), after
    )


async def get_publication(
    owner_id: str, publication_id: str
) -> models.Publication | None:
    if not is_uuid(publication_id):
        return None
    return await models.Publication.get_or_none(id=publication_id, owner_id=owner_id)


def _events(owner_id: str, search: EventSearch):  # type: ignore[no-untyped-def]
    query = models.PublicationEvent.filter(owner_id=owner_id)
    for name, value in (
        ("publication_id", search.publication_id),
        ("asset_id", search.asset_id),
    ):
        if value is not None:
            if not is_uuid(value):
                return query.filter(id__in=[])
            query = query.filter(**{name: value})
    if search.platform:
        query = query.filter(platform=search.platform.strip().lower())
    return query


async def search_events(
    owner_id: str, search: EventSearch, first: int | None, after: str | None
) -> Page[models.PublicationEvent]:
    """The trail oldest first (the order things happened in)."""
    return await paginate(
        _events(owner_id, search), EVENT_ORDER, check_first(first), after
    )


@dataclass(frozen=True)
class Count_:
    platform: str
    status: PublicationStatus
    count: int


async def stats(owner_id: str) -> list[Count_]:
    """How many publications each platform has in each status."""
    rows = (
        await models.Publication.filter(owner_id=owner_id)
        .annotate(n=Count("id"))
        .group_by("platform", "status")
        .values("platform", "status", "n")
    )
    counts = [
        Count_(row["platform"], PublicationStatus(row["status"]), row["n"])
        for row in rows
    ]
    return sorted(counts, key=lambda c: (c.platform, c.status.value))


EXPORT_FIELDS = (
    "id",
    "asset_id",
    "platform",
    "status",
    "post_id",
    "post_url",
    "title",
    "caption",
    "hashtags",
    "privacy",
    "retry_count",
    "error_code",
    "last_error",
    "last_attempt_at",
    "scheduled_at",
    "next_retry_at",
    "published_at",
    "created_by",
    "created_at",
    "updated_at",
)


async def export_rows(
    owner_id: str | None, batch: int = 500
) -> AsyncIterator[dict[str, Any]]:
    """Every publication (of one owner, or all), oldest first, in batches."""
    query = models.Publication.all()
    if owner_id is not None:
        query = query.filter(owner_id=owner_id)
    after: str | None = None
    key = ORDERS["created_at_asc"]
    while True:
        page = await paginate(query, key, batch, after)
        for row in page.rows:
            yield {
                name: _plain(getattr(row, name if name != "asset_id" else "asset_id"))
                for name in EXPORT_FIELDS
            }
        if not page.has_next_page:
            return
        after = page.cursors[-1]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, PublicationStatus):
        return value.value
    return value
