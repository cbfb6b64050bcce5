"""tree: the nested generation query (generations -> 4 variants -> 4 scenes ->
video with `thumbnailUrl`) for N = 10, 50 and 200 generations, over HTTP against
the app on SQLite and on PostgreSQL, with the SQL statements each answer costs.

Baselines, all served by the same uvicorn server as the app and read by the same
client, so each ratio compares the work behind one HTTP answer:
(a) `sql`: the same rows read with hand-written SQL (a page of generations, then
    one join of variants, scenes and videos) and the same JSON built with orjson,
    no GraphQL: the floor of the data work;
(b) `graphql-core`: graphql-core executing the same query text over the same data
    prebuilt as plain dicts, no database: the floor of GraphQL execution;
(c) `naive`: a straightforward Strawberry schema with a database query per nested
    field (bench/tree_naive.py): what a user would write first.
"""

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bench.common import (
    BenchFailure,
    Report,
    Sample,
    Table,
    check,
    interleave,
    log,
    main,
    median,
    ms,
    p95,
    ratio,
    scaled,
    times,
    work_dir,
)
from bench.tree_baselines import (
    SCENES,
    TTL,
    VARIANT_TYPES,
    Node,
    SqlTree,
    plain_endpoint,
    plain_schema,
    seed,
)
from bench.tree_naive import NaiveApp
from gql_media import db
from gql_media.app import create_app
from gql_media.gc_tuning import tune_gc
from gql_media.kit.pagination import MAX_PAGE
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.settings import Settings, StorageSettings
from gql_media.storage.signing import verify
from tests.support.generations import count_statements
from tests.support.postgres import scratch_database
from tests.support.processes import free_port

# N: generations read. Above MAX_PAGE (100) a client pages, so N=200 is two
# requests of 100; the small scale keeps a two-page N (101) to cover that path.
COUNTS = scaled([10, 50, 200], [10, 101])
REPS = scaled({10: 30, 50: 15, 200: 6}, {10: 3, 101: 1})
# An untimed round per N after the counting read (which warms too, but logs).
WARMUP = scaled(1, 0)
SECRET = "bench-secret"
QUERY = """
query Tree($first: Int!, $after: String) {
  generations(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name status
      variants {
        variantType status
        scenes { number status video { id durationSeconds thumbnailUrl } }
      }
    } }
  }
}
"""
ROUTES = {
    "ours": "/graphql",
    "sql": "/bench/sql",
    "graphql-core": "/bench/graphql-core",
    "naive": "/bench/naive",
}
LABELS = {
    "ours": "gql-media (Strawberry + DataLoaders)",
    "sql": "(a) hand-written SQL + orjson",
    "graphql-core": "(b) graphql-core over prebuilt dicts",
    "naive": "(c) naive Strawberry, a query per field",
}


