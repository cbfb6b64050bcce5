"""Reading workflows: the list with filters and order, and counts by status."""

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.functions import Count

from gql_media import models
from gql_media.kit.pagination import Page, SortKey, check_first, paginate
from gql_media.models import WorkflowStatus

ORDERS = {
    key.name: key
    for key in (
        SortKey("created_at_desc", "created_at", True, datetime),
        SortKey("created_at_asc", "created_at", False, datetime),
        SortKey("updated_at_desc", "updated_at", True, datetime),
        SortKey("name_asc", "name", False, str),
    )
}


@dataclass(frozen=True)
class WorkflowSearch:
    status: WorkflowStatus | None = None
    text: str | None = None


async def search_workflows(
    owner_id: str,
    search: WorkflowSearch,
    order: str = "created_at_desc",
    first: int | None = None,
    after: str | None = None,
) -> Page[models.Workflow]:
    query = models.Workflow.filter(owner_id=owner_id)
    if search.status is not None:
        query = query.filter(status=search.status)
    if search.text:
        query = query.filter(
            Q(name__icontains=search.text) | Q(description__icontains=search.text)
        )
    return await paginate(query, ORDERS[order], check_first(first), after)


async def counts_by_status(owner_id: str) -> dict[str, int]:
    rows = (
        await models.Workflow.filter(owner_id=owner_id)
        .annotate(n=Count("id"))
        .group_by("status")
        .values("status", "n")
    )
    return {str(r["status"]): r["n"] for r in rows}
