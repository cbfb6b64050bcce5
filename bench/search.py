"""search: `assets(filter: {text})` over 100,000 assets, full-text (SQLite FTS5,
PostgreSQL tsvector + GIN, as gql-media runs it) against the `LIKE '%word%'` scan
of the same columns that full-text search replaced.

Both read the first page (20, newest first) of the same owner's matches, in the
same process and on the same rows, taking turns. Words are fixed-length random
strings, so a word never hides inside another and both ways must find exactly
the same assets: each timed answer is checked against the other.
"""

import random
import string
import time
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.expressions import Q

from bench.common import (
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
from gql_media import db, models
from gql_media.services.assets import queries
from tests.support.postgres import scratch_database

ASSETS = scaled(100_000, 5_000)
REPS = scaled(15, 3)
OWNER = "bench"
VOCABULARY = 20_000
PAGE = 20
# Query words by frequency rank: common (~0.9% of assets), middling, rare.
QUERIES = {"common word": [250], "middling word": [2_000], "rare word": [15_000],
           "two words": [250, 300]}  # fmt: skip


def vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choices(string.ascii_lowercase, k=8)))
    return sorted(words)


def text(rng: random.Random, words: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(words, weights, k=n))


async def seed(words: list[str]) -> None:
    rng = random.Random(13)
    # Zipf-like word frequencies, as in real titles and prompts.
    weights = [1 / (rank + 1) for rank in range(len(words))]
    batch: list[models.Asset] = []
    for n in range(ASSETS):
        batch.append(
            models.Asset(
                owner_id=OWNER,
                name=text(rng, words, weights, 3),
                description=text(rng, words, weights, 8),
                task=f"ep01_{rng.choice(words)}",
                prompt=text(rng, words, weights, 12),
                source_type=models.SourceType.GENERATED,
                status=models.AssetStatus.READY,
            )
        )
        if len(batch) == 2000 or n == ASSETS - 1:
            await models.Asset.bulk_create(batch)
            batch = []


def like_query(terms: list[str]) -> Any:
    query = models.Asset.filter(owner_id=OWNER, deleted_at=None, archived_at=None)
    for term in terms:
        query = query.filter(
            Q(name__icontains=term)
            | Q(description__icontains=term)
            | Q(task__icontains=term)
            | Q(prompt__icontains=term)
        )
    return query


async def bench_database(
    report: Report, table: Table, label: str, url: str, words: list[str]
) -> None:
    EXECUTOR_CACHE.clear()
    await db.connect(url)
    try:
        log(f"search: seeding {ASSETS} assets on {label}")
        started = time.monotonic()
        await seed(words)
        log(f"search: seeded in {time.monotonic() - started:.0f} s")
        await Tortoise.get_connection("default").execute_script("ANALYZE")
        for name, ranks in QUERIES.items():
            terms = [words[r] for r in ranks]
            search = queries.AssetSearch(text=" ".join(terms))
            # Newest first for both: the same page is the check.
            like = like_query(terms)
            expected_total = await like.count()
            expected = [
                str(r.id) for r in await like.order_by("-created_at", "-id").limit(PAGE)
            ]

            async def fts(search: Any = search, expected: list[str] = expected,
                          total: int = expected_total, name: str = name,
                          ) -> Sample:  # fmt: skip
                begun = time.perf_counter()
                page = await queries.search_assets(
                    OWNER, search, "created_at_desc", PAGE
                )
                seconds = time.perf_counter() - begun
                check([str(r.id) for r in page.rows] == expected, f"fts {name}")
                check(page.total_count == min(total, 1000), f"fts total {name}")
                return {"seconds": seconds}

            async def scan(terms: list[str] = terms, expected: list[str] = expected,
                           total: int = expected_total, name: str = name,
                           ) -> Sample:  # fmt: skip
                begun = time.perf_counter()
                query = like_query(terms)
                count = await query.count()
                rows = await query.order_by("-created_at", "-id").limit(PAGE)
                seconds = time.perf_counter() - begun
                check([str(r.id) for r in rows] == expected, f"like {name}")
                check(count == total, f"like total {name}")
                return {"seconds": seconds}

            check(expected_total <= 1000, f"{name}: {expected_total} matches > cap")
            samples = await interleave({"fts": fts, "like": scan}, REPS, warmup=1)
            ours, base = samples["fts"]["seconds"], samples["like"]["seconds"]
            value = ratio(ours, base)
            table.add(
                label, f"{name} ({expected_total} matches)", ms(median(ours)),
                ms(p95(ours)), ms(median(base)), ms(p95(base)), times(value),
            )  # fmt: skip
            report.ratio(
                f"search {label}, {name}: full-text / LIKE",
                value,
                "first page with its total; below 1 is faster",
            )
            report.samples.setdefault(label, {})[name] = samples
    finally:
        await db.close()


async def run(report: Report) -> None:
    work = work_dir("search")
    words = vocabulary(random.Random(7))
    table = report.table(
        f"search: assets(filter: {{text}}) over {ASSETS:,} assets, first page of 20 "
        f"and the total ({REPS} runs each)",
        "database", "query", "full-text median", "p95", "LIKE median", "p95",
        "full-text / LIKE",
    )  # fmt: skip
    sqlite_url = f"sqlite://{work / 'search.sqlite3'}"
    await db.migrate(sqlite_url)
    await bench_database(report, table, "SQLite", sqlite_url, words)
    async with scratch_database() as pg_url:
        await bench_database(report, table, "PostgreSQL", pg_url, words)
    report.config = {"assets": ASSETS, "reps": REPS, "vocabulary": VOCABULARY,
                     "page": PAGE}  # fmt: skip
    report.notes.append(
        "Full-text ranks at most 1,000 matches per search (search.MAX_HITS); the "
        "queries are chosen under that cap so both answers are complete."
    )


if __name__ == "__main__":
    main("search", run)
