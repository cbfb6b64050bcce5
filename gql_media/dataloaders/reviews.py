"""Loaders of the reviews domain: a task's versions and history, an asset's
annotations and review events. Each batch is one SQL statement."""

from collections import defaultdict

from gql_media import models
from gql_media.dataloaders.batch import rows_grouped_by

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


review_events_by_asset_id = rows_grouped_by(models.ReviewEvent, "asset_id", "id")
# Every annotation of each asset, in time order (replies included).
annotations_by_asset_id = rows_grouped_by(
    models.Annotation, "asset_id", "at_seconds", "created_at", "id"
)
