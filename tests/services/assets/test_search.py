"""Full-text search of assets (SQLite FTS5 / PostgreSQL tsvector): what it
searches, ranking, pages, other owners, refused strings, and the migration that
indexes rows written before it."""

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from gql_media import models
from gql_media.errors import InvalidInput
from gql_media.services.assets import library, queries
from gql_media.services.assets.queries import AssetSearch
from gql_media.services.assets.search import words
from tests.conftest import Server
from tests.support.graphql import gql
from tests.support.postgres import scratch_database


async def asset(owner: str = "alice", **columns: Any) -> models.Asset:
    tags = columns.pop("tags", [])
    row = await models.Asset.create(
        owner_id=owner,
        source_type=models.SourceType.UPLOADED,
        status=models.AssetStatus.READY,
        **columns,
    )
    await library.set_tags(row, tags)
    return row


async def names(text: str, owner: str = "alice", **kw: Any) -> list[str]:
    page = await queries.search_assets(owner, AssetSearch(text=text, **kw), first=100)
    return [r.name for r in page.rows]


async def test_each_searched_column_is_found(clean_db: str) -> None:
    await asset(name="fox in snow")
    await asset(name="d", description="a red fox crossing")
    await asset(name="t", tags=["foxes", "winter"])
    await asset(name="k", task="ep01_sq010_fox_lighting")
    await asset(name="p", prompt="cinematic fox, golden hour")
    await asset(name="unrelated", prompt="a cat")
    assert sorted(await names("fox")) == ["d", "fox in snow", "k", "p", "t"]
    assert await names("lighting sq010") == ["k"]  # every word must match
    assert await names("WINTER") == ["t"]  # case-insensitive
    assert await names("fox cat") == []


async def test_matches_are_ranked_best_first(clean_db: str) -> None:
    await asset(name="prompt only", prompt="lantern festival at dusk")
    await asset(name="lantern lantern", description="lantern parade")
    assert await names("lantern") == ["lantern lantern", "prompt only"]


async def test_the_index_follows_edits_tags_and_deletes(clean_db: str) -> None:
    row = await asset(name="before")
    await library.update("alice", str(row.id), name="harbour at night", tags=["boat"])
    assert await names("harbour") == ["harbour at night"]
    assert await names("boat") == ["harbour at night"]
    await library.update("alice", str(row.id), tags=["ship"])
    assert await names("boat") == []
    await models.Asset.filter(id=row.id).delete()
    assert await names("harbour") == []


async def test_other_owners_and_deleted_assets_are_not_found(clean_db: str) -> None:
    await asset("bob", name="secret harbour")
    await asset(name="live harbour")
    gone = await asset(name="old harbour")
    await models.Asset.filter(id=gone.id).update(deleted_at=gone.created_at)
    assert await names("harbour") == ["live harbour"]
    assert await names("harbour", owner="bob") == ["secret harbour"]


async def test_relevance_pages_with_cursors(clean_db: str) -> None:
    for n in range(7):
        await asset(name=f"river {'river ' * n}{n}")
    seen: list[str] = []
    after = None
    while True:
        page = await queries.search_assets(
            "alice", AssetSearch(text="river"), first=3, after=after
        )
        seen += [r.name for r in page.rows]
        assert page.total_count == 7
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert len(seen) == 7 and len(set(seen)) == 7
    assert seen[0].endswith("6")  # the most repeated first
    by_name = await queries.search_assets(
        "alice", AssetSearch(text="river"), order="name_asc", first=100
    )
    assert [r.name for r in by_name.rows] == sorted(seen)


@pytest.mark.parametrize(
    "text", ['"', "* ( ) + - ~", "&& || ! :* <->", "-", "^_^", "   ", "x" * 300]
)
def test_strings_without_words_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        words(text)


@pytest.mark.parametrize(
    "text", ['fox" OR "cat', "fox:* | cat", "fox NEAR(cat)", "fox' ; DROP TABLE asset"]
)
async def test_operators_are_words_not_syntax(clean_db: str, text: str) -> None:
    await asset(name="fox")
    await asset(name="cat")
    assert await names(text) == []  # "or", "near", "drop"... must all match too
    assert await models.Asset.all().count() == 2


async def test_a_search_of_operators_only_is_a_typed_error(server: Server) -> None:
    before = await models.Asset.all().count()
    body = await gql(
        server.url, '{ assets(filter: {text: "&& || ! *"}) { totalCount } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    body = await gql(server.url, "{ assets(orderBy: RELEVANCE) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    assert await models.Asset.all().count() == before


MIGRATE = (
    "import asyncio, sys\n"
    "from tortoise.migrations.api import migrate\n"
    "from gql_media.db import tortoise_config\n"
    "target = sys.argv[2] if len(sys.argv) > 2 else None\n"
    "from tortoise import Tortoise\n"
    "async def main() -> None:\n"
    "    await migrate(config=tortoise_config(sys.argv[1]), target=target)\n"
    "    await Tortoise.close_connections()\n"
    "asyncio.run(main())\n"
)
OLD_ROW = (
    "INSERT INTO asset (id, owner_id, name, status, source_type, metadata, prompt,"
    " created_at, updated_at) VALUES ({}, 'alice', 'old lantern', 'READY', "
    "'UPLOADED', '{{}}', 'a paper boat', {}, {})"
)


def migrate(url: str, target: str | None = None) -> None:
    args = [sys.executable, "-c", MIGRATE, url] + ([target] if target else [])
    subprocess.run(args, check=True, timeout=60, capture_output=True)


def test_the_migration_indexes_rows_written_before_it_sqlite(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    migrate(f"sqlite://{path}", "models.0003_generations")
    with sqlite3.connect(path) as conn:
        conn.execute(
            OLD_ROW.format("?", "?", "?"),
            (str(uuid.uuid4()), "2026-01-01", "2026-01-01"),
        )
        conn.execute(
            "INSERT INTO asset_tag (asset_id, tag) SELECT id, 'harbour' FROM asset"
        )
    migrate(f"sqlite://{path}")
    with sqlite3.connect(path) as conn:
        for word in ("lantern", "boat", "harbour"):
            hits = conn.execute(
                "SELECT count(*) FROM asset_fts WHERE asset_fts MATCH ?", (word,)
            ).fetchone()
            assert hits == (1,), word


async def test_the_migration_indexes_rows_written_before_it_postgres() -> None:
    async with scratch_database(migrate=False) as url:
        migrate(url, "models.0003_generations")
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(OLD_ROW.format("$1", "now()", "now()"), uuid.uuid4())
            await conn.execute(
                "INSERT INTO asset_tag (asset_id, tag) SELECT id, 'harbour' FROM asset"
            )
            migrate(url)
            for word in ("lantern", "boat", "harbour"):
                hits = await conn.fetchval(
                    "SELECT count(*) FROM asset WHERE search_vector @@ "
                    "to_tsquery('simple', $1)",
                    word,
                )
                assert hits == 1, word
            uses_index = await conn.fetchval(
                "SELECT count(*) FROM pg_indexes WHERE indexname = "
                "'asset_search_vector_gin' AND indexdef LIKE '%gin%'"
            )
            assert uses_index == 1
        finally:
            await conn.close()
