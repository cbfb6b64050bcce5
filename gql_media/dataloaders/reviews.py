"""Loaders of the reviews domain: a task's versions and history, an asset's
annotations and review events. Each batch is one SQL statement."""

from collections import defaultdict
from uuid import UUID

from gql_media import models

# A task key: (owner_id, project, task).
TaskKey = tuple[str, str, str]


async def versions_by_task(keys: list[TaskKey]) -> list[list[models.Asset]]:
    rows = await models.Asset.filter(
        owner_id__in={k[0] for k in keys},
        project__in={k[1] for k in keys},
        task__in={k[2] for k in keys},
        deleted_at=None,
    ).order_by("version")
    found: dict[TaskKey, list[models.Asset]] = defaultdict(list)
    for row in rows:
        found[(row.owner_id, row.project or "", row.task or "")].append(row)
    return [found.get(k, []) for k in keys]


async def review_events_by_task(keys: list[TaskKey]) -> list[list[models.ReviewEvent]]:
    rows = await models.ReviewEvent.filter(
        owner_id__in={k[0] for k in keys},
        project__in={k[1] for k in keys},
        task__in={k[2] for k in keys},
    ).order_by("id")
    found: dict[TaskKey, list[models.ReviewEvent]] = defaultdict(list)
    for row in rows:
        found[(row.owner_id, row.project, row.task)].append(row)
    return [found.get(k, []) for k in keys]


async def review_events_by_asset_id(ids: list[str]) -> list[list[models.ReviewEvent]]:
    rows = await models.ReviewEvent.filter(
        asset_id__in=[UUID(i) for i in ids]
    ).order_by("id")
    found: dict[str, list[models.ReviewEvent]] = defaultdict(list)
    for row in rows:
        found[str(row.asset_id)].append(row)  # type: ignore[attr-defined]
    return [found.get(i, []) for i in ids]


async def annotations_by_asset_id(ids: list[str]) -> list[list[models.Annotation]]:
    """Every annotation of each asset, in time order (replies included)."""
    rows = await models.Annotation.filter(asset_id__in=[UUID(i) for i in ids]).order_by(
        "at_seconds", "created_at", "id"
    )
    found: dict[str, list[models.Annotation]] = defaultdict(list)
    for row in rows:
        found[str(row.asset_id)].append(row)  # type: ignore[attr-defined]
    return [found.get(i, []) for i in ids]
