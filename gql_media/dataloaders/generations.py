"""Batch functions of the generation tree: one query per level, whatever its size."""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from tortoise.models import Model

from gql_media import models
from gql_media.models import SceneStatus

M = TypeVar("M", bound=Model)


def rows_by_id(model: type[M]) -> Callable[[list[str]], Awaitable[list[M | None]]]:
    """A batch function loading rows of `model` by primary key."""

    async def load(ids: list[str]) -> list[M | None]:
        rows = await model.filter(id__in=[UUID(i) for i in ids])
        by_id = {str(row.pk): row for row in rows}
        return [by_id.get(i) for i in ids]

    return load


def _grouped(rows: list[Any], key: str, ids: list[str]) -> list[list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, key))].append(row)
    return [groups.get(i, []) for i in ids]


async def variants_by_generation_id(ids: list[str]) -> list[list[models.Variant]]:
    rows = await models.Variant.filter(
        generation_id__in=[UUID(i) for i in ids]
    ).order_by("position")
    return _grouped(rows, "generation_id", ids)


async def scenes_by_variant_id(ids: list[str]) -> list[list[models.Scene]]:
    rows = await models.Scene.filter(variant_id__in=[UUID(i) for i in ids]).order_by(
        "number"
    )
    return _grouped(rows, "variant_id", ids)


async def metadata_by_generation_id(
    ids: list[str],
) -> list[list[models.GenerationMetadata]]:
    rows = await models.GenerationMetadata.filter(
        generation_id__in=[UUID(i) for i in ids]
    )
    return _grouped(rows, "generation_id", ids)


async def cover_asset_id_by_generation_id(ids: list[str]) -> list[str | None]:
    """The asset of each generation's first READY scene (first variant first)."""
    rows = (
        await models.Scene.filter(
            variant__generation_id__in=[UUID(i) for i in ids],
            status=SceneStatus.READY,
            asset_id__isnull=False,
        )
        .order_by("variant__position", "number")
        .values("variant__generation_id", "asset_id")
    )
    covers: dict[str, str] = {}
    for row in rows:
        covers.setdefault(str(row["variant__generation_id"]), str(row["asset_id"]))
    return [covers.get(i) for i in ids]
