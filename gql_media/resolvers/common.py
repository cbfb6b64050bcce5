"""Helpers shared by resolvers: turning service errors into results."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, get_args

from gql_media.errors import GqlMediaError
from gql_media.schema.common.errors import to_error

T = TypeVar("T")


async def result_of(union: Any, action: Callable[[], Awaitable[T]]) -> Any:
    """Run `action`; a service error becomes the matching error type of `union`.

    An error type the union does not list is raised instead (it reaches the
    client as a GraphQL error with its code in `extensions`).
    """
    try:
        return await action()
    except GqlMediaError as exc:
        error = to_error(exc)
        members = get_args(get_args(union)[0])
        if type(error) in members:
            return error
        raise


def is_uuid(value: str) -> bool:
    """Whether `value` can be an id (so malformed ids look up nothing)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
