"""Storage cleanup on local files and on S3: a stray blob, a stray thumbnail, a
row whose blob was removed, an upload in flight, dead jobs' temp directories.
A dry run reports and changes nothing; the real run removes only the strays."""

import asyncio
import hashlib
from typing import Any

import pytest

from gql_media import models
from gql_media.runtime import Runtime
from gql_media.services.assets import cleanup
from gql_media.settings import Settings, StorageSettings
from gql_media.storage.keys import blob_key, thumbnail_key
from gql_media.wiring import wire
from tests.conftest import Server, make_settings, wait_for_job
from tests.support.graphql import data

# Strays are made older than this by waiting; an upload in flight is younger.
GRACE = 3.0


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def stored_asset(
    rt: Runtime, data: bytes, status: models.AssetStatus
) -> models.Asset:
    key, thumb = blob_key(sha(data)), thumbnail_key(sha(data), 320, 0)
    await rt.storage.put_bytes(key, data)
    await rt.storage.put_bytes(thumb, b"jpeg of " + data)
    return await models.Asset.create(
        owner_id="local", name=data.decode(), status=status,
        source_type=models.SourceType.UPLOADED, checksum=sha(data),
        dedup_key=sha(data), size_bytes=len(data), storage_key=key,
        thumbnail_key=thumb,
    )  # fmt: skip


async def scene(rt: Runtime) -> dict[str, Any]:
    """Everything the issue lists, with the strays older than the grace period."""
    kept = await stored_asset(rt, b"kept", models.AssetStatus.READY)
    lost = await stored_asset(rt, b"lost", models.AssetStatus.READY)
    await rt.storage.delete(lost.storage_key or "")
    stray_blob = blob_key(sha(b"stray"))
    await rt.storage.put_bytes(stray_blob, b"stray")
    stray_thumb = thumbnail_key(sha(b"gone"), 320, 1500)
    await rt.storage.put_bytes(stray_thumb, b"old thumb")
    dead = await models.Job.create(
        owner_id="local", kind=models.JobKind.IMPORT_URL, status=models.JobStatus.FAILED
    )
    running = await models.Job.create(
        owner_id="local", kind=models.JobKind.IMPORT_URL,
        status=models.JobStatus.RUNNING,
    )  # fmt: skip
    for job in (dead, running):
        folder = rt.tmp_path(f"job-{job.id}")
        folder.mkdir(parents=True)
        (folder / "part").write_bytes(b"x" * 1000)
    await asyncio.sleep(GRACE + 0.2)  # the strays are now past the grace period
    in_flight = blob_key(sha(b"uploading"))
    await rt.storage.put_bytes(in_flight, b"uploading")  # its row is not there yet
    return {
        "kept": kept, "lost": lost, "stray_blob": stray_blob,
        "stray_thumb": stray_thumb, "in_flight": in_flight,
        "dead_dir": rt.tmp_path(f"job-{dead.id}"),
        "running_dir": rt.tmp_path(f"job-{running.id}"),
    }  # fmt: skip


async def keys(rt: Runtime) -> set[str]:
    found = set()
    for prefix in ("blobs/", "thumbs/"):
        found |= {o.key async for o in rt.storage.list_objects(prefix)}
    return found


async def check_cleanup(rt: Runtime, run: Any) -> None:
    s = await scene(rt)
    before = await keys(rt)
    dry = await run(True)
    assert dry == {
        "dry_run": True, "stray_blobs": 1, "stray_blob_bytes": len(b"stray"),
        "stray_thumbnails": 1, "stray_thumbnail_bytes": len(b"old thumb"),
        "missing_files": 1, "temp_dirs": 1, "temp_bytes": 1000, "skipped_young": 1,
    }  # fmt: skip
    assert await keys(rt) == before
    assert (await models.Asset.get(id=s["lost"].id)).status is models.AssetStatus.READY
    assert s["dead_dir"].exists()

    # The upload is still in flight during the real run: its blob is fresh.
    await rt.storage.put_bytes(s["in_flight"], b"uploading")
    real = await run(False)
    assert real["dry_run"] is False
    assert (real["stray_blobs"], real["missing_files"], real["temp_dirs"]) == (1, 1, 1)
    left = await keys(rt)
    assert s["stray_blob"] not in left and s["stray_thumb"] not in left
    assert {s["kept"].storage_key, s["kept"].thumbnail_key, s["in_flight"]} <= left
    lost = await models.Asset.get(id=s["lost"].id)
    assert lost.status is models.AssetStatus.FAILED
    assert lost.error_code == "MISSING_FILE"
    kept = await models.Asset.get(id=s["kept"].id)
    assert kept.status is models.AssetStatus.READY and kept.error_code is None
    assert not s["dead_dir"].exists() and s["running_dir"].exists()


