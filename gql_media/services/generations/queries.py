"""Reading generations: search with filters and order, the library of finished
ones, and per-owner statistics."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Sum

from gql_media import models
from gql_media.kit.pagination import Page, SortKey, check_first, paginate
from gql_media.models import GenerationStatus, SceneStatus

ORDERS = {
    key.name: key
    for key in (
        SortKey("created_at_desc", "created_at", True, datetime),
        SortKey("created_at_asc", "created_at", False, datetime),
        SortKey("updated_at_desc", "updated_at", True, datetime),
        SortKey("name_asc", "name", False, str),
    )
}
LIBRARY_ORDER = SortKey("completed_at_desc", "completed_at", True, datetime)


@dataclass(frozen=True)
class GenerationSearch:
    """Conditions on the generations list; None means "any"."""

    status: GenerationStatus | None = None
    variant_type: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    text: str | None = None


def _filtered(owner_id: str, search: GenerationSearch):  # type: ignore[no-untyped-def]
    query = models.Generation.filter(owner_id=owner_id)
    if search.status is not None:
        query = query.filter(status=search.status)
    if search.created_after is not None:
        query = query.filter(created_at__gte=search.created_after)
    if search.created_before is not None:
        query = query.filter(created_at__lt=search.created_before)
    # Subqueries rather than joins: a join would repeat a generation per match.
    if search.variant_type:
        variants = models.Variant.filter(variant_type=search.variant_type.strip())
        query = query.filter(id__in=Subquery(variants.values("generation_id")))
    if search.text:
        prompts = models.Scene.filter(prompt__icontains=search.text).values(
            "variant__generation_id"
        )
        query = query.filter(
            Q(source_url__icontains=search.text)
            | Q(name__icontains=search.text)
            | Q(id__in=Subquery(prompts))
        )
    return query


async def search_generations(
    owner_id: str,
    search: GenerationSearch,
    order: str = "created_at_desc",
    first: int | None = None,
    after: str | None = None,
) -> Page[models.Generation]:
    return await paginate(
        _filtered(owner_id, search),
        ORDERS[order],
        check_first(first),
        after,
        count=False,  # the connection counts if `totalCount` is selected
    )


async def library(
    owner_id: str, first: int | None = None, after: str | None = None
) -> Page[models.Generation]:
    """The owner's COMPLETED generations, most recently completed first."""
    query = models.Generation.filter(
        owner_id=owner_id, status=GenerationStatus.COMPLETED
    )
    return await paginate(query, LIBRARY_ORDER, check_first(first), after, count=False)


@dataclass(frozen=True)
class GenerationStats:
    generation_count: int
    by_status: dict[str, int]
    total_cost_estimate: Decimal
    total_actual_cost: Decimal
    scenes_completed: int
    scenes_failed: int
    total_stored_bytes: int


async def stats(owner_id: str) -> GenerationStats:
    """Counts and costs of the owner's generations and the bytes their videos hold."""
    mine = models.Generation.filter(owner_id=owner_id)
    rows = await mine.annotate(n=Count("id")).group_by("status").values("status", "n")
    by_status = {str(r["status"]): r["n"] for r in rows}
    # Costs are summed here, exactly: SQLite keeps decimals as text.
    costs = await mine.values_list("cost_estimate", "actual_cost")
    scene_rows = (
        await models.Scene.filter(variant__generation__owner_id=owner_id)
        .annotate(n=Count("id"))
        .group_by("status")
        .values("status", "n")
    )
    scenes = {str(r["status"]): r["n"] for r in scene_rows}
    # One live asset per content per owner (the dedup index), so summing the
    # distinct assets the scenes show counts each stored blob once.
    shown = models.Scene.filter(
        variant__generation__owner_id=owner_id, asset_id__isnull=False
    ).values("asset_id")
    totals = (
        await models.Asset.filter(
            owner_id=owner_id,
            deleted_at=None,
            storage_key__isnull=False,
            id__in=Subquery(shown),
        )
        .annotate(total=Sum("size_bytes"))
        .first()
        .values("total")
    )
    return GenerationStats(
        generation_count=sum(by_status.values()),
        by_status=by_status,
        total_cost_estimate=sum((Decimal(e) for e, _ in costs if e), Decimal(0)),
        total_actual_cost=sum((Decimal(a) for _, a in costs if a), Decimal(0)),
        scenes_completed=scenes.get(SceneStatus.READY.value, 0),
        scenes_failed=scenes.get(SceneStatus.FAILED.value, 0),
        total_stored_bytes=int((totals or {}).get("total") or 0),
    )
