"""Generation use cases and the state machine against the real database.

Scene videos here are asset and job rows written directly, and jobs end through
`jobs.finish` as the runner ends them, so each transition is exercised exactly
(the end-to-end path with real imports is in tests/resolvers/test_generations.py).
"""

from decimal import Decimal
from typing import Any

import pytest

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound
from gql_media.models import (
    AssetKind,
    AssetStatus,
    GenerationStatus,
    JobKind,
    JobStatus,
    SceneStatus,
)
from gql_media.runtime import Runtime
from gql_media.services.generations import edits as generations
from gql_media.services.generations import scenes as scene_videos
from gql_media.services.generations import state as generation_progress
from gql_media.services.generations.validation import GenerationSpec, ScenePrompt
from gql_media.services.jobs import lifecycle as jobs
from tests.support.generations import OWNER, video_row, video_scene_ids


async def pending_video(n: int) -> tuple[models.Asset, models.Job]:
    """A PENDING asset and the (unqueued) import job that would bring it."""
    asset = await video_row(AssetStatus.PENDING, kind=None, n=n)
    job = await jobs.create_job(
        OWNER, JobKind.IMPORT_URL, asset=asset, max_attempts=3, payload={"url": "x"}
    )
    return asset, job


async def succeed(runtime: Runtime, asset: models.Asset, job: models.Job) -> None:
    """What the runner does when an import succeeds."""
    await models.Asset.filter(id=asset.id).update(
        status=AssetStatus.READY, kind=AssetKind.VIDEO, size_bytes=500
    )
    await jobs.finish(runtime, job.id, JobStatus.SUCCEEDED, asset_id=asset.id)


async def test_create_builds_the_whole_tree(clean_db: str) -> None:
    spec = GenerationSpec(
        source_url="https://cdn.example.com/src.mp4",
        scenes_per_variant=3,
        cost_estimate=Decimal("1.25"),
        prompts=[
            ScenePrompt(1, "opening shot"),
            ScenePrompt(1, "soft opening", variant_type="soft"),
            ScenePrompt(3, "ending"),
        ],
    )
    generation = await generations.create(OWNER, spec)
    assert generation.status is GenerationStatus.PENDING
    assert generation.total_scenes == 12
    variants = await models.Variant.filter(generation_id=generation.id).order_by(
        "position"
    )
    assert [v.variant_type for v in variants] == [
        "soft",
        "medium",
        "aggressive",
        "ultra",
    ]
    prompts = {
        (s.variant.variant_type, s.number): s.prompt
        for s in await models.Scene.filter(
            variant__generation_id=generation.id
        ).prefetch_related("variant")
    }
    assert len(prompts) == 12
    assert prompts[("soft", 1)] == "soft opening"
    assert prompts[("ultra", 1)] == "opening shot"
    assert prompts[("medium", 2)] is None
    assert prompts[("medium", 3)] == "ending"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scenes_per_variant": 0}, "scenesPerVariant"),
        ({"scenes_per_variant": 65}, "scenesPerVariant"),
        ({"variant_types": [f"v{i}" for i in range(17)]}, "variantTypes"),
        ({"variant_types": []}, "variantTypes"),
        ({"variant_types": ["soft", "SOFT"]}, "variantTypes"),
        ({"variant_types": ["x" * 65]}, "variantTypes"),
        ({"cost_estimate": Decimal("-0.01")}, "costEstimate"),
        ({"cost_estimate": Decimal("NaN")}, "costEstimate"),
        ({"cost_estimate": Decimal("1e12")}, "costEstimate"),
        ({"source_url": "file:///etc/passwd"}, "sourceUrl"),
        ({"source_url": " "}, "sourceUrl"),
        ({"prompts": [ScenePrompt(0, "x")]}, "prompts"),
        ({"prompts": [ScenePrompt(5, "x")]}, "prompts"),
        ({"prompts": [ScenePrompt(1, "a"), ScenePrompt(1, "b")]}, "prompts"),
        ({"prompts": [ScenePrompt(1, "a", variant_type="nope")]}, "prompts"),
    ],
)
async def test_bad_specs_are_refused_and_write_nothing(
    clean_db: str, changes: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"source_url": "https://cdn.example.com/a.mp4"}
    spec = GenerationSpec(**(values | changes))
    with pytest.raises(InvalidInput) as caught:
        await generations.create(OWNER, spec)
    assert caught.value.field == field
    assert await models.Generation.all().count() == 0
    assert await models.Scene.all().count() == 0


async def make(variants: int = 2, scenes: int = 2) -> models.Generation:
    spec = GenerationSpec(
        source_url="https://cdn.example.com/src.mp4",
        variant_types=[f"v{i}" for i in range(variants)],
        scenes_per_variant=scenes,
    )
    return await generations.create(OWNER, spec)


