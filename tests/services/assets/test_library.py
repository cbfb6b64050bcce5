"""Asset use cases against the real database and local storage."""

import asyncio
import uuid
from pathlib import Path

import pytest

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound
from gql_media.media.hashing import HashingWriter
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.assets import queries as asset_queries
from gql_media.services.assets.validation import AssetDetails, Provenance, ReceivedFile
from gql_media.storage.keys import blob_key
from tests.conftest import wait_for_job
from tests.support.media import make_video


def receive(runtime: Runtime, source: Path) -> ReceivedFile:
    """What the upload parser produces for `source`."""
    tmp = runtime.tmp_path(f"recv-{uuid.uuid4().hex}")
    with HashingWriter(tmp, 1 << 30) as sink:
        sink.write(source.read_bytes())
    return ReceivedFile(tmp, sink.sha256, sink.size, source.name, "video/mp4")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("c") / "c.mp4", seconds=1.0)


async def test_blob_is_freed_only_when_no_live_asset_uses_it(
    runtime: Runtime, clip: Path
) -> None:
    mine, job, _ = await assets.create_from_upload(
        runtime, "alice", receive(runtime, clip), AssetDetails()
    )
    theirs, job2, duplicate = await assets.create_from_upload(
        runtime, "bob", receive(runtime, clip), AssetDetails()
    )
    assert not duplicate and mine.id != theirs.id  # dedup is per owner
    assert job and job2
    await wait_for_job(str(job.id))
    await wait_for_job(str(job2.id))
    key = blob_key(mine.checksum or "")
    await assets.delete(runtime, "alice", str(mine.id))
    assert await runtime.storage.exists(key)
    with pytest.raises(NotFound):
        await assets.get_asset("alice", str(mine.id))
    await assets.delete(runtime, "bob", str(theirs.id))
    assert not await runtime.storage.exists(key)
    assert not [p for p in runtime.settings.storage_dir.rglob("*") if p.is_file()]


async def test_concurrent_registrations_end_with_one_asset(
    runtime: Runtime, clip: Path
) -> None:
    files = [receive(runtime, clip) for _ in range(1)] * 6
    results = await asyncio.gather(
        *(assets.create_from_upload(runtime, "alice", f, AssetDetails()) for f in files)
    )
    assert len({str(a.id) for a, _, _ in results}) == 1
    assert [d for _, _, d in results].count(False) == 1
    assert await models.Asset.filter(owner_id="alice").count() == 1
    await runtime.queue.join()  # type: ignore[attr-defined]


async def test_other_owners_cannot_see_or_change_an_asset(
    runtime: Runtime, clip: Path
) -> None:
    asset, _, _ = await assets.create_from_upload(
        runtime, "alice", receive(runtime, clip), AssetDetails(name="mine")
    )
    with pytest.raises(NotFound):
        await assets.get_asset("mallory", str(asset.id))
    with pytest.raises(NotFound):
        await assets.update("mallory", str(asset.id), name="stolen")
    with pytest.raises(NotFound):
        await assets.delete(runtime, "mallory", str(asset.id))
    await runtime.queue.join()  # type: ignore[attr-defined]


async def test_details_are_validated() -> None:
    with pytest.raises(InvalidInput):
        AssetDetails(tags=["x" * 65]).validate()
    with pytest.raises(InvalidInput):
        AssetDetails(tags=[str(i) for i in range(33)]).validate()
    with pytest.raises(InvalidInput):
        AssetDetails(name="a\x00b").validate()
    with pytest.raises(InvalidInput):
        AssetDetails(metadata={"x": "y" * 70_000}).validate()
    from decimal import Decimal

    with pytest.raises(InvalidInput):
        AssetDetails(provenance=Provenance(cost=Decimal("-1"))).validate()
    assert AssetDetails(tags=[" a ", "a", "b"]).validate().tags == ["a", "b"]


async def test_archive_restore_and_filters(runtime: Runtime, clip: Path) -> None:
    details = AssetDetails(
        name="Sunset take 2",
        tags=["ad"],
        provenance=Provenance(provider="replicate", prompt="a red fox at dusk"),
    )
    asset, job, _ = await assets.create_from_upload(
        runtime, "alice", receive(runtime, clip), details
    )
    assert job
    await wait_for_job(str(job.id))

    async def ids(**search: object) -> list[str]:
        page = await asset_queries.search_assets(
            "alice",
            asset_queries.AssetSearch(**search),  # type: ignore[arg-type]
        )
        return [str(a.id) for a in page.rows]

    assert await ids(text="FOX") == [str(asset.id)]  # prompt, case-insensitive
    assert await ids(text="sunset") == [str(asset.id)]  # name
    assert await ids(text="wolf") == []
    assert await ids(tag="ad") == [str(asset.id)]
    assert await ids(tag="other") == []
    assert await ids(kind=models.AssetKind.VIDEO) == [str(asset.id)]
    assert await ids(kind=models.AssetKind.IMAGE) == []
    assert await ids(min_duration_seconds=0.5, max_duration_seconds=1.5) == [
        str(asset.id)
    ]
    assert await ids(min_size_bytes=clip.stat().st_size + 1) == []
    await assets.set_archived("alice", str(asset.id), True)
    assert await ids() == []
    assert await ids(archived=True) == [str(asset.id)]
    with pytest.raises(InvalidState):
        await assets.set_archived("alice", str(asset.id), True)
    await assets.set_archived("alice", str(asset.id), False)
    assert await ids() == [str(asset.id)]
    stats = await asset_queries.stats("alice")
    assert stats.asset_count == 1
    assert stats.by_kind == {"VIDEO": 1}
    assert stats.total_stored_bytes == clip.stat().st_size
