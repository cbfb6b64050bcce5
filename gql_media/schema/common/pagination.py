"""Relay-style pages: one generic Connection[T]/Edge[T] built from a keyset Page.

Strawberry names a specialization after its type argument (`Edge[Asset]` is
`AssetEdge`); a domain subclasses `Connection[X]` only to give the page type its
name and description (`class AssetConnection(Connection[Asset])`).
"""

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

import strawberry

from gql_media.kit.pagination import Page

T = TypeVar("T")
Row = TypeVar("Row")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def from_page(cls, page: Page[Any]) -> "PageInfo":
        return cls(
            has_next_page=page.has_next_page,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    # The page, for `totalCount`: counted (one COUNT) only when selected.
    page: strawberry.Private[Page[Any]]

    @strawberry.field(description="Matches of the filter, all pages.")
    async def total_count(self) -> int:
        return await self.page.count()

    @classmethod
    def of(cls, page: Page[Row], to_node: Callable[[Row], T]) -> Self:
        """The page's rows as nodes, each with its cursor."""
        return cls(
            edges=[
                Edge(cursor=cursor, node=to_node(row))
                for row, cursor in zip(page.rows, page.cursors, strict=True)
            ],
            page_info=PageInfo.from_page(page),
            page=page,
        )
