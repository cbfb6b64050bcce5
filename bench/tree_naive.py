"""Baseline (c) of the tree benchmark: the generation tree as a user writes it
first in Strawberry, one database query per nested field and no DataLoaders.

It serves the same query text as gql-media's `generations` (same field names and
shape) over the same models and the same signed links, so its answers can be
compared with ours field for field. Paging is by offset, the first thing one
writes; gql-media's keyset cursors are sturdier, not cheaper.
"""

import base64
from dataclasses import dataclass
from typing import Any

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gql_media import models
from gql_media.storage.base import Storage


@dataclass
class NaiveContext:
    owner_id: str
    storage: Storage
    url_ttl_seconds: int


NaiveInfo = strawberry.Info[NaiveContext, None]


@strawberry.type
class Video:
    id: strawberry.ID
    duration_seconds: float | None
    thumbnail_key: strawberry.Private[str | None]

    @strawberry.field
    async def thumbnail_url(self, info: NaiveInfo) -> str | None:
        if not self.thumbnail_key:
            return None
        context = info.context
        return await context.storage.url(self.thumbnail_key, context.url_ttl_seconds)


@strawberry.type
class Scene:
    number: int
    status: str
    asset_id: strawberry.Private[str | None]

    @strawberry.field
    async def video(self) -> Video | None:
        if self.asset_id is None:
            return None
        row = await models.Asset.get_or_none(id=self.asset_id, deleted_at=None)
        if row is None:
            return None
        return Video(
            id=strawberry.ID(str(row.id)),
            duration_seconds=row.duration_seconds,
            thumbnail_key=row.thumbnail_key,
        )


@strawberry.type
class Variant:
    id: strawberry.Private[str]
    variant_type: str
    status: str

    @strawberry.field
    async def scenes(self) -> list[Scene]:
        rows = await models.Scene.filter(variant_id=self.id).order_by("number")
        return [
            Scene(
                number=r.number,
                status=r.status,
                asset_id=str(r.asset_id) if r.asset_id else None,  # type: ignore[attr-defined]
            )
            for r in rows
        ]


@strawberry.type
class Generation:
    id: strawberry.ID
    name: str
    status: str

    @strawberry.field
    async def variants(self) -> list[Variant]:
        rows = await models.Variant.filter(generation_id=self.id).order_by("position")
        return [
            Variant(id=str(r.id), variant_type=r.variant_type, status=r.status)
            for r in rows
        ]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class GenerationEdge:
    cursor: str
    node: Generation


@strawberry.type
class GenerationConnection:
    edges: list[GenerationEdge]
    page_info: PageInfo


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0


@strawberry.type
class Query:
    @strawberry.field
    async def generations(
        self, info: NaiveInfo, first: int = 20, after: str | None = None
    ) -> GenerationConnection:
        start = _offset(after)
        rows = (
            await models.Generation.filter(owner_id=info.context.owner_id)
            .order_by("-created_at", "-id")
            .offset(start)
            .limit(first + 1)
        )
        edges = [
            GenerationEdge(
                cursor=_cursor(start + i + 1),
                node=Generation(
                    id=strawberry.ID(str(r.id)), name=r.name, status=r.status
                ),
            )
            for i, r in enumerate(rows[:first])
        ]
        return GenerationConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


class NaiveApp(GraphQL[NaiveContext, None]):
    """Strawberry's stock ASGI view over the naive schema."""

    def __init__(self, storage: Storage, url_ttl_seconds: int, owner_id: str) -> None:
        super().__init__(strawberry.Schema(query=Query), graphql_ide=None)
        self.context = NaiveContext(owner_id, storage, url_ttl_seconds)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | Any
    ) -> NaiveContext:
        return self.context
