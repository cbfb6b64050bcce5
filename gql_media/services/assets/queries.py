"""Reading assets: search with filters and order, and per-owner statistics."""

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from gql_media import models
from gql_media.errors import InvalidInput
from gql_media.kit.ids import is_uuid
from gql_media.kit.pagination import (
    Page,
    SortKey,
    check_first,
    decode_cursor,
    encode_cursor,
    paginate,
)
from gql_media.models import AssetKind, AssetStatus, ReviewStatus, SourceType
from gql_media.services.assets import search as fulltext

ORDERS = {
    key.name: key
    for key in (
        SortKey("created_at_desc", "created_at", True, datetime),
        SortKey("created_at_asc", "created_at", False, datetime),
        SortKey("size_desc", "size_bytes", True, int, null_as=-1),
        SortKey("size_asc", "size_bytes", False, int, null_as=-1),
        SortKey("duration_desc", "duration_seconds", True, float, null_as=-1.0),
        SortKey("duration_asc", "duration_seconds", False, float, null_as=-1.0),
        SortKey("name_asc", "name", False, str),
    )
}


@dataclass(frozen=True)
class AssetSearch:
    """Conditions on the assets list; None means "any"."""

    kind: AssetKind | None = None
    status: AssetStatus | None = None
    source_type: SourceType | None = None
    tag: str | None = None
    text: str | None = None
    min_duration_seconds: float | None = None
    max_duration_seconds: float | None = None
    min_size_bytes: int | None = None
    max_size_bytes: int | None = None
    archived: bool | None = False
    workflow_id: str | None = None
    # Versions (the reviews domain's columns on the asset).
    project: str | None = None
    task: str | None = None
    version: int | None = None
    author: str | None = None
    review_status: ReviewStatus | None = None


def _filtered(owner_id: str, search: AssetSearch):  # type: ignore[no-untyped-def]
    query = models.Asset.filter(owner_id=owner_id, deleted_at=None)
    exact = {
        "kind": search.kind,
        "status": search.status,
        "source_type": search.source_type,
        "duration_seconds__gte": search.min_duration_seconds,
        "duration_seconds__lte": search.max_duration_seconds,
        "size_bytes__gte": search.min_size_bytes,
        "size_bytes__lte": search.max_size_bytes,
        "project": search.project,
        "task": search.task,
        "version": search.version,
        "author": search.author,
        "review_status": search.review_status,
    }
    query = query.filter(**{k: v for k, v in exact.items() if v is not None})
    if search.archived is not None:
        query = query.filter(archived_at__isnull=not search.archived)
    if search.tag:
        # One row per (asset, tag), so the join cannot repeat an asset.
        query = query.filter(tag_rows__tag=search.tag.strip())
    if search.workflow_id is not None:
        # A subquery rather than a join: an asset linked twice is listed once.
        linked = models.WorkflowVideo.filter(
            workflow_id=search.workflow_id if is_uuid(search.workflow_id) else None
        ).values("asset_id")
        query = query.filter(id__in=Subquery(linked))
    return query


async def search_assets(
    owner_id: str,
    search: AssetSearch,
    order: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page[models.Asset]:
    """A page of the owner's assets. With `text`, the full-text matches, best
    first unless another order is asked for; else newest first by default."""
    size = check_first(first)
    query = _filtered(owner_id, search)
    if not search.text:
        if order == RELEVANCE.name:
            raise InvalidInput("RELEVANCE needs a text filter", field="orderBy")
        return await paginate(
            query, ORDERS[order or "created_at_desc"], size, after, count=False
        )
    scores = await fulltext.ranked(owner_id, search.text)
    query = query.filter(id__in=list(scores)) if scores else query.filter(id=None)
    if order is not None and order != RELEVANCE.name:
        return await paginate(query, ORDERS[order], size, after)
    return await _by_relevance(query, scores, size, after)


# Best first: the score is lower for a better match (bm25, or -ts_rank).
RELEVANCE = SortKey("relevance", "score", False, float)


async def _by_relevance(
    query: QuerySet[models.Asset],
    scores: dict[str, float],
    first: int,
    after: str | None,
) -> Page[models.Asset]:
    """Keyset pages over at most search.MAX_HITS ranked matches, in memory."""
    rows = sorted(await query, key=lambda r: (scores[str(r.id)], str(r.id)))
    total = len(rows)
    if after:
        score, row_id = decode_cursor(RELEVANCE, after)
        rows = [r for r in rows if (scores[str(r.id)], str(r.id)) > (score, row_id)]
    page = rows[:first]
    cursors = [encode_cursor(RELEVANCE, scores[str(r.id)], r.id) for r in page]
    return Page(page, cursors, len(rows) > first, total)


@dataclass(frozen=True)
class Stats:
    total_stored_bytes: int
    asset_count: int
    by_kind: dict[str, int]
    by_source_type: dict[str, int]
    by_status: dict[str, int]


async def stats(owner_id: str) -> Stats:
    """Counts of the owner's live assets, and the bytes their distinct blobs hold."""
    live = models.Asset.filter(owner_id=owner_id, deleted_at=None)
    counts = {}
    for column in ("kind", "source_type", "status"):
        rows = await live.annotate(n=Count("id")).group_by(column).values(column, "n")
        counts[column] = {str(r[column]): r["n"] for r in rows if r[column]}
    # An owner has one live asset per content (the dedup index), so summing the
    # sizes of stored assets counts each blob once.
    totals = (
        await live.filter(storage_key__isnull=False)
        .annotate(total=Sum("size_bytes"))
        .first()
        .values("total")
    )
    stored = int((totals or {}).get("total") or 0)
    return Stats(
        total_stored_bytes=stored,
        asset_count=sum(counts["status"].values()),
        by_kind=counts["kind"],
        by_source_type=counts["source_type"],
        by_status=counts["status"],
    )
