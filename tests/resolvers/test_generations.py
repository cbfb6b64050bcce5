"""Generations over real HTTP: a 4 x 4 run filled from a local CDN and watched
live, the library, the export ZIP, and the cost of the tree query."""

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from gql_media import models
from gql_media.models import JobStatus
from tests.conftest import Server, wait_for_job
from tests.support.generations import (
    ATTACH,
    PROGRESS,
    TREE,
    count_statements,
    create,
    make_clips,
    scene_ids,
    seed_trees,
)
from tests.support.graphql import data, subscribe
from tests.support.http_server import serve_files
from tests.support.tls import TLS

TREE_FIELDS = """
id status completedAt costEstimate
progress { scenesCompleted totalScenes fraction }
variants {
  variantType status scenesCompleted
  scenes { number status video { id status kind width durationSeconds thumbnailUrl } }
}
metadata { prompts }
"""


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_clips(tmp_path_factory.mktemp("scene-clips"), 16)


async def watch(server: Server, generation_id: str) -> tuple[asyncio.Task[Any], Any]:
    """Subscribe to generationProgress; returns once the first event arrived."""
    events: list[dict[str, Any]] = []
    first = asyncio.Event()

    async def run() -> list[dict[str, Any]]:
        async for payload in subscribe(server.url, PROGRESS, {"id": generation_id}):
            events.append(payload["data"]["generationProgress"])
            first.set()
        return events

    task = asyncio.create_task(run())
    await asyncio.wait_for(first.wait(), 10)
    return task, events


async def test_a_4x4_generation_fills_in_live_lists_and_exports(
    server: Server, clips: list[Path], no_stray_files: None
) -> None:
    generation = await create(
        server.url, name="Fox ad / take ../2", costEstimate="1.60", scenesPerVariant=4
    )
    gid = generation["id"]
    scenes = scene_ids(generation)
    assert len(scenes) == 16
    await data(
        server.url,
        "mutation ($id: ID!) { saveGenerationMetadata(generationId: $id, "
        'kind: PROMPTS, data: {style: "noir"}) { __typename } }',
        {"id": gid},
    )
    task, _ = await watch(server, gid)
    async with serve_files(clips[0].parent) as cdn:
        for scene_id, clip in zip(scenes, clips, strict=True):
            result = (
                await data(
                    server.url,
                    ATTACH,
                    {"sceneId": scene_id, "input": {"url": cdn.url(f"/{clip.name}")}},
                )
            )["attachSceneVideo"]
            assert result["__typename"] == "AttachSceneVideoSuccess", result
        events = await asyncio.wait_for(task, 60)

    assert events[0]["revision"] < events[-1]["revision"]
    revisions = [e["revision"] for e in events]
    assert revisions == sorted(set(revisions)), revisions
    done = [e["progress"]["scenesCompleted"] for e in events]
    assert done == sorted(done)  # never backwards
    assert events[-1]["status"] == "COMPLETED" and events[-1]["isFinished"]
    assert events[-1]["progress"] == {
        "scenesCompleted": 16,
        "totalScenes": 16,
        "fraction": 1.0,
    }
    assert any(e["scene"] and e["scene"]["status"] == "READY" for e in events[:-1])

    query = f"query ($id: ID!) {{ generation(id: $id) {{ {TREE_FIELDS} }} }}"
    tree = (await data(server.url, query, {"id": gid}))["generation"]
    assert tree["status"] == "COMPLETED" and tree["completedAt"]
    assert tree["metadata"] == {"prompts": {"style": "noir"}}
    assert [v["variantType"] for v in tree["variants"]] == [
        "soft",
        "medium",
        "aggressive",
        "ultra",
    ]
    videos = [s["video"] for v in tree["variants"] for s in v["scenes"]]
    assert all(v["status"] == "READY" and v["kind"] == "VIDEO" for v in videos)
    assert len({v["id"] for v in videos}) == 16  # distinct clips, distinct assets
    assert [v["width"] for v in videos] == [160 + 8 * i for i in range(16)]
    assert all(v["thumbnailUrl"] for v in videos)

    library = (
        await data(
            server.url, "{ library { edges { node { id coverThumbnailUrl } } } }"
        )
    )["library"]["edges"]
    assert [e["node"]["id"] for e in library] == [gid]
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        cover = await client.get(library[0]["node"]["coverThumbnailUrl"])
    assert cover.status_code == 200 and cover.content[:2] == b"\xff\xd8"

    stats = (
        await data(
            server.url,
            "{ generationStats { byStatus { key count } scenesCompleted "
            "totalCostEstimate totalStoredBytes } }",
        )
    )["generationStats"]
    assert stats["byStatus"] == [{"key": "COMPLETED", "count": 1}]
    assert stats["scenesCompleted"] == 16
    assert stats["totalCostEstimate"] == "1.600000"
    assert stats["totalStoredBytes"] == sum(c.stat().st_size for c in clips)

    await check_export(server, gid, clips)


