"""Leaf values of a live plan (`live.Plan`) without their type's `serialize`.

Per event and field, graphql-core's `serialize` for a leaf runs a chain of
isinstance checks. For the exact Python types whose answer is known (a str for
a String or ID, a bool for a Boolean, an int in 32 bits for an Int, a finite
float for a Float, a member of a Strawberry enum), a look-up by type gives the
same answer; anything else still goes through `serialize`.
"""

from collections.abc import Callable
from enum import Enum
from math import isfinite
from typing import Any

from graphql import GraphQLEnumType
from graphql.type.scalars import (
    serialize_boolean,
    serialize_float,
    serialize_id,
    serialize_int,
    serialize_string,
)

# Returned by a quick serializer that leaves the value to the type's `serialize`.
SLOW = object()
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _same(value: Any) -> Any:
    return value


def _finite(value: float) -> Any:
    return value if isfinite(value) else SLOW  # inf, nan: serialize refuses


def _int32(value: int) -> Any:
    return value if _INT_MIN <= value <= _INT_MAX else SLOW  # too big: refused


def quick_serializers(gql_type: Any) -> dict[type, Callable[[Any], Any]]:
    """For a leaf type, exact Python types whose serialized value is known
    without the type's `serialize`, each with how to get it (or `SLOW`). The
    same answers as graphql-core's serialize_string/_id/_boolean/_int/_float
    and Strawberry's enum type for those exact types; anything else (a bool
    for an Int, a subclass, a custom scalar) takes `serialize`."""
    serialize = gql_type.serialize  # a leaf type's
    if serialize in (serialize_string, serialize_id):
        return {str: _same}
    if serialize is serialize_boolean:
        return {bool: _same}
    if serialize is serialize_int:
        return {int: _int32}
    if serialize is serialize_float:
        return {float: _finite}
    members = getattr(gql_type, "wrapped_cls", None)  # Strawberry's enum type
    if isinstance(gql_type, GraphQLEnumType) and isinstance(members, type):
        if not issubclass(members, Enum):
            return {}
        # Each member's name, as the type's serialize finds it (computed once).
        names: dict[int, str] = {}
        for member in members:
            try:
                names[id(member)] = serialize(member)
            except Exception:
                return {}  # a member the type cannot serialize: always `serialize`

        def name(value: Any) -> Any:
            return names.get(id(value), SLOW)

        return {members: name}
    return {}
