"""Full-text search over assets: SQLite FTS5 or PostgreSQL tsvector + GIN.

What is searched: name, task, tags, description and prompt. The index is kept by
triggers in the database (migration 0007_reviews), so every write path, bulk inserts
included, keeps it current without the application remembering to.

A search string becomes a list of words (letters and digits); each must appear,
as a word or the start of one. Operators and punctuation are not passed through:
the words are the whole query language, so no input can inject FTS or tsquery
syntax, and a string of operators only is refused. The best `MAX_HITS` matches
per owner are ranked in the database (bm25 on SQLite, ts_rank on PostgreSQL);
other filters then apply to those.
"""

import re

from tortoise import Tortoise

from gql_media.errors import InvalidInput

MAX_TEXT = 256
MAX_WORDS = 16
MAX_HITS = 1000
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a search string, lowercased; InvalidInput when it has none."""
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"text is over {MAX_TEXT} characters", field="text")
    found = [w.lower() for w in _WORD.findall(text)]
    if not found:
        raise InvalidInput(
            "the search has no words (letters or digits) to look for", field="text"
        )
    if len(found) > MAX_WORDS:
        raise InvalidInput(f"the search has over {MAX_WORDS} words", field="text")
    return found


_SQLITE = """
SELECT k.asset_id, bm25(asset_fts, 4.0, 1.0, 2.0, 4.0, 1.0) AS score
FROM asset_fts
JOIN asset_search_key AS k ON k.id = asset_fts.rowid
JOIN asset AS a ON a.id = k.asset_id
WHERE asset_fts MATCH ? AND a.owner_id = ? AND a.deleted_at IS NULL
ORDER BY score, k.asset_id
LIMIT ?
"""

_POSTGRES = """
SELECT a.id::text AS asset_id, -ts_rank(a.search_vector, q) AS score
FROM asset AS a, to_tsquery('simple', $1) AS q
WHERE a.search_vector @@ q AND a.owner_id = $2 AND a.deleted_at IS NULL
ORDER BY score, a.id
LIMIT $3
"""


async def ranked(owner_id: str, text: str) -> dict[str, float]:
    """The owner's live assets matching `text`: id -> score, lower is better."""
    terms = words(text)
    conn = Tortoise.get_connection("default")
    if conn.capabilities.dialect == "postgres":
        query = " & ".join(f"{w}:*" for w in terms)
        _, rows = await conn.execute_query(_POSTGRES, [query, owner_id, MAX_HITS])
    else:
        # Each word quoted (it holds letters and digits only) with a prefix star.
        query = " ".join(f'"{w}"*' for w in terms)
        _, rows = await conn.execute_query(_SQLITE, [query, owner_id, MAX_HITS])
    return {str(row["asset_id"]): float(row["score"]) for row in rows}
