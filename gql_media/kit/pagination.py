"""Keyset pagination: opaque cursors over (sort value, id), stable under inserts.

Offset cursors (Relay's arrayconnection:N) skip or repeat rows when assets arrive
while a client pages, which is the normal case for a media library being filled.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.functions import Coalesce
from tortoise.queryset import QuerySet

from gql_media.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE = 100


@dataclass(frozen=True)
class SortKey:
    """Order by `column` (NULLs as `null_as`), then by id, ascending or not."""

    name: str
    column: str
    descending: bool
    kind: type
    null_as: Any = None


@dataclass
class Page(Generic[T]):
    rows: list[T]
    cursors: list[str]
    has_next_page: bool
    # None when not counted yet (`paginate(count=False)`): `count()` runs it.
    total_count: int | None
    count_query: QuerySet[Any] | None = None

    async def count(self) -> int:
        """All matches of the filter: the stored count, else one COUNT now."""
        if self.total_count is None:
            assert self.count_query is not None
            self.total_count = await self.count_query.count()
        return self.total_count


def check_first(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE}", field="first")
    return first


def encode_cursor(key: SortKey, value: Any, row_id: Any) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([key.name, value, str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(key: SortKey, cursor: str) -> tuple[Any, str]:
    """(sort value, id) of a cursor made for the same order, else InvalidInput."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        if name != key.name or not isinstance(row_id, str):
            raise ValueError(name)
        if key.kind is datetime:
            value = datetime.fromisoformat(value)
        elif not isinstance(value, key.kind | int if key.kind is float else key.kind):
            raise ValueError(value)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("malformed cursor", field="after") from None
    return value, row_id


async def paginate(
    query: QuerySet[Any],
    key: SortKey,
    first: int,
    after: str | None,
    *,
    count: bool = True,
) -> Page[Any]:
    """One page of `query` in `key` order after the cursor `after`; with
    `count=False`, the COUNT waits until `Page.count()` asks (a GraphQL
    connection runs it only when `totalCount` is selected)."""
    total = await query.count() if count else None
    unpaged = query
    sort_field = key.column
    if key.null_as is not None:
        query = query.annotate(_sort=Coalesce(key.column, key.null_as))
        sort_field = "_sort"
    if after:
        value, row_id = decode_cursor(key, after)
        op = "lt" if key.descending else "gt"
        query = query.filter(
            Q(**{f"{sort_field}__{op}": value})
            | Q(**{sort_field: value, f"id__{op}": row_id})
        )
    sign = "-" if key.descending else ""
    rows = await query.order_by(f"{sign}{sort_field}", f"{sign}id").limit(first + 1)
    has_next = len(rows) > first
    rows = rows[:first]
    cursors = [encode_cursor(key, getattr(row, sort_field), row.id) for row in rows]
    return Page(rows, cursors, has_next, total, unpaged)