# -- (a) hand-written SQL, JSON with orjson ---------------------------------------


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """The app under uvicorn in this event loop (as the test suite serves it), so
    a logging handler here sees every SQL statement of a request."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="on", log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        check(not task.done(), "the server stopped during start-up")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def payload(name: str, first: int, after: str | None) -> bytes:
    if name == "sql":
        return orjson.dumps({"first": first, "after": after})
    return orjson.dumps({"query": QUERY, "variables": {"first": first, "after": after}})


async def read_tree(
    client: httpx.AsyncClient, name: str, n: int
) -> tuple[float, list[dict[str, Any]]]:
    """N generations from one implementation, a page of at most MAX_PAGE per
    request, each next page after the previous one's `endCursor`, as a client
    pages; returns the seconds spent in requests (sent -> body received) and the
    pages. Decoding a page is not timed."""
    seconds, pages, after = 0.0, [], None
    for start in range(0, n, MAX_PAGE):
        body = payload(name, min(MAX_PAGE, n - start), after)
        began = time.perf_counter()
        response = await client.post(
            ROUTES[name], content=body, headers={"content-type": "application/json"}
        )
        seconds += time.perf_counter() - began
        check(
            response.status_code == 200,
            f"{name}: HTTP {response.status_code}: {response.text[:300]}",
        )
        answer = orjson.loads(response.content)
        check(not answer.get("errors"), f"{name}: errors {answer.get('errors')}")
        page = answer["data"]["generations"]
        pages.append(page)
        after = page["pageInfo"]["endCursor"]
    return seconds, pages


def normalise(name: str, nodes: list[Node], secret: bytes) -> int:
    """Check the signature and expiry of every `thumbnailUrl` and cut it to its
    path (links carry their expiry, so two reads a second apart differ); returns
    the number of links checked."""
    now = time.time()
    links = 0
    for node in nodes:
        for variant in node["variants"]:
            for scene in variant["scenes"]:
                video = scene["video"]
                if not (video and video["thumbnailUrl"]):
                    continue
                path, _, query = video["thumbnailUrl"].partition("?")
                key = unquote(path.removeprefix("/files/"))
                check(
                    verify(key, dict(parse_qsl(query)), secret, now),
                    f"{name}: a thumbnailUrl does not verify: {video['thumbnailUrl']}",
                )
                video["thumbnailUrl"] = path
                links += 1
    return links


def check_answer(
    name: str, n: int, pages: list[dict[str, Any]], expected: list[Node]
) -> None:
    """The pages hold exactly the first N seeded generations, whole trees, in
    order, with valid links; paging says more is left exactly when it is."""
    nodes = [edge["node"] for page in pages for edge in page["edges"]]
    links = normalise(name, nodes, SECRET.encode())
    want = expected[:n]
    if nodes != want:
        at = next(
            (i for i, (a, b) in enumerate(zip(nodes, want, strict=False)) if a != b),
            min(len(nodes), len(want)),
        )
        got = str(nodes[at])[:600] if at < len(nodes) else "missing"
        wanted = str(want[at])[:600] if at < len(want) else "not expected"
        raise BenchFailure(
            f"{name}, N={n}: generation {at} is\n  {got}\nnot\n  {wanted}"
        )
    videos = [s["video"] for g in want for v in g["variants"] for s in v["scenes"]]
    with_links = sum(1 for video in videos if video["thumbnailUrl"])
    check(links == with_links, f"{name}: {links} links, not {with_links}")
    for i, page in enumerate(pages):
        more = i < len(pages) - 1 or n < len(expected)
        check(
            page["pageInfo"]["hasNextPage"] is more,
            f"{name}, N={n}: page {i + 1} says hasNextPage "
            f"{page['pageInfo']['hasNextPage']}",
        )


async def bench_database(
    report: Report, table: Table, label: str, url: str, work: Path
) -> None:
    # Tortoise caches prepared INSERTs per connection name for the process; the
    # second database reuses the name, so start from a clean cache.
    EXECUTOR_CACHE.clear()
    await db.connect(url)
    try:
        log(f"tree: seeding {max(COUNTS)} generations on {label}")
        expected = await seed(max(COUNTS))
        # Statistics, as a database in use has them: without, PostgreSQL's
        # generic plan of a prepared statement (from its 6th run) can be far off.
        await Tortoise.get_connection("default").execute_script("ANALYZE")
        settings = Settings(
            data_dir=work / label.lower(),
            database_url=url,
            secret_key=SECRET,
            url_ttl_seconds=TTL,
            public_base_url=None,
            redis_url=None,
            storage=StorageSettings(),
        )
        app = create_app(settings, manage_db=False)
        # As `gql-media serve` does; the baselines share this process and gain too.
        tune_gc(settings.gc_gen0_threshold)
        storage = app.state.runtime.storage
        sql = SqlTree(storage, Tortoise.get_connection("default").capabilities.dialect)
        prebuilt = await sql.page(len(expected), None)
        nodes = [edge["node"] for edge in prebuilt["edges"]]
        app.router.routes.extend(
            [
                Route(ROUTES["sql"], sql.endpoint, methods=["POST"]),
                Route(
                    ROUTES["graphql-core"],
                    plain_endpoint(plain_schema(nodes)),
                    methods=["POST"],
                ),
                Route(ROUTES["naive"], NaiveApp(storage, TTL, LOCAL_OWNER)),
            ]
        )
        async with (
            serving(app) as base,
            httpx.AsyncClient(base_url=base, timeout=600) as client,
        ):
            for n in COUNTS:
                await bench_count(report, table, label, client, n, expected)
    finally:
        await db.close()


async def bench_count(
    report: Report,
    table: Table,
    label: str,
    client: httpx.AsyncClient,
    n: int,
    expected: list[Node],
) -> None:
    log(f"tree: {label}, N={n}")
    # Statements are counted on a read of their own: the DEBUG logging that
    # counts them would slow the timed reads, the naive one most.
    statements: dict[str, int] = {}
    for name in ROUTES:
        with count_statements() as seen:
            _, pages = await read_tree(client, name, n)
        check_answer(name, n, pages, expected)
        statements[name] = len(seen)
    check(statements["graphql-core"] == 0, "the graphql-core baseline used the DB")

    def variant(name: str) -> Callable[[], Any]:
        async def go() -> Sample:
            # Each read starts from a collected heap and pays for the collections
            # its own garbage triggers, not for the previous implementation's.
            gc.collect()
            seconds, pages = await read_tree(client, name, n)
            check_answer(name, n, pages, expected)
            return {"seconds": seconds}

        return go

    samples = await interleave(
        {name: variant(name) for name in ROUTES}, REPS[n], warmup=WARMUP
    )
    report.samples.setdefault(label, {})[str(n)] = samples | {"statements": statements}
    ours = samples["ours"]["seconds"]
    requests = -(-n // MAX_PAGE)
    for name in ROUTES:
        values = samples[name]["seconds"]
        table.add(
            n, LABELS[name], requests, statements[name], ms(median(values)),
            ms(p95(values)), "" if name == "ours" else times(ratio(ours, values)),
        )  # fmt: skip
        if name != "ours":
            report.ratio(
                f"tree {label} N={n}: ours / {LABELS[name]}",
                ratio(ours, values),
                "latency of the same answer over HTTP; above 1 is slower",
            )


async def run(report: Report) -> None:
    work = work_dir("tree")
    sqlite_url = f"sqlite://{work / 'tree.sqlite3'}"
    await db.migrate(sqlite_url)
    headers = (
        "N", "implementation", "requests", "SQL statements", "median", "p95",
        "ours / this",
    )  # fmt: skip
    reps = ", ".join(f"N={n}: {r}" for n, r in REPS.items())
    for label in ("SQLite", "PostgreSQL"):
        table = report.table(
            f"tree on {label}: N generations, each with 4 variants x 4 scenes and "
            f"their videos, read over HTTP (runs: {reps})",
            *headers,
        )
        if label == "SQLite":
            await bench_database(report, table, label, sqlite_url, work)
            continue
        async with scratch_database() as pg_url:
            await bench_database(report, table, label, pg_url, work)
    report.config = {
        "counts": COUNTS,
        "reps": REPS,
        "warmup": WARMUP,
        "generations_seeded": max(COUNTS),
        "variants_per_generation": len(VARIANT_TYPES),
        "scenes_per_variant": SCENES,
        "page_size": MAX_PAGE,
        "query": QUERY,
    }
    report.notes += [
        "Latency: one client in the server's process and event loop (uvicorn "
        "in-process, as the test suite serves the app; one keep-alive "
        "connection), from sending each request to its body received, summed "
        f"over the pages: `first` is capped at {MAX_PAGE}, so N=200 is two "
        "requests of 100 (the second after the first's `endCursor`). All four "
        "implementations are routes of the same server and share its transport.",
        "Each timed read starts after an untimed gc.collect(), so it pays for the "
        "collections its own garbage triggers. Client, server and the checker's "
        "expected trees share one heap, which full collections walk too.",
        "SQL statements: counted on a separate, untimed read of each N (a handler "
        "on tortoise.db_client), for all the requests of that N.",
        "Checked on every read: the generations, variants, scenes and videos equal "
        "the seeded rows, in order, with hasNextPage right on each page. "
        "thumbnailUrl carries an expiry and an HMAC: every link's signature and "
        "expiry are verified with the app's key, then the link is compared by its "
        "path (the query string cut), so reads a second apart compare equal.",
        "(a) reads a keyset page of generations, then one join of variants, scenes "
        "and live videos (2 statements a request), signs links with the app's "
        "storage, builds the JSON with orjson. (b) parses, validates and executes "
        "the query text with graphql-core's `graphql()` over dicts prebuilt once "
        "(links signed at build time). (c) bench/tree_naive.py: Strawberry's "
        "stock view, a query per generation, per variant and per scene's video, "
        "offset paging, none of our schema extensions (depth, alias and token "
        "limits, error masking).",
        f"Data: {max(COUNTS)} COMPLETED generations x 4 variants x 4 READY scenes, "
        "each scene with its own video row (every 16th without a thumbnail); no "
        "media files (links are signed, not fetched); ANALYZE after seeding, so "
        "the planners have statistics as in a database in use.",
    ]


if __name__ == "__main__":
    main("tree", run)
