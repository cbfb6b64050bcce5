"""The tree benchmark's data and its baselines (a) and (b): the seeded rows, hand-
written SQL + orjson, and graphql-core over the same data prebuilt as plain dicts
(see bench/tree.py)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import orjson
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    graphql,
)
from starlette.requests import Request
from starlette.responses import Response
from tortoise import Tortoise

from gql_media import models
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.storage.base import Storage

Node = dict[str, Any]
VARIANT_TYPES = ("soft", "medium", "aggressive", "ultra")
SCENES = 4
TTL = 3600


async def seed(count: int) -> list[Node]:
    """`count` COMPLETED generations of 4 x 4 READY scenes, each with its video
    row, in a few bulk statements; returns the expected nodes, newest first, with
    `thumbnailUrl` as the link's path (see `normalise`)."""
    now = datetime.now(UTC)
    gens: list[models.Generation] = []
    variants: list[models.Variant] = []
    scenes: list[models.Scene] = []
    assets: list[models.Asset] = []
    expected: list[Node] = []
    for g in range(count):
        gen = models.Generation(
            owner_id=LOCAL_OWNER,
            name=f"generation {g}",
            source_url=f"https://cdn.example.com/source-{g}.mp4",
            source_type=models.GenerationSourceType.URL,
            status=models.GenerationStatus.COMPLETED,
            variant_types=list(VARIANT_TYPES),
            scenes_per_variant=SCENES,
            total_scenes=len(VARIANT_TYPES) * SCENES,
            scenes_completed=len(VARIANT_TYPES) * SCENES,
            # Distinct and decreasing: the newest-first order is the seed order.
            created_at=now - timedelta(seconds=g),
            completed_at=now - timedelta(seconds=g),
        )
        gens.append(gen)
        shown_variants: list[Node] = []
        expected.append(
            {"id": str(gen.id), "name": gen.name, "status": "COMPLETED",
             "variants": shown_variants}
        )  # fmt: skip
        for position, variant_type in enumerate(VARIANT_TYPES):
            variant = models.Variant(
                generation_id=gen.id,
                variant_type=variant_type,
                position=position,
                status=models.GenerationStatus.COMPLETED,
                total_scenes=SCENES,
                scenes_completed=SCENES,
            )
            variants.append(variant)
            shown_scenes: list[Node] = []
            shown_variants.append(
                {"variantType": variant_type, "status": "COMPLETED",
                 "scenes": shown_scenes}
            )  # fmt: skip
            for number in range(1, SCENES + 1):
                n = len(assets)
                digest = f"{n:064x}"
                # Every 16th video has no thumbnail yet: thumbnailUrl null.
                thumb = None if n % 16 == 15 else f"thumbs/sha256/{digest}/w320.jpg"
                asset = models.Asset(
                    owner_id=LOCAL_OWNER,
                    kind=models.AssetKind.VIDEO,
                    status=models.AssetStatus.READY,
                    source_type=models.SourceType.IMPORTED,
                    checksum=digest,
                    dedup_key=digest,
                    size_bytes=1000 + n,
                    duration_seconds=0.25 * (1 + n % 40),
                    storage_key=f"blobs/sha256/{digest}",
                    thumbnail_key=thumb,
                )
                assets.append(asset)
                scenes.append(
                    models.Scene(
                        variant_id=variant.id,
                        number=number,
                        status=models.SceneStatus.READY,
                        asset_id=asset.id,
                        prompt=f"scene {number} of {variant_type}",
                    )
                )
                link = f"/files/{quote(thumb, safe='/')}" if thumb else None
                video = {"id": str(asset.id), "durationSeconds": 0.25 * (1 + n % 40),
                         "thumbnailUrl": link}  # fmt: skip
                shown_scenes.append(
                    {"number": number, "status": "READY", "video": video}
                )
    await models.Generation.bulk_create(gens, batch_size=1000)
    await models.Variant.bulk_create(variants, batch_size=1000)
    await models.Asset.bulk_create(assets, batch_size=1000)
    await models.Scene.bulk_create(scenes, batch_size=1000)
    return expected


