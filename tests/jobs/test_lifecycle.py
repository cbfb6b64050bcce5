"""Cancel, retry, restart recovery and thumbnail regeneration of jobs."""

import asyncio
import os
import stat
from pathlib import Path

import pytest

from gql_media import models
from gql_media.settings import Settings
from tests.conftest import Server, make_settings, wait_for_job
from tests.support.graphql import data, subscribe, upload
from tests.support.http_server import serve_files
from tests.support.media import make_image, make_video

CANCEL = """
mutation ($id: ID!) {
  cancelJob(id: $id) { __typename ... on CancelJobSuccess { job { status } }
                       ... on Error { code } }
}
"""
RETRY = """
mutation ($id: ID!) {
  retryJob(id: $id) { __typename ... on RetryJobSuccess { job { status } }
                      ... on Error { code } }
}
"""


def slow_tool(folder: Path) -> tuple[Path, Path]:
    """A stand-in for ffprobe that records its pid and hangs (a stuck child)."""
    pid_file = folder / "tool.pid"
    script = folder / "slow-ffprobe"
    script.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, pid_file


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose; only a reaped or running pid counts.
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split()[2] != "Z"


async def wait_for_file(path: Path, timeout: float = 10.0) -> str:
    async with asyncio.timeout(timeout):
        while not path.exists() or not path.read_text().strip():
            await asyncio.sleep(0.02)
    return path.read_text().strip()


@pytest.fixture
def slow_settings(settings: Settings, tmp_path: Path) -> tuple[Settings, Path]:
    script, pid_file = slow_tool(tmp_path)
    settings.media.ffprobe_path = str(script)
    return settings, pid_file


