"""assets: 32 concurrent clients reading `assets(first: 20)` with thumbnails,
requests per second: the app against Strawberry serving the same answer from
prebuilt dicts (no database), both routes of one uvicorn server on SQLite.

The baseline is the framework's floor for this shape: the same Strawberry, the
same field names and types, links signed once at build time, no database, no
loaders, none of our extensions. Ours reads the page from the database on every
request and signs 20 thumbnail links.
"""

import asyncio
import time
from typing import Any

import httpx
import strawberry
from starlette.routing import Route
from strawberry.asgi import GraphQL

from bench.common import (
    Report,
    Sample,
    check,
    interleave,
    log,
    main,
    median,
    ratio,
    scaled,
    times,
    work_dir,
)
from bench.tree import SECRET, serving
from gql_media import db, models
from gql_media.app import create_app
from gql_media.gc_tuning import tune_gc
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.settings import Settings

CLIENTS = 32
SECONDS = scaled(5.0, 1.0)  # per repetition and variant
REPS = scaled(5, 2)
ROUTE = "/dicts"
QUERY = """
query Assets {
  assets(first: 20) {
    edges { cursor node { id name kind status durationSeconds width height
      createdAt thumbnailUrl } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@strawberry.type
class PlainNode:
    id: strawberry.ID
    name: str
    kind: str | None
    status: str
    duration_seconds: float | None
    width: int | None
    height: int | None
    created_at: str
    thumbnail_url: str | None


@strawberry.type
class PlainEdge:
    cursor: str
    node: PlainNode


@strawberry.type
class PlainPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class PlainConnection:
    edges: list[PlainEdge]
    page_info: PlainPageInfo


def plain_app(answer: dict[str, Any]) -> GraphQL[None, None]:
    """Strawberry over dicts: the answer our server gives, as plain objects."""
    page = answer["assets"]
    connection = PlainConnection(
        edges=[
            PlainEdge(cursor=edge["cursor"], node=PlainNode(**_snake(edge["node"])))
            for edge in page["edges"]
        ],
        page_info=PlainPageInfo(
            has_next_page=page["pageInfo"]["hasNextPage"],
            end_cursor=page["pageInfo"]["endCursor"],
        ),
    )

    @strawberry.type
    class Query:
        @strawberry.field
        def assets(self, first: int = 20) -> PlainConnection:
            return connection

    return GraphQL(strawberry.Schema(query=Query), graphql_ide=None)


def _snake(node: dict[str, Any]) -> dict[str, Any]:
    names = {
        "durationSeconds": "duration_seconds",
        "createdAt": "created_at",
        "thumbnailUrl": "thumbnail_url",
    }
    return {names.get(key, key): value for key, value in node.items()}


async def seed() -> None:
    for i in range(25):
        await models.Asset.create(
            owner_id=LOCAL_OWNER,
            name=f"clip {i}",
            kind=models.AssetKind.VIDEO,
            status=models.AssetStatus.READY,
            source_type=models.SourceType.UPLOADED,
            duration_seconds=10.0 + i,
            width=1920,
            height=1080,
            thumbnail_key=f"thumbnails/{i:04d}.jpg",
        )


def shape(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, thumbnail path) per node: links carry a fresh expiry each time."""
    check("errors" not in body, f"errors: {body.get('errors')}")
    edges = body["data"]["assets"]["edges"]
    check(len(edges) == 20, f"{len(edges)} assets, not 20")
    nodes = [edge["node"] for edge in edges]
    check(all(node["thumbnailUrl"] for node in nodes), "an asset without thumbnail")
    return [(node["id"], node["thumbnailUrl"].split("?")[0]) for node in nodes]


async def load(client: httpx.AsyncClient, path: str, expected: Any) -> Sample:
    """CLIENTS concurrent loops for SECONDS; requests per second."""
    body = {"query": QUERY}
    done = 0
    stop = time.perf_counter() + SECONDS

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < stop:
            response = await client.post(path, json=body)
            check(response.status_code == 200, response.text[:200])
            check(shape(response.json()) == expected, "a different answer")
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(CLIENTS)))
    return {"requests_per_s": done / (time.perf_counter() - started)}


async def run(report: Report) -> None:
    work = work_dir("assets")
    url = f"sqlite://{work / 'assets.sqlite3'}"
    await db.migrate(url)
    await db.connect(url)
    try:
        await models.Asset.all().delete()
        await seed()
        settings = Settings(data_dir=work / "data", database_url=url, secret_key=SECRET)
        app = create_app(settings, manage_db=False)
        tune_gc(settings.gc_gen0_threshold)  # as `gql-media serve` does
        limits = httpx.Limits(
            max_connections=CLIENTS, max_keepalive_connections=CLIENTS
        )
        async with (
            serving(app) as base,
            httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client,
        ):
            first = (await client.post("/graphql", json={"query": QUERY})).json()
            expected = shape(first)
            app.router.routes.append(Route(ROUTE, plain_app(first["data"])))
            check(
                shape((await client.post(ROUTE, json={"query": QUERY})).json())
                == expected,
                "the dicts route gives another answer",
            )
            log(f"assets: {CLIENTS} clients, {SECONDS} s per variant, {REPS} reps")
            samples = await interleave(
                {
                    "ours": lambda: load(client, "/graphql", expected),
                    "dicts": lambda: load(client, ROUTE, expected),
                },
                REPS,
                warmup=1,
            )
    finally:
        await db.close()
    report.samples["32"] = samples
    table = report.table(
        f"assets: {CLIENTS} concurrent clients reading assets(first: 20) with "
        "thumbnails (SQLite)",
        "implementation", "requests/s median", "p5", "ours / this",
    )  # fmt: skip
    ours = samples["ours"]["requests_per_s"]
    for name, label in (
        ("ours", "gql-media"),
        ("dicts", "Strawberry over prebuilt dicts, no database"),
    ):
        values = samples[name]["requests_per_s"]
        low = sorted(values)[int(0.05 * (len(values) - 1))]  # the slow tail
        table.add(
            label, f"{median(values):,.0f}", f"{low:,.0f}",
            "" if name == "ours" else times(ratio(ours, values)),
        )  # fmt: skip
    report.ratio(
        "assets 32 clients: ours / Strawberry over dicts",
        ratio(ours, samples["dicts"]["requests_per_s"]),
        "requests/s; target >= 0.7, below 1 is slower",
    )
    report.config = {"clients": CLIENTS, "seconds": SECONDS, "reps": REPS}
    report.notes += [
        "Clients and server share one process and event loop (as in tree); "
        "every answer is checked: 20 assets, ids in order, each thumbnail link's "
        "path (the signed query string differs by expiry).",
    ]


if __name__ == "__main__":
    main("assets", run)