async def check_export(server: Server, gid: str, clips: list[Path]) -> None:
    started = (
        await data(
            server.url,
            "mutation ($id: ID!) { exportGeneration(id: $id) { __typename "
            "... on ExportGenerationSuccess { job { id kind } } } }",
            {"id": gid},
        )
    )["exportGeneration"]
    job = await wait_for_job(started["job"]["id"])
    assert job.status is JobStatus.SUCCEEDED, job.error_message
    url = (
        await data(
            server.url,
            "query ($id: ID!) { job(id: $id) { downloadUrl } }",
            {"id": started["job"]["id"]},
        )
    )["job"]["downloadUrl"]
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        response = await client.get(url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    root = f"fox-ad-take-2-{gid[:8]}"
    expected = {f"{root}/manifest.json"}
    for variant in ("soft", "medium", "aggressive", "ultra"):
        for n in range(1, 5):
            expected |= {
                f"{root}/{variant}/scene_{n}.mp4",
                f"{root}/{variant}/scene_{n}_thumb.jpg",
            }
    assert set(archive.namelist()) == expected
    assert archive.read(f"{root}/medium/scene_2.mp4") == clips[5].read_bytes()
    assert archive.read(f"{root}/ultra/scene_4_thumb.jpg")[:2] == b"\xff\xd8"


async def test_the_tree_query_costs_the_same_for_5_and_50(server: Server) -> None:
    await seed_trees(50)
    counts = {}
    for first in (5, 50):
        with count_statements() as statements:
            result = (await data(server.url, TREE, {"first": first}))["generations"]
        counts[first] = len(statements)
        edges = result["edges"]
        assert len(edges) == first
        assert all(e["node"]["metadata"]["prompts"] is not None for e in edges)
        videos = [
            s["video"]
            for e in edges
            for v in e["node"]["variants"]
            for s in v["scenes"]
        ]
        assert len(videos) == 4 * first and all(v["thumbnailUrl"] for v in videos)
    print(f"SQL statements of the tree query: {counts}")
    assert counts[5] == counts[50] <= 8, counts

    # The library's covers are batched the same way.
    library = (
        "query ($n: Int!) { library(first: $n) { edges { node { "
        "cover { id } coverThumbnailUrl } } } }"
    )
    for first in (5, 50):
        with count_statements() as statements:
            edges = (await data(server.url, library, {"n": first}))["library"]["edges"]
        assert len(edges) == first
        assert all(e["node"]["coverThumbnailUrl"] for e in edges)
        counts[first] = len(statements)
    assert counts[5] == counts[50] <= 4, counts


async def test_deleting_while_imports_run_cancels_them_and_leaves_nothing(
    server: Server, no_stray_files: None
) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=2)
    async with serve_files() as cdn:
        stall = cdn.url("/_/stall?n=20000&seconds=30")
        jobs = []
        for scene_id in scene_ids(generation):
            result = (
                await data(
                    server.url, ATTACH, {"sceneId": scene_id, "input": {"url": stall}}
                )
            )["attachSceneVideo"]
            jobs.append(result["job"]["id"])
        async with asyncio.timeout(10):
            while await models.Job.filter(
                id__in=jobs, status=JobStatus.RUNNING, stage="download"
            ).count() < len(jobs):
                await asyncio.sleep(0.05)
        watcher, _ = await watch(server, generation["id"])
        deleted = (
            await data(
                server.url,
                "mutation ($id: ID!) { deleteGeneration(id: $id) { __typename "
                "... on DeleteGenerationSuccess { deletedId } } }",
                {"id": generation["id"]},
            )
        )["deleteGeneration"]
    assert deleted["deletedId"] == generation["id"]
    events = await asyncio.wait_for(watcher, 10)
    assert events[-1]["deleted"] and events[-1]["isFinished"]
    statuses = {j.status for j in await models.Job.filter(id__in=jobs)}
    assert statuses == {JobStatus.CANCELED}
    for model in (models.Generation, models.Variant, models.Scene):
        assert await model.all().count() == 0
    assert await models.Asset.filter(deleted_at=None).count() == 0
    stored = server.settings.storage_dir
    assert (
        not [p for p in stored.rglob("*") if p.is_file()] if stored.exists() else True
    )
    # A subscriber that comes late learns at once that it is gone.
    late = [p async for p in subscribe(server.url, PROGRESS, {"id": generation["id"]})]
    assert late[0]["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_failed_scene_fails_the_generation_and_can_be_retried(
    server: Server, clips: list[Path]
) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=1)
    [scene_id] = scene_ids(generation)
    files: dict[str, bytes] = {}
    async with serve_files(files) as cdn:
        attached = (
            await data(
                server.url,
                ATTACH,
                {"sceneId": scene_id, "input": {"url": cdn.url("/late.mp4")}},
            )
        )["attachSceneVideo"]
        job = await wait_for_job(attached["job"]["id"])
        assert job.error_code == "FETCH_FAILED"
        failed = await generation_row(server, generation["id"])
        assert failed["status"] == "FAILED"
        assert "FETCH_FAILED" in failed["errorMessage"]
        assert failed["variants"][0]["scenes"][0]["status"] == "FAILED"

        files["/late.mp4"] = clips[0].read_bytes()  # the CDN has it now
        retried = (
            await data(
                server.url,
                "mutation ($id: ID!) { retryScene(id: $id) { __typename "
                "... on RetrySceneSuccess { scene { status } job { id } } } }",
                {"id": scene_id},
            )
        )["retryScene"]
        assert retried["__typename"] == "RetrySceneSuccess"
        await wait_for_job(retried["job"]["id"])
    healed = await generation_row(server, generation["id"])
    assert healed["status"] == "COMPLETED"
    assert healed["errorMessage"] is None


async def generation_row(server: Server, gid: str) -> dict[str, Any]:
    query = (
        "query ($id: ID!) { generation(id: $id) { status errorMessage "
        "variants { scenes { status } } } }"
    )
    result: dict[str, Any] = (await data(server.url, query, {"id": gid}))["generation"]
    return result
