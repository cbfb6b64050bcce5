"""export_generation: the ZIP layout, hostile names, partial exports, cleanup;
and a whole generation run through both modes (in-process and arq workers)."""

import asyncio
import io
import zipfile
from pathlib import Path

import httpx
import pytest

from gql_media import models
from gql_media.models import AssetKind, AssetStatus, JobKind, JobStatus, SceneStatus
from gql_media.runtime import Runtime
from gql_media.services.generations import edits as generations
from gql_media.services.generations import scenes as scene_videos
from gql_media.services.generations.validation import GenerationSpec
from gql_media.services.jobs import lifecycle as jobs
from gql_media.storage.keys import blob_key, thumbnail_key
from tests.conftest import Server, wait_for_job
from tests.support.generations import ATTACH, PROGRESS, create, make_clips, scene_ids
from tests.support.graphql import data, subscribe
from tests.support.http_server import serve_files
from tests.support.tls import TLS

OWNER = "local"


async def stored_video(runtime: Runtime, n: int) -> models.Asset:
    """A READY video whose blob and thumbnail are really stored."""
    digest = f"{n + 1:064x}"
    key, thumb = blob_key(digest), thumbnail_key(digest, 320, 0)
    body = f"video {n}".encode() * 100
    await runtime.storage.put_bytes(key, body)
    await runtime.storage.put_bytes(thumb, b"\xff\xd8 thumb %d" % n)
    return await models.Asset.create(
        owner_id=OWNER,
        kind=AssetKind.VIDEO,
        status=AssetStatus.READY,
        source_type=models.SourceType.GENERATED,
        checksum=digest,
        dedup_key=digest,
        size_bytes=len(body),
        mime_type="video/webm" if n == 1 else "video/mp4",
        storage_key=key,
        thumbnail_key=thumb,
    )


async def test_export_sanitizes_names_and_skips_scenes_without_video(
    runtime: Runtime,
) -> None:
    generation = await generations.create(
        OWNER,
        GenerationSpec(
            source_url="https://cdn.example.com/a.mp4",
            name="../../etc/passwd",
            variant_types=["../up", "a/b", "A B"],
            scenes_per_variant=2,
        ),
    )
    scenes = await models.Scene.filter(variant__generation_id=generation.id).order_by(
        "variant__position", "number"
    )
    # Every scene but the last gets a video; the last one fails.
    for n, scene in enumerate(scenes[:-1]):
        video = await stored_video(runtime, n)
        await scene_videos.attach_asset(runtime, OWNER, str(scene.id), str(video.id))
    await models.Scene.filter(id=scenes[-1].id).update(status=SceneStatus.FAILED)
    await generations.mark_failed(runtime, OWNER, str(generation.id), "one failed")

    job = await generations.start_export(runtime, OWNER, str(generation.id))
    done = await wait_for_job(str(job.id))
    assert done.status is JobStatus.SUCCEEDED, done.error_message
    key = done.payload["result_key"]
    assert key == f"exports/{generation.id}/{job.id}.zip"
    path = runtime.storage.local_path(key)
    assert path is not None
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    root = f"etc-passwd-{str(generation.id)[:8]}"
    assert sorted(archive.namelist()) == sorted(
        [
            f"{root}/manifest.json",
            f"{root}/up/scene_1.mp4",
            f"{root}/up/scene_1_thumb.jpg",
            f"{root}/up/scene_2.webm",
            f"{root}/up/scene_2_thumb.jpg",
            f"{root}/a-b/scene_1.mp4",
            f"{root}/a-b/scene_1_thumb.jpg",
            f"{root}/a-b/scene_2.mp4",
            f"{root}/a-b/scene_2_thumb.jpg",
            # "A B" slugs to "a-b" too: the third variant gets its position.
            f"{root}/a-b-3/scene_1.mp4",
            f"{root}/a-b-3/scene_1_thumb.jpg",
        ]
    )
    assert archive.read(f"{root}/a-b/scene_2.mp4") == b"video 3" * 100
    assert archive.read(f"{root}/up/scene_1_thumb.jpg") == b"\xff\xd8 thumb 0"
    assert '"variant": "../up"' in archive.read(f"{root}/manifest.json").decode()
    assert list(runtime.settings.tmp_dir.iterdir()) == []

    # The export goes with the generation.
    await generations.delete(runtime, OWNER, str(generation.id))
    assert not await runtime.storage.exists(key)


async def test_export_of_a_deleted_generation_fails_and_stores_nothing(
    runtime: Runtime,
) -> None:
    generation = await generations.create(
        OWNER, GenerationSpec(source_url="https://cdn.example.com/a.mp4")
    )
    await models.Generation.filter(id=generation.id).delete()
    # As if the generation went while its export waited in the queue.
    job = await jobs.create_job(
        OWNER,
        JobKind.EXPORT_GENERATION,
        asset=None,
        max_attempts=1,
        payload={"generation_id": str(generation.id)},
    )
    await jobs.enqueue(runtime, job.id)
    done = await wait_for_job(str(job.id))
    assert done.status is JobStatus.FAILED
    assert done.error_code == "INVALID_STATE"
    assert not [p for p in runtime.settings.storage_dir.rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_clips(tmp_path_factory.mktemp("export-clips"), 2)


async def test_a_generation_completes_live_and_exports_in_either_mode(
    server: Server, clips: list[Path]
) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=2)
    events: list[dict[str, object]] = []

    async def watch() -> None:
        variables = {"id": generation["id"]}
        async for payload in subscribe(server.url, PROGRESS, variables):
            events.append(payload["data"]["generationProgress"])

    watcher = asyncio.create_task(watch())
    async with asyncio.timeout(10):
        while not events:  # subscribed: the current state arrived
            await asyncio.sleep(0.02)
    async with serve_files(clips[0].parent) as cdn:
        for scene_id, clip in zip(scene_ids(generation), clips, strict=True):
            variables = {
                "sceneId": scene_id,
                "input": {"url": cdn.url(f"/{clip.name}")},
            }
            await data(server.url, ATTACH, variables)
        await asyncio.wait_for(watcher, 60)
    assert events[-1]["status"] == "COMPLETED"

    started = (
        await data(
            server.url,
            "mutation ($id: ID!) { exportGeneration(id: $id) { "
            "... on ExportGenerationSuccess { job { id } } } }",
            {"id": generation["id"]},
        )
    )["exportGeneration"]
    await wait_for_job(started["job"]["id"])
    url = (
        await data(
            server.url,
            "query ($id: ID!) { job(id: $id) { status downloadUrl } }",
            {"id": started["job"]["id"]},
        )
    )["job"]["downloadUrl"]
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        archive = zipfile.ZipFile(io.BytesIO((await client.get(url)).content))
    root = f"generation-{generation['id'][:8]}"
    assert archive.read(f"{root}/soft/scene_2.mp4") == clips[1].read_bytes()