async def test_cleanup_over_graphql_on_local_files(settings: Settings) -> None:
    server = Server(
        settings.model_copy(
            update={
                "retention": settings.retention.model_copy(
                    update={"cleanup_grace_seconds": GRACE}
                )
            }
        )
    )
    await server.start()
    try:

        async def run(dry_run: bool) -> dict[str, Any]:
            started = (
                await data(
                    server.url,
                    "mutation ($dry: Boolean!) { cleanupStorage(dryRun: $dry) {"
                    " ... on CleanupStorageSuccess { job { id } } } }",
                    {"dry": dry_run},
                )
            )["cleanupStorage"]
            job = await wait_for_job(started["job"]["id"])
            assert job.status is models.JobStatus.SUCCEEDED, job.error_message
            answer = await data(
                server.url,
                "query ($id: ID!) { job(id: $id) { cleanupReport { dryRun strayBlobs"
                " strayBlobBytes strayThumbnails strayThumbnailBytes missingFiles"
                " tempDirs tempBytes skippedYoung } } }",
                {"id": started["job"]["id"]},
            )
            report = answer["job"]["cleanupReport"]
            return {_snake(k): v for k, v in report.items()}

        await check_cleanup(server.runtime, run)
    finally:
        await server.stop()


async def test_cleanup_on_s3(settings: Settings, s3_settings: StorageSettings) -> None:
    s3_mode = make_settings(
        settings.data_dir, settings.db_url, storage=s3_settings,
        retention={"cleanup_grace_seconds": GRACE},
    )  # fmt: skip
    rt = wire(s3_mode)
    try:

        async def run(dry_run: bool) -> dict[str, Any]:
            report = await cleanup.cleanup(rt, dry_run=dry_run)
            return report.to_json()

        await check_cleanup(rt, run)
    finally:
        await rt.close()


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@pytest.mark.parametrize("dry_run", [True, False])
async def test_nothing_referenced_is_touched_when_there_are_no_strays(
    runtime: Runtime, dry_run: bool
) -> None:
    row = await stored_asset(runtime, b"only", models.AssetStatus.READY)
    before = await keys(runtime)
    report = await cleanup.cleanup(runtime, dry_run=dry_run)
    assert report.stray_blobs == report.stray_thumbnails == report.missing_files == 0
    assert await keys(runtime) == before
    assert (await models.Asset.get(id=row.id)).status is models.AssetStatus.READY


async def test_an_owners_cleanup_marks_only_that_owners_missing_files(
    runtime: Runtime,
) -> None:
    """Another owner's row whose blob is gone is theirs to hear about: a cleanup
    asked for by `local` leaves it READY; the operator's run (every owner) marks it."""
    theirs = await stored_asset(runtime, b"theirs", models.AssetStatus.READY)
    await models.Asset.filter(id=theirs.id).update(owner_id="someone-else")
    await runtime.storage.delete(theirs.storage_key or "")
    report = await cleanup.cleanup(runtime, dry_run=False, owner_id="local")
    assert report.missing_files == 0
    row = await models.Asset.get(id=theirs.id)
    assert row.status is models.AssetStatus.READY
    report = await cleanup.cleanup(runtime, dry_run=False, owner_id=None)
    assert report.missing_files == 1
    row = await models.Asset.get(id=theirs.id)
    assert row.status is models.AssetStatus.FAILED