async def test_scenes_follow_their_jobs_and_never_count_twice(
    runtime: Runtime,
) -> None:
    generation = await make()
    (a1, a2), (b1, b2) = await video_scene_ids(generation)
    pending = [await pending_video(n) for n in range(4)]
    for scene_id, (asset, _) in zip((a1, a2, b1, b2), pending, strict=True):
        attached = await scene_videos.attach_asset(
            runtime, OWNER, scene_id, str(asset.id)
        )
        assert attached.scene.status is SceneStatus.PROCESSING
    assert (await models.Generation.get(id=generation.id)).status is (
        GenerationStatus.PROCESSING
    )

    asset, job = pending[0]
    await succeed(runtime, asset, job)
    # The same job ending again (at-least-once delivery) changes nothing.
    before = await models.Generation.get(id=generation.id)
    await generation_progress.on_job_finished(runtime, await models.Job.get(id=job.id))
    await jobs.finish(runtime, job.id, JobStatus.SUCCEEDED, asset_id=asset.id)
    after = await models.Generation.get(id=generation.id)
    assert (after.scenes_completed, after.revision) == (1, before.revision)
    variant = await models.Variant.get(scenes__id=a1)
    assert (variant.scenes_completed, variant.status) == (
        1,
        GenerationStatus.PROCESSING,
    )

    for asset, job in pending[1:]:
        await succeed(runtime, asset, job)
    done = await models.Generation.get(id=generation.id)
    assert done.status is GenerationStatus.COMPLETED
    assert done.completed_at is not None
    assert done.scenes_completed == 4
    assert {v.status for v in await models.Variant.all()} == {
        GenerationStatus.COMPLETED
    }
    # Library assets attached by reference stay the library's.
    assert not await models.Scene.filter(owns_asset=True).exists()
    # A late failure of a finished job cannot undo a READY scene.
    await jobs.finish(runtime, pending[3][1].id, JobStatus.FAILED)
    again = await models.Generation.get(id=generation.id)
    assert (again.status, again.scenes_completed) == (GenerationStatus.COMPLETED, 4)


async def test_a_failed_scene_fails_its_variant_and_generation(
    runtime: Runtime,
) -> None:
    generation = await make()
    (a1, a2), (b1, b2) = await video_scene_ids(generation)
    failing = await pending_video(1)
    await scene_videos.attach_asset(runtime, OWNER, a2, str(failing[0].id))
    await models.Scene.filter(id=a2).update(owns_asset=True)  # as from a URL
    await scene_videos.attach_asset(runtime, OWNER, b1, str((await video_row(n=2)).id))
    await jobs.finish(
        runtime,
        failing[1].id,
        JobStatus.FAILED,
        error_code="FETCH_FAILED",
        error_message="the source answered 404",
    )
    scene = await models.Scene.get(id=a2)
    assert scene.status is SceneStatus.FAILED
    assert scene.error_message == "FETCH_FAILED: the source answered 404"
    variant = await models.Variant.get(scenes__id=a2)
    assert variant.status is GenerationStatus.FAILED
    assert variant.error_message == "scene 2: FETCH_FAILED: the source answered 404"
    failed = await models.Generation.get(id=generation.id)
    assert failed.status is GenerationStatus.FAILED
    assert failed.error_message == f"variant v0: {variant.error_message}"

    # Other scenes still complete, but the generation stays FAILED...
    for scene_id, n in ((a1, 3), (b2, 4)):
        await scene_videos.attach_asset(
            runtime, OWNER, scene_id, str((await video_row(n=n)).id)
        )
    still = await models.Generation.get(id=generation.id)
    assert (still.status, still.scenes_completed) == (GenerationStatus.FAILED, 3)
    # ...until the failed scene gets a video again (an explicit retry).
    await scene_videos.attach_asset(runtime, OWNER, a2, str((await video_row(n=5)).id))
    healed = await models.Generation.get(id=generation.id)
    assert healed.status is GenerationStatus.COMPLETED
    assert healed.error_message is None
    # The failed import's asset belonged to the scene: replacing it deletes it.
    assert (await models.Asset.get(id=failing[0].id)).deleted_at is not None


async def test_a_retried_job_that_succeeds_reopens_and_completes(
    runtime: Runtime,
) -> None:
    generation = await make(1, 1)
    [[scene_id]] = await video_scene_ids(generation)
    asset, job = await pending_video(1)
    await scene_videos.attach_asset(runtime, OWNER, scene_id, str(asset.id))
    await jobs.finish(runtime, job.id, JobStatus.FAILED, error_code="FETCH_TIMEOUT")
    failed = await models.Generation.get(id=generation.id)
    assert (failed.status, failed.scenes_completed) == (GenerationStatus.FAILED, 0)
    # retryJob ran the same job again (queued, then claimed by a worker: an ended
    # job is not ended twice), and this time it succeeded.
    await models.Job.filter(id=job.id).update(status=JobStatus.RUNNING)
    await succeed(runtime, asset, job)
    done = await models.Generation.get(id=generation.id)
    assert (done.status, done.scenes_completed) == (GenerationStatus.COMPLETED, 1)
    assert done.error_message is None


