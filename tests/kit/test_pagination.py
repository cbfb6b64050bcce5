"""Keyset pagination over assets: every row once, in order, whatever the order."""

import pytest

from gql_media import models
from gql_media.errors import InvalidInput
from gql_media.services.assets import queries as asset_queries
from gql_media.services.assets.queries import ORDERS, AssetSearch


async def _make_assets(n: int) -> None:
    for i in range(n):
        await models.Asset.create(
            owner_id="alice",
            name=f"asset {i % 3}",
            source_type=models.SourceType.UPLOADED,
            # Some NULLs and ties, the cases keyset pagination gets wrong.
            size_bytes=None if i % 4 == 0 else (i % 5) * 1000,
            duration_seconds=None if i % 3 == 0 else float(i % 2),
        )


@pytest.mark.parametrize("order", sorted(ORDERS))
async def test_pages_cover_every_row_once(clean_db: str, order: str) -> None:
    await _make_assets(23)
    seen: list[str] = []
    after = None
    while True:
        page = await asset_queries.search_assets(
            "alice", AssetSearch(), order, first=5, after=after
        )
        assert await page.count() == 23
        seen += [str(r.id) for r in page.rows]
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert len(seen) == 23 and len(set(seen)) == 23
    whole = await asset_queries.search_assets("alice", AssetSearch(), order, first=100)
    assert seen == [str(r.id) for r in whole.rows]


async def test_bad_first_and_cursors(clean_db: str) -> None:
    with pytest.raises(InvalidInput):
        await asset_queries.search_assets("alice", AssetSearch(), first=101)
    with pytest.raises(InvalidInput):
        await asset_queries.search_assets("alice", AssetSearch(), first=-1)
    for bad in ("x", "e30", "WzEsMiwzXQ"):
        with pytest.raises(InvalidInput):
            await asset_queries.search_assets("alice", AssetSearch(), after=bad)
    # A cursor made for another order is refused rather than misread.
    await _make_assets(2)
    page = await asset_queries.search_assets(
        "alice", AssetSearch(), "size_desc", first=1
    )
    with pytest.raises(InvalidInput):
        await asset_queries.search_assets(
            "alice", AssetSearch(), "name_asc", after=page.cursors[0]
        )
