"""Generation use cases: create the tree, edit scenes, metadata and costs, fail,
delete, and start an export. Scene videos are in `scenes`, the state
machine in `state`, reads in `queries`."""

import logging
import uuid
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound
from gql_media.kit.ids import get_owned, is_uuid
from gql_media.models import GenerationStatus, JobKind, SceneStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import MAX_NAME, MAX_PROMPT
from gql_media.services.generations.state import (
    GenerationState,
    lock,
    publish,
)
from gql_media.services.generations.validation import (
    GenerationSpec,
    check_cost,
    check_metadata,
    check_text,
)
from gql_media.services.jobs import lifecycle as jobs

logger = logging.getLogger(__name__)

# How long deleting a generation waits for a worker to stop each running job.
CANCEL_WAIT_SECONDS = 5.0


async def get_generation(owner_id: str, generation_id: str) -> models.Generation:
    """The owner's generation, or NotFound (also for malformed ids)."""
    return await get_owned(models.Generation, owner_id, generation_id, "generation")


async def scene_generation_id(owner_id: str, scene_id: str) -> Any:
    """The id of the owner's generation that holds the scene, or NotFound."""
    if not is_uuid(scene_id):
        raise NotFound(f"no scene with id {scene_id!r}")
    rows = await models.Scene.filter(
        id=scene_id, variant__generation__owner_id=owner_id
    ).values_list("variant__generation_id", flat=True)
    if not rows:
        raise NotFound(f"no scene with id {scene_id!r}")
    return rows[0]


async def create(owner_id: str, spec: GenerationSpec) -> models.Generation:
    """A PENDING generation with its variants and their PENDING scenes, written
    in one transaction."""
    spec = spec.validate()
    n = spec.scenes_per_variant
    async with in_transaction():
        generation = await models.Generation.create(
            owner_id=owner_id,
            name=spec.name or "",
            source_url=spec.source_url,
            source_type=spec.source_type,
            variant_types=spec.variant_types,
            scenes_per_variant=n,
            total_scenes=n * len(spec.variant_types),
            cost_estimate=spec.cost_estimate,
        )
        variants = [
            models.Variant(
                id=uuid.uuid4(),
                generation_id=generation.id,
                variant_type=kind,
                position=position,
                total_scenes=n,
            )
            for position, kind in enumerate(spec.variant_types)
        ]
        await models.Variant.bulk_create(variants)
        await models.Scene.bulk_create(
            [
                models.Scene(
                    variant_id=variant.id,
                    number=number,
                    prompt=spec.prompt_of(variant.variant_type, number),
                )
                for variant in variants
                for number in range(1, n + 1)
            ]
        )
    logger.info("generation %s created: %d scenes", generation.id, n * len(variants))
    return generation


async def update_scene(
    runtime: Runtime,
    owner_id: str,
    scene_id: str,
    *,
    prompt: str | None = None,
    provider_video_id: str | None = None,
    provider_status: str | None = None,
) -> models.Scene:
    """Change a scene's prompt or the provider's id and status of its video."""
    given = {  # column: (value, GraphQL name, length limit)
        "prompt": (prompt, "prompt", MAX_PROMPT),
        "provider_video_id": (provider_video_id, "providerVideoId", MAX_NAME),
        "provider_status": (provider_status, "providerStatus", 64),
    }
    fields = {
        column: check_text(value, name, limit)
        for column, (value, name, limit) in given.items()
        if value is not None
    }
    generation_id = await scene_generation_id(owner_id, scene_id)
    async with in_transaction():
        generation = await _locked(generation_id)
        if fields:
            await models.Scene.filter(id=scene_id).update(**fields)
        generation = await _bump(generation)
    scene = await models.Scene.get(id=scene_id)
    await publish(
        runtime,
        GenerationState.from_model(
            generation,
            variant_id=scene.variant_id,  # type: ignore[attr-defined]
            scene_id=scene.id,
        ),
    )
    return scene


async def save_metadata(
    runtime: Runtime, owner_id: str, generation_id: str, kind: str, data: Any
) -> models.GenerationMetadata:
    """Store the JSON document of one kind, replacing the previous one."""
    known, document = check_metadata(kind, data)
    await get_generation(owner_id, generation_id)
    async with in_transaction():
        # The lock serializes saves, so the row is created once.
        generation = await _locked(generation_id)
        updated = await models.GenerationMetadata.filter(
            generation_id=generation.id, kind=known
        ).update(data=document)
        if not updated:
            await models.GenerationMetadata.create(
                generation_id=generation.id, kind=known, data=document
            )
        generation = await _bump(generation)
    await publish(runtime, GenerationState.from_model(generation))
    return await models.GenerationMetadata.get(generation_id=generation.id, kind=known)


