"""Batch-function factories every domain's loaders are made of: rows by primary
key, and rows grouped by a foreign key. Each batch is one SQL statement."""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from tortoise.models import Model

M = TypeVar("M", bound=Model)


def rows_by_id(model: type[M]) -> Callable[[list[str]], Awaitable[list[M | None]]]:
    """A batch function loading rows of `model` by primary key."""

    async def load(ids: list[str]) -> list[M | None]:
        rows = await model.filter(id__in=[UUID(i) for i in ids])
        by_id = {str(row.pk): row for row in rows}
        return [by_id.get(i) for i in ids]

    return load


def rows_grouped_by(
    model: type[M], key: str, *order: str
) -> Callable[[list[str]], Awaitable[list[list[M]]]]:
    """A batch function loading, for each id, the rows of `model` whose `key`
    column (a UUID foreign key such as "workflow_id") is that id, in `order`."""

    async def load(ids: list[str]) -> list[list[M]]:
        query = model.filter(**{f"{key}__in": [UUID(i) for i in ids]})
        rows = await (query.order_by(*order) if order else query)
        groups: dict[str, list[M]] = defaultdict(list)
        for row in rows:
            groups[str(getattr(row, key))].append(row)
        return [groups.get(i, []) for i in ids]

    return load
