"""Ids from clients, and the owner-scoped lookup every domain does by id."""

import uuid
from typing import Any, TypeVar

from tortoise.models import Model

from gql_media.errors import NotFound

M = TypeVar("M", bound=Model)


def is_uuid(value: object) -> bool:
    """Whether `value` can be an id (so malformed ids look up nothing)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


async def get_owned(
    model: type[M], owner_id: str, row_id: object, what: str, **filters: Any
) -> M:
    """The owner's row of `model` with this id, or NotFound.

    A malformed id and another owner's id read the same as an unknown one, so a
    client cannot probe for rows it does not own.
    """
    if not is_uuid(row_id):
        raise NotFound(f"no {what} with id {row_id!r}")
    row = await model.get_or_none(id=row_id, owner_id=owner_id, **filters)
    if row is None:
        raise NotFound(f"no {what} with id {row_id!r}")
    return row
