"""Batch functions of the workflow tree: one query per level, whatever its size."""

from collections import defaultdict
from typing import Any
from uuid import UUID

from gql_media import models


def _grouped(rows: list[Any], key: str, ids: list[str]) -> list[list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, key))].append(row)
    return [groups.get(i, []) for i in ids]


def _uuids(ids: list[str]) -> list[UUID]:
    return [UUID(i) for i in ids]


async def revisions_by_workflow_id(
    ids: list[str],
) -> list[list[models.WorkflowRevision]]:
    rows = await models.WorkflowRevision.filter(workflow_id__in=_uuids(ids)).order_by(
        "-number"
    )
    return _grouped(rows, "workflow_id", ids)


async def executions_by_workflow_id(
    ids: list[str],
) -> list[list[models.WorkflowExecution]]:
    rows = await models.WorkflowExecution.filter(workflow_id__in=_uuids(ids)).order_by(
        "-started_at", "-id"
    )
    return _grouped(rows, "workflow_id", ids)


async def node_runs_by_execution_id(ids: list[str]) -> list[list[models.NodeRun]]:
    rows = await models.NodeRun.filter(execution_id__in=_uuids(ids)).order_by(
        "position"
    )
    return _grouped(rows, "execution_id", ids)


async def workflow_videos_by_workflow_id(
    ids: list[str],
) -> list[list[models.WorkflowVideo]]:
    rows = await models.WorkflowVideo.filter(workflow_id__in=_uuids(ids)).order_by(
        "created_at", "id"
    )
    return _grouped(rows, "workflow_id", ids)


async def workflow_videos_by_execution_id(
    ids: list[str],
) -> list[list[models.WorkflowVideo]]:
    rows = await models.WorkflowVideo.filter(execution_id__in=_uuids(ids)).order_by(
        "created_at", "id"
    )
    return _grouped(rows, "execution_id", ids)


async def workflow_videos_by_asset_id(
    ids: list[str],
) -> list[list[models.WorkflowVideo]]:
    rows = await models.WorkflowVideo.filter(asset_id__in=_uuids(ids)).order_by(
        "created_at", "id"
    )
    return _grouped(rows, "asset_id", ids)
