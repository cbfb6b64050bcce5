"""Reading the reviews domain: a task's versions and history, the review queue,
and review statistics."""

from dataclasses import dataclass
from datetime import datetime

from tortoise.functions import Count

from gql_media import models
from gql_media.kit.pagination import Page, SortKey, check_first, paginate
from gql_media.models import ReviewStatus
from gql_media.services.reviews.validation import check_project, check_task

# Oldest first: a queue is worked from its head.
QUEUE_ORDER = SortKey("queue", "created_at", False, datetime)


async def task_exists(owner_id: str, project: str, task: str) -> bool:
    check_project(project)
    check_task(task)
    return await models.Asset.exists(
        owner_id=owner_id, project=project, task=task, deleted_at=None
    )


async def review_queue(
    owner_id: str,
    project: str,
    status: ReviewStatus,
    first: int | None,
    after: str | None,
) -> Page[models.Asset]:
    """The project's live versions in `status`, oldest first."""
    check_project(project)
    query = models.Asset.filter(
        owner_id=owner_id, project=project, review_status=status, deleted_at=None
    )
    return await paginate(query, QUEUE_ORDER, check_first(first), after)


@dataclass(frozen=True)
class ReviewStats:
    version_count: int
    by_project: dict[str, int]
    by_review_status: dict[str, int]
    by_author: dict[str, int]


async def stats(owner_id: str, project: str | None = None) -> ReviewStats:
    """Counts of the owner's live versions (assets on a task)."""
    live = models.Asset.filter(owner_id=owner_id, deleted_at=None, task__isnull=False)
    if project is not None:
        live = live.filter(project=check_project(project))
    counts = {}
    for column in ("project", "review_status", "author"):
        rows = await live.annotate(n=Count("id")).group_by(column).values(column, "n")
        counts[column] = {str(r[column]): r["n"] for r in rows if r[column]}
    return ReviewStats(
        version_count=sum(counts["project"].values()),
        by_project=counts["project"],
        by_review_status=counts["review_status"],
        by_author=counts["author"],
    )
