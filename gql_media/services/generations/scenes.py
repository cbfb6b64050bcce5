"""Scene videos: attach one from a URL, an existing asset or an upload, and retry.

A scene takes a video while it is PENDING or FAILED (attaching to a FAILED scene
is a retry). The scene then follows the job that brings the video; a video that
is READY already makes the scene READY at once.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound
from gql_media.kit.clock import now
from gql_media.models import AssetKind, AssetStatus, SceneStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import imports
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import AssetDetails, Provenance, ReceivedFile
from gql_media.services.generations.edits import drop_asset, scene_generation_id
from gql_media.services.generations.state import (
    GenerationState,
    lock,
    on_job_finished,
    publish,
    recompute,
)
from gql_media.services.jobs import lifecycle as jobs

logger = logging.getLogger(__name__)

ATTACHABLE = (SceneStatus.PENDING, SceneStatus.FAILED)


@dataclass(frozen=True)
class Link:
    """What a scene is attached to: an asset, and the job bringing it if any."""

    asset_id: Any
    job: models.Job | None
    owns_asset: bool
    enqueue: bool = False  # the job was written in our transaction
    is_duplicate: bool = False


@dataclass(frozen=True)
class Attached:
    scene: models.Scene
    job: models.Job | None
    is_duplicate: bool


async def attach_url(
    runtime: Runtime, owner_id: str, scene_id: str, url: str
) -> Attached:
    """Import the scene's video from `url` (checked now and again on connect).

    Raises:
        NotFound, InvalidState: unknown scene, or one that is not PENDING/FAILED.
        ForbiddenUrl, FetchFailed: a refused or unresolvable URL.
    """
    scene = await _attachable(owner_id, scene_id)
    await imports.check_url(runtime, url)
    details = await _details(scene)

    async def link() -> Link:
        asset, job = await assets.insert_import(runtime, owner_id, url, details)
        return Link(asset.id, job, owns_asset=True, enqueue=True)

    return await _attach(runtime, owner_id, scene_id, link)


async def attach_asset(
    runtime: Runtime, owner_id: str, scene_id: str, asset_id: str
) -> Attached:
    """Show one of the owner's videos in the scene (it stays in the library)."""
    await _attachable(owner_id, scene_id)
    asset = await assets.get_asset(owner_id, asset_id)  # NotFound for others' too
    found = await _existing(asset, "assetId")
    return await _attach(runtime, owner_id, scene_id, _const(found))


async def attach_upload(
    runtime: Runtime, owner_id: str, scene_id: str, upload: ReceivedFile
) -> Attached:
    """Register an uploaded video (known bytes give the existing asset) and show
    it in the scene."""
    scene = await _attachable(owner_id, scene_id)
    asset, job, duplicate = await assets.create_from_upload(
        runtime, owner_id, upload, await _details(scene)
    )
    if duplicate:
        found = replace(await _existing(asset, "file"), is_duplicate=True)
    else:
        found = Link(asset.id, job, owns_asset=True)
    try:
        return await _attach(runtime, owner_id, scene_id, _const(found))
    except (NotFound, InvalidState):
        # The scene went away or moved on meanwhile: drop what the upload made.
        if not duplicate:
            await assets.delete(runtime, owner_id, str(asset.id))
        raise


async def retry(
    runtime: Runtime, owner_id: str, scene_id: str
) -> tuple[models.Scene, models.Job]:
    """Run the failed job of a FAILED scene again; reopens its generation.

    Returns:
        The scene and its job, queued again.
    """
    generation_id = await scene_generation_id(owner_id, scene_id)
    scene = await models.Scene.get(id=scene_id)
    if scene.status is not SceneStatus.FAILED:
        raise InvalidState(f"the scene is {scene.status.value}, not FAILED")
    if scene.job_id is None:  # type: ignore[attr-defined]
        raise InvalidState("the scene has no job to retry; attach a video again")
    job = await jobs.retry(runtime, owner_id, str(scene.job_id))  # type: ignore[attr-defined]
    async with in_transaction():
        generation = await lock(generation_id)
        if generation is None:
            raise NotFound(f"no scene with id {scene_id!r}")
        # Conditional: the retried job may have finished and moved the scene.
        await models.Scene.filter(
            id=scene.id, status=SceneStatus.FAILED, job_id=job.id
        ).update(status=SceneStatus.PROCESSING, error_message=None)
        generation = await recompute(generation, reopen=True)
    await _announce(runtime, generation, scene)
    await _catch_up(runtime, job)
    return await models.Scene.get(id=scene.id), job