class SqlTree:
    """The tree in two statements: a keyset page of generations, then one join of
    their variants, scenes and live videos. The cursor is the last row's id."""

    def __init__(self, storage: Storage, dialect: str) -> None:
        self.storage = storage
        pg = dialect == "postgres"
        self.pg = pg
        owner, after, limit = ("$1", "$2", "$3") if pg else ("?", "?", "?")
        keyset = (
            f"(created_at, id) < (SELECT created_at, id FROM generation "
            f"WHERE id = {after})"
        )
        columns = "SELECT id, name, status FROM generation WHERE owner_id = "
        order = "ORDER BY created_at DESC, id DESC LIMIT "
        self.first_page = f"{columns}{owner} {order}{'$2' if pg else '?'}"
        self.next_page = f"{columns}{owner} AND {keyset} {order}{limit}"
        self.tree = (
            "SELECT v.generation_id, v.id AS variant_id, v.variant_type, "
            "v.status AS variant_status, s.number, s.status AS scene_status, "
            "a.id AS asset_id, a.duration_seconds, a.thumbnail_key "
            "FROM generation_variant v "
            "LEFT JOIN generation_scene s ON s.variant_id = v.id "
            "LEFT JOIN asset a ON a.id = s.asset_id AND a.deleted_at IS NULL "
            "WHERE v.generation_id {in_ids} ORDER BY v.position, s.number"
        )

    async def page(self, first: int, after: str | None) -> dict[str, Any]:
        conn = Tortoise.get_connection("default")
        if after:
            rows = await conn.execute_query_dict(
                self.next_page, [LOCAL_OWNER, after, first + 1]
            )
        else:
            rows = await conn.execute_query_dict(
                self.first_page, [LOCAL_OWNER, first + 1]
            )
        has_next = len(rows) > first
        rows = rows[:first]
        nodes: dict[str, Node] = {
            str(r["id"]): {
                "id": str(r["id"]),
                "name": r["name"],
                "status": r["status"],
                "variants": [],
            }
            for r in rows
        }
        if nodes:
            await self._fill(conn, nodes)
        return {
            "pageInfo": {
                "hasNextPage": has_next,
                "endCursor": str(rows[-1]["id"]) if rows else None,
            },
            "edges": [{"node": node} for node in nodes.values()],
        }

    async def _fill(self, conn: Any, nodes: dict[str, Node]) -> None:
        ids = list(nodes)
        values: list[Any]
        if self.pg:
            sql, values = self.tree.format(in_ids="= ANY($1::uuid[])"), [ids]
        else:
            marks = ",".join("?" * len(ids))
            sql, values = self.tree.format(in_ids=f"IN ({marks})"), ids
        variants: dict[str, Node] = {}
        for r in await conn.execute_query_dict(sql, values):
            variant_id = str(r["variant_id"])
            variant = variants.get(variant_id)
            if variant is None:
                variant = variants[variant_id] = {
                    "variantType": r["variant_type"],
                    "status": r["variant_status"],
                    "scenes": [],
                }
                nodes[str(r["generation_id"])]["variants"].append(variant)
            if r["number"] is None:
                continue
            video = None
            if r["asset_id"] is not None:
                key = r["thumbnail_key"]
                video = {
                    "id": str(r["asset_id"]),
                    "durationSeconds": r["duration_seconds"],
                    "thumbnailUrl": await self.storage.url(key, TTL) if key else None,
                }
            variant["scenes"].append(
                {"number": r["number"], "status": r["scene_status"], "video": video}
            )

    async def endpoint(self, request: Request) -> Response:
        args = orjson.loads(await request.body())
        page = await self.page(args["first"], args.get("after"))
        body = orjson.dumps({"data": {"generations": page}})
        return Response(body, media_type="application/json")


# -- (b) graphql-core over prebuilt dicts -------------------------------------------


def plain_schema(nodes: list[Node]) -> GraphQLSchema:
    """The query's part of our schema by hand, resolving from `nodes` (dicts in
    the answer's shape): default resolvers read the keys; no database."""

    def enum(name: str, values: type) -> GraphQLEnumType:
        return GraphQLEnumType(name, {v.value: v.value for v in values})  # type: ignore[attr-defined]

    def obj(name: str, fields: dict[str, Any]) -> GraphQLObjectType:
        return GraphQLObjectType(name, {k: GraphQLField(t) for k, t in fields.items()})

    def req(t: Any) -> GraphQLNonNull:
        return GraphQLNonNull(t)

    def many(t: Any) -> GraphQLNonNull:
        return req(GraphQLList(req(t)))

    status = enum("GenerationStatus", models.GenerationStatus)
    video = obj(
        "Asset",
        {"id": req(GraphQLID), "durationSeconds": GraphQLFloat,
         "thumbnailUrl": GraphQLString},
    )  # fmt: skip
    scene = obj(
        "Scene",
        {"number": req(GraphQLInt),
         "status": req(enum("SceneStatus", models.SceneStatus)), "video": video},
    )  # fmt: skip
    variant = obj(
        "Variant",
        {"variantType": req(GraphQLString), "status": req(status),
         "scenes": many(scene)},
    )  # fmt: skip
    generation = obj(
        "Generation",
        {"id": req(GraphQLID), "name": req(GraphQLString), "status": req(status),
         "variants": many(variant)},
    )  # fmt: skip
    page_info = obj(
        "PageInfo", {"hasNextPage": req(GraphQLBoolean), "endCursor": GraphQLString}
    )
    edge = obj(
        "GenerationEdge", {"cursor": req(GraphQLString), "node": req(generation)}
    )
    connection = obj(
        "GenerationConnection", {"edges": many(edge), "pageInfo": req(page_info)}
    )
    position = {node["id"]: i for i, node in enumerate(nodes)}

    def generations(_: None, __: Any, first: int = 20, after: str | None = None) -> Any:
        start = position[after] + 1 if after else 0
        chosen = nodes[start : start + first]
        return {
            "edges": [{"cursor": n["id"], "node": n} for n in chosen],
            "pageInfo": {
                "hasNextPage": start + first < len(nodes),
                "endCursor": chosen[-1]["id"] if chosen else None,
            },
        }

    query = GraphQLObjectType(
        "Query",
        {
            "generations": GraphQLField(
                req(connection),
                args={
                    "first": GraphQLArgument(GraphQLInt, default_value=20),
                    "after": GraphQLArgument(GraphQLString),
                },
                resolve=generations,
            )
        },
    )
    return GraphQLSchema(query)


def plain_endpoint(schema: GraphQLSchema) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        args = orjson.loads(await request.body())
        result = await graphql(
            schema, args["query"], variable_values=args.get("variables")
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return Response(orjson.dumps(body), media_type="application/json")

    return endpoint


# -- serving, reading and checking --------------------------------------------------