async def test_bad_attachments_are_typed_errors_and_change_nothing(
    runtime: Runtime,
) -> None:
    generation = await make()
    (a1, a2), _ = await video_scene_ids(generation)
    image = await video_row(kind=AssetKind.IMAGE, n=1)
    theirs = await video_row(owner="mallory", n=2)
    broken = await video_row(AssetStatus.FAILED, n=3)
    spare = await video_row(n=4)
    cases = [
        (a1, str(image.id), InvalidInput),
        (a1, str(theirs.id), NotFound),
        (a1, str(broken.id), InvalidInput),
        (a1, "not-an-id", NotFound),
        ("00000000-0000-0000-0000-000000000000", str(spare.id), NotFound),
        ("garbage", str(spare.id), NotFound),
    ]
    for scene_id, asset_id, error in cases:
        with pytest.raises(error):
            await scene_videos.attach_asset(runtime, OWNER, scene_id, asset_id)
    with pytest.raises(NotFound):  # another owner's scene
        await scene_videos.attach_asset(runtime, "mallory", a1, str(theirs.id))
    scene = await models.Scene.get(id=a1)
    assert (scene.status, scene.asset_id) == (SceneStatus.PENDING, None)  # type: ignore[attr-defined]
    assert (await models.Generation.get(id=generation.id)).revision == 0

    await scene_videos.attach_asset(runtime, OWNER, a2, str(spare.id))
    other = await video_row(n=7)
    with pytest.raises(InvalidState):  # READY scenes keep their video
        await scene_videos.attach_asset(runtime, OWNER, a2, str(other.id))
    with pytest.raises(InvalidState):
        await scene_videos.retry(runtime, OWNER, a2)


async def test_edits_metadata_cost_and_failure(runtime: Runtime) -> None:
    generation = await make(1, 1)
    gid = str(generation.id)
    [[scene_id]] = await video_scene_ids(generation)
    scene = await generations.update_scene(
        runtime, OWNER, scene_id, prompt="new", provider_video_id="vid_1"
    )
    assert (scene.prompt, scene.provider_video_id) == ("new", "vid_1")
    await generations.save_metadata(runtime, OWNER, gid, "prompts", {"a": 1})
    await generations.save_metadata(runtime, OWNER, gid, "PROMPTS", {"a": 2})
    rows = await models.GenerationMetadata.filter(generation_id=gid)
    assert [(r.kind, r.data) for r in rows] == [(models.MetadataKind.PROMPTS, {"a": 2})]
    with pytest.raises(InvalidInput):
        await generations.save_metadata(runtime, OWNER, gid, "mood", {})
    with pytest.raises(InvalidInput):
        await generations.save_metadata(runtime, OWNER, gid, "analysis", [1, 2])
    with pytest.raises(InvalidInput):
        await generations.set_cost(runtime, OWNER, gid, Decimal("-1"))
    with pytest.raises(NotFound):
        await generations.set_cost(runtime, "mallory", gid, Decimal("1"))
    updated = await generations.set_cost(runtime, OWNER, gid, Decimal("0.1234567"))
    assert updated.actual_cost == Decimal("0.123457")
    failed = await generations.mark_failed(runtime, OWNER, gid, "provider outage")
    assert (failed.status, failed.error_message) == (
        GenerationStatus.FAILED,
        "provider outage",
    )
    assert failed.revision == 5  # one per change: scene, 2 saves, cost, failure
    with pytest.raises(InvalidInput):
        await generations.mark_failed(runtime, OWNER, gid, "")


async def test_delete_removes_the_tree_and_only_the_videos_it_made(
    runtime: Runtime,
) -> None:
    generation = await make(1, 2)
    [[s1, s2]] = await video_scene_ids(generation)
    imported, job = await pending_video(1)
    await scene_videos.attach_asset(runtime, OWNER, s1, str(imported.id))
    # The scene made this asset (as attach from a URL does): it goes with it.
    await models.Scene.filter(id=s1).update(owns_asset=True)
    library_video = await video_row(n=2)
    await scene_videos.attach_asset(runtime, OWNER, s2, str(library_video.id))
    await generations.save_metadata(runtime, OWNER, str(generation.id), "analysis", {})

    assert await generations.delete(runtime, OWNER, str(generation.id)) == str(
        generation.id
    )
    for model in (models.Generation, models.Variant, models.Scene):
        assert await model.all().count() == 0
    assert await models.GenerationMetadata.all().count() == 0
    assert (await models.Job.get(id=job.id)).status is JobStatus.CANCELED
    assert (await models.Asset.get(id=imported.id)).deleted_at is not None
    assert (await models.Asset.get(id=library_video.id)).deleted_at is None
    with pytest.raises(NotFound):
        await generations.delete(runtime, OWNER, str(generation.id))
    with pytest.raises(NotFound):
        await scene_videos.attach_asset(runtime, OWNER, s2, str(library_video.id))