async def _attachable(owner_id: str, scene_id: str) -> models.Scene:
    await scene_generation_id(owner_id, scene_id)  # NotFound
    scene = await models.Scene.get(id=scene_id)
    _check_attachable(scene)
    return scene


def _check_attachable(scene: models.Scene) -> None:
    if scene.status not in ATTACHABLE:
        raise InvalidState(
            f"the scene is {scene.status.value}; only PENDING or FAILED scenes "
            "take a video"
        )


async def _details(scene: models.Scene) -> AssetDetails:
    variant = await models.Variant.get(id=scene.variant_id)  # type: ignore[attr-defined]
    return AssetDetails(
        name=f"{variant.variant_type} scene {scene.number}",
        kind=AssetKind.VIDEO,
        provenance=Provenance(
            prompt=scene.prompt, external_job_id=scene.provider_video_id
        ),
    ).validate()


async def _existing(asset: models.Asset, field: str) -> Link:
    """A link to an asset the owner had: a READY video, or one on its way."""
    if asset.kind not in (AssetKind.VIDEO, None):
        kind = asset.kind.value.lower()
        raise InvalidInput(f"the asset is {kind}, not a video", field)
    if asset.status is AssetStatus.READY:
        return Link(asset.id, None, owns_asset=False)
    if asset.status is AssetStatus.FAILED:
        raise InvalidInput("the asset failed; attach another video", field)
    job = (
        await models.Job.filter(asset_id=asset.id, status__in=jobs.ACTIVE)
        .order_by("-created_at")
        .first()
    )
    if job is None:
        raise InvalidState("the asset is not READY and no job is bringing it")
    return Link(asset.id, job, owns_asset=False)


def _const(link: Link) -> Callable[[], Awaitable[Link]]:
    async def make() -> Link:
        return link

    return make


async def _attach(
    runtime: Runtime,
    owner_id: str,
    scene_id: str,
    make_link: Callable[[], Awaitable[Link]],
) -> Attached:
    """Point the scene at a video in one transaction with the generation locked,
    then enqueue, announce, and free the video the scene held before."""
    generation_id = await scene_generation_id(owner_id, scene_id)
    async with in_transaction():
        generation = await lock(generation_id)
        scene = await models.Scene.get_or_none(id=scene_id)
        if generation is None or scene is None:
            raise NotFound(f"no scene with id {scene_id!r}")
        _check_attachable(scene)  # again, under the lock
        link = await make_link()
        ready = link.job is None
        old = scene.asset_id if scene.owns_asset else None  # type: ignore[attr-defined]
        await models.Scene.filter(id=scene.id).update(
            asset_id=link.asset_id,
            job_id=link.job.id if link.job else None,
            owns_asset=link.owns_asset,
            status=SceneStatus.READY if ready else SceneStatus.PROCESSING,
            error_message=None,
            completed_at=now() if ready else None,
        )
        generation = await recompute(generation, reopen=True)
    if link.job is not None and link.enqueue:
        await jobs.enqueue(runtime, link.job.id)
    logger.info("generation %s: scene %s attached", generation.id, scene.id)
    await _announce(runtime, generation, scene)
    if old is not None and old != link.asset_id:
        await drop_asset(runtime, owner_id, old)
    if link.job is not None and not link.enqueue:
        await _catch_up(runtime, link.job)
    return Attached(await models.Scene.get(id=scene.id), link.job, link.is_duplicate)


async def _announce(
    runtime: Runtime, generation: models.Generation, scene: models.Scene
) -> None:
    await publish(
        runtime,
        GenerationState.from_model(
            generation,
            variant_id=scene.variant_id,  # type: ignore[attr-defined]
            scene_id=scene.id,
        ),
    )


async def _catch_up(runtime: Runtime, job: models.Job) -> None:
    """A job that ended before the scene pointed at it was not seen by the hook."""
    current = await models.Job.get(id=job.id)
    if current.status.is_terminal:
        await on_job_finished(runtime, current)