async def test_cancel_kills_the_ffmpeg_child_and_cleans_up(
    slow_settings: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, pid_file = slow_settings
    server = Server(settings)
    await server.start()
    try:
        clip = make_video(tmp_path / "c.mp4", seconds=1.0)
        result = (await upload(server.url, clip)).json()["data"]["uploadAsset"]
        pid = int(await wait_for_file(pid_file))
        assert alive(pid)
        cancelled = (await data(server.url, CANCEL, {"id": result["job"]["id"]}))[
            "cancelJob"
        ]
        assert cancelled["job"]["status"] == "CANCELED"
        assert not alive(pid), "the probe child outlived its job"
        asset = await models.Asset.get(id=result["asset"]["id"])
        assert asset.status is models.AssetStatus.FAILED
        assert asset.error_code == "CANCELED"
        assert list(settings.tmp_dir.iterdir()) == []
        again = await data(server.url, CANCEL, {"id": result["job"]["id"]})
        assert again["cancelJob"] == {
            "__typename": "InvalidStateError",
            "code": "INVALID_STATE",
        }
    finally:
        await server.stop()


IMPORT = """
mutation ($u: String!) {
  importAsset(input: {url: $u}) {
    ... on ImportAssetSuccess { job { id } asset { id } }
  }
}
"""


async def test_cancel_an_import_while_it_downloads(
    server: Server, no_stray_files: None
) -> None:
    async with serve_files({}) as source:
        url = source.url("/_/stall?n=10&seconds=20")
        result = (await data(server.url, IMPORT, {"u": url}))["importAsset"]
        job_id = result["job"]["id"]
        async with asyncio.timeout(10):
            while (await models.Job.get(id=job_id)).stage != "download":
                await asyncio.sleep(0.02)
        await data(server.url, CANCEL, {"id": job_id})
        job = await wait_for_job(job_id)
    assert job.status is models.JobStatus.CANCELED
    asset = await models.Asset.get(id=result["asset"]["id"])
    assert (asset.status, asset.error_code) == (models.AssetStatus.FAILED, "CANCELED")


async def test_retry_an_import_once_its_source_is_there(
    server: Server, tmp_path: Path
) -> None:
    served = tmp_path / "served"
    served.mkdir()
    async with serve_files(served) as source:
        result = (await data(server.url, IMPORT, {"u": source.url("/late.mp4")}))[
            "importAsset"
        ]
        job = await wait_for_job(result["job"]["id"])
        assert (job.status, job.error_code) == (models.JobStatus.FAILED, "FETCH_FAILED")
        make_video(served / "late.mp4", seconds=1.0)  # the CDN caught up
        retried = await data(server.url, RETRY, {"id": result["job"]["id"]})
        assert retried["retryJob"]["job"]["status"] == "QUEUED"
        job = await wait_for_job(result["job"]["id"])
    assert job.status is models.JobStatus.SUCCEEDED
    assert job.attempts == 2
    asset = await models.Asset.get(id=result["asset"]["id"])
    assert asset.status is models.AssetStatus.READY
    succeeded = await data(server.url, RETRY, {"id": result["job"]["id"]})
    assert succeeded["retryJob"]["__typename"] == "InvalidStateError"


async def test_jobs_interrupted_by_a_stop_run_again_at_the_next_start(
    slow_settings: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, pid_file = slow_settings
    first = Server(settings)
    await first.start()
    clip = make_video(tmp_path / "c.mp4", seconds=1.0)
    result = (await upload(first.url, clip)).json()["data"]["uploadAsset"]
    pid = int(await wait_for_file(pid_file))
    await first.stop()
    assert not alive(pid)
    job = await models.Job.get(id=result["job"]["id"])
    assert job.status is models.JobStatus.QUEUED

    healthy = make_settings(
        settings.data_dir, settings.db_url, secret_key="test-secret"
    )
    second = Server(healthy)
    await second.start()
    try:
        job = await wait_for_job(result["job"]["id"])
        assert job.status is models.JobStatus.SUCCEEDED
        assert job.attempts == 2
        asset = await models.Asset.get(id=result["asset"]["id"])
        assert asset.status is models.AssetStatus.READY
    finally:
        await second.stop()


async def test_regenerate_thumbnail_at_a_time(server: Server, tmp_path: Path) -> None:
    # Links last 3 s here: the replaced thumbnail is kept that long.
    server.settings.url_ttl_seconds = 3
    clip = make_video(tmp_path / "c.mp4", seconds=2.0)
    result = (await upload(server.url, clip)).json()["data"]["uploadAsset"]
    await wait_for_job(result["job"]["id"])
    before = await models.Asset.get(id=result["asset"]["id"])
    regen = (
        await data(
            server.url,
            "mutation ($id: ID!) { regenerateThumbnail(id: $id, atSeconds: 1.5) "
            "{ __typename ... on RegenerateThumbnailSuccess { job { id } } } }",
            {"id": result["asset"]["id"]},
        )
    )["regenerateThumbnail"]
    events = [
        e["data"]["jobProgress"]
        async for e in subscribe(
            server.url,
            "subscription ($id: ID!) { jobProgress(jobId: $id) "
            "{ status asset { thumbnailUrl } } }",
            {"id": regen["job"]["id"]},
        )
    ]
    assert events[-1]["status"] == "SUCCEEDED"
    after = await models.Asset.get(id=result["asset"]["id"])
    assert after.thumbnail_key != before.thumbnail_key
    assert after.thumbnail_key and after.thumbnail_key.endswith("_t1500.jpg")
    # The old one outlives the links signed for it, then goes.
    old_key = before.thumbnail_key or ""
    assert await server.runtime.storage.exists(old_key)
    async with asyncio.timeout(30):
        while await server.runtime.storage.exists(old_key):
            await asyncio.sleep(0.1)
    past_end = (
        await data(
            server.url,
            "mutation ($id: ID!) { regenerateThumbnail(id: $id, atSeconds: 99) "
            "{ __typename ... on Error { code } } }",
            {"id": result["asset"]["id"]},
        )
    )["regenerateThumbnail"]
    assert past_end == {"__typename": "InvalidInputError", "code": "INVALID_INPUT"}


async def test_edit_archive_delete_and_stats(server: Server, tmp_path: Path) -> None:
    image = make_image(tmp_path / "poster.png", 640, 480)
    result = (await upload(server.url, image)).json()["data"]["uploadAsset"]
    await wait_for_job(result["job"]["id"])
    asset_id = result["asset"]["id"]
    updated = (
        await data(
            server.url,
            """mutation ($id: ID!) { updateAsset(id: $id, input: {name: "Poster",
               tags: ["a", "b"], metadata: {scene: 3}}) {
               ... on UpdateAssetSuccess { asset { name tags metadata kind
               aspectRatio thumbnailUrl } } } }""",
            {"id": asset_id},
        )
    )["updateAsset"]["asset"]
    assert updated["name"] == "Poster"
    assert updated["tags"] == ["a", "b"]
    assert updated["kind"] == "IMAGE" and updated["aspectRatio"] == "4:3"
    assert updated["thumbnailUrl"]
    stats = (
        await data(
            server.url,
            "{ stats { totalStoredBytes assetCount byKind { key count } } }",
        )
    )["stats"]
    assert stats["assetCount"] == 1
    assert stats["totalStoredBytes"] == image.stat().st_size
    assert stats["byKind"] == [{"key": "IMAGE", "count": 1}]
    archived = await data(
        server.url,
        "mutation ($id: ID!) { archiveAsset(id: $id) { __typename } }",
        {"id": asset_id},
    )
    assert archived["archiveAsset"]["__typename"] == "ArchiveAssetSuccess"
    listed = await data(server.url, "{ assets { totalCount } }")
    assert listed["assets"]["totalCount"] == 0
    deleted = await data(
        server.url,
        "mutation ($id: ID!) { deleteAsset(id: $id) "
        "{ ... on DeleteAssetSuccess { deletedId } } }",
        {"id": asset_id},
    )
    assert deleted["deleteAsset"]["deletedId"] == asset_id
    files = [p for p in server.settings.storage_dir.rglob("*") if p.is_file()]
    assert files == []
    gone = await data(
        server.url, "query ($id: ID!) { asset(id: $id) { id } }", {"id": asset_id}
    )
    assert gone["asset"] is None