async def set_cost(
    runtime: Runtime, owner_id: str, generation_id: str, actual_cost: Decimal
) -> models.Generation:
    """Record what the generation actually cost."""
    cost = check_cost(actual_cost, "actualCost")
    await get_generation(owner_id, generation_id)
    return await _change(runtime, generation_id, actual_cost=cost)


async def mark_failed(
    runtime: Runtime, owner_id: str, generation_id: str, error: str
) -> models.Generation:
    """Fail a generation with a reason (a COMPLETED one stays completed)."""
    reason = check_text(error, "error", 2000)
    if not reason:
        raise InvalidInput("error must not be empty", field="error")
    current = await get_generation(owner_id, generation_id)
    if current.status is GenerationStatus.COMPLETED:
        raise InvalidState("the generation is COMPLETED")
    return await _change(
        runtime,
        generation_id,
        status=GenerationStatus.FAILED,
        error_message=reason,
        only_unless=GenerationStatus.COMPLETED,
    )


async def _change(
    runtime: Runtime,
    generation_id: Any,
    *,
    only_unless: GenerationStatus | None = None,
    **fields: Any,
) -> models.Generation:
    async with in_transaction():
        generation = await _locked(generation_id)
        if only_unless is not None and generation.status is only_unless:
            raise InvalidState(f"the generation is {only_unless.value}")
        await models.Generation.filter(id=generation.id).update(**fields)
        generation = await _bump(generation)
    await publish(runtime, GenerationState.from_model(generation))
    return generation


async def _locked(generation_id: Any) -> models.Generation:
    generation = await lock(generation_id)
    if generation is None:  # deleted since it was looked up
        raise NotFound(f"no generation with id {generation_id!r}")
    return generation


async def _bump(generation: models.Generation) -> models.Generation:
    await models.Generation.filter(id=generation.id).update(
        revision=generation.revision + 1
    )
    return await models.Generation.get(id=generation.id)


async def delete(runtime: Runtime, owner_id: str, generation_id: str) -> str:
    """Delete a generation with its variants, scenes and metadata; cancel its
    running jobs; delete the assets that only it made, and its export files.

    The rows go first (in one transaction, with the generation locked so no
    attach slips in), so jobs stopped afterwards find no scene to update.
    """
    await get_generation(owner_id, generation_id)
    async with in_transaction():
        generation = await _locked(generation_id)
        scenes = await models.Scene.filter(variant__generation_id=generation.id).values(
            "asset_id", "job_id", "owns_asset"
        )
        exports = [
            job
            for job in await models.Job.filter(
                owner_id=owner_id, kind=JobKind.EXPORT_GENERATION
            )
            if job.payload.get("generation_id") == str(generation.id)
        ]
        await models.Generation.filter(id=generation.id).delete()
    generation.revision += 1
    await publish(runtime, GenerationState.from_model(generation, deleted=True))

    job_ids = [s["job_id"] for s in scenes if s["job_id"]] + [j.id for j in exports]
    for job in await models.Job.filter(id__in=job_ids, status__in=jobs.ACTIVE):
        await jobs.halt(
            runtime, job, "the generation was deleted", wait=CANCEL_WAIT_SECONDS
        )
    owned = {s["asset_id"] for s in scenes if s["owns_asset"] and s["asset_id"]}
    for asset_id in owned:
        await drop_asset(runtime, owner_id, asset_id)
    for job in exports:
        key = (await models.Job.get(id=job.id)).payload.get("result_key")
        if key:
            await runtime.storage.delete(key)
    logger.info("generation %s deleted", generation.id)
    return str(generation.id)


async def drop_asset(runtime: Runtime, owner_id: str, asset_id: Any) -> None:
    """Delete an asset a scene made, unless another scene still shows it (then
    that scene answers for it, so the asset goes when that one goes)."""
    heir = await models.Scene.filter(asset_id=asset_id).first()
    if heir is not None:
        await models.Scene.filter(id=heir.id).update(owns_asset=True)
        return
    try:
        await assets.delete(runtime, owner_id, str(asset_id))
    except NotFound:
        pass  # already deleted (or a duplicate placeholder that is gone)


async def start_export(
    runtime: Runtime, owner_id: str, generation_id: str
) -> models.Job:
    """Queue the job that zips the generation's READY scene videos."""
    generation = await get_generation(owner_id, generation_id)
    if not generation.status.is_finished:
        raise InvalidState("only a COMPLETED or FAILED generation can be exported")
    ready = await models.Scene.filter(
        variant__generation_id=generation.id, status=SceneStatus.READY
    ).exists()
    if not ready:
        raise InvalidState("the generation has no READY scene to export")
    job = await jobs.create_job(
        owner_id,
        JobKind.EXPORT_GENERATION,
        asset=None,
        max_attempts=runtime.settings.job_max_attempts,
        payload={"generation_id": str(generation.id)},
    )
    await jobs.enqueue(runtime, job.id)
    return job
