"""The generation state machine and its events.

A scene follows the job that brings its video; a variant follows its scenes; the
generation follows its variants. Statuses and counts are derived from the scene
rows every time (never incremented), under a lock on the generation row, so a job
that finishes twice, or two jobs that finish at once, cannot count twice or move
anything backwards. A READY scene stays READY; a COMPLETED or FAILED generation
stays so unless an explicit retry reopens it.

Every change bumps `Generation.revision` and publishes a `GenerationState` on the
bus channel `generation:<id>` after the commit.
"""

import logging
from dataclasses import asdict, dataclass
from typing import Any

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.bus.base import generation_channel
from gql_media.kit.clock import now
from gql_media.models import (
    AssetKind,
    GenerationStatus,
    JobKind,
    JobStatus,
    SceneStatus,
)
from gql_media.runtime import JobFollower, Runtime

logger = logging.getLogger(__name__)

# The jobs a scene can follow: those that bring a video into an asset.
FOLLOWED_KINDS = (JobKind.IMPORT_URL, JobKind.PROCESS_UPLOAD)


@dataclass(frozen=True)
class GenerationState:
    """What a generation event carries: the state as of `revision`, and what
    changed (a scene, a variant, or the generation itself when both are None)."""

    id: str
    owner_id: str
    status: GenerationStatus
    revision: int
    scenes_completed: int
    total_scenes: int
    variant_id: str | None = None
    scene_id: str | None = None
    deleted: bool = False

    @classmethod
    def from_model(
        cls,
        row: models.Generation,
        *,
        variant_id: Any = None,
        scene_id: Any = None,
        deleted: bool = False,
    ) -> "GenerationState":
        return cls(
            id=str(row.id),
            owner_id=row.owner_id,
            status=GenerationStatus(row.status),
            revision=row.revision,
            scenes_completed=row.scenes_completed,
            total_scenes=row.total_scenes,
            variant_id=str(variant_id) if variant_id else None,
            scene_id=str(scene_id) if scene_id else None,
            deleted=deleted,
        )

    @property
    def is_finished(self) -> bool:
        return self.deleted or self.status.is_finished

    def to_event(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> "GenerationState":
        return cls(**{**event, "status": GenerationStatus(event["status"])})


async def publish(runtime: Runtime, state: GenerationState) -> None:
    """Send a generation's state on its channel; a bus outage is only logged (the
    rows are the truth and subscribers start from them)."""
    try:
        await runtime.bus.publish(generation_channel(state.id), state.to_event())
    except Exception as exc:  # any transport error of any backend
        logger.warning("generation %s: event not published: %s", state.id, exc)


async def lock(generation_id: Any) -> models.Generation | None:
    """The generation row, locked until the transaction ends (PostgreSQL; SQLite
    serializes writers anyway). Call inside `in_transaction()`."""
    return await models.Generation.select_for_update().get_or_none(id=generation_id)


async def recompute(
    generation: models.Generation, *, reopen: bool = False
) -> models.Generation:
    """Derive every variant and the generation from the scene rows, write what
    changed and bump the revision. Call with the generation locked.

    Args:
        generation: the locked row.
        reopen: an explicit retry: a FAILED generation may become PROCESSING again.
    """
    scenes = await models.Scene.filter(variant__generation_id=generation.id).values(
        "variant_id", "number", "status", "error_message"
    )
    variants = await models.Variant.filter(generation_id=generation.id).order_by(
        "position"
    )
    by_variant: dict[str, list[dict[str, Any]]] = {str(v.id): [] for v in variants}
    for scene in scenes:
        by_variant[str(scene["variant_id"])].append(scene)
    for variant in variants:
        fields = _variant_fields(variant, by_variant[str(variant.id)])
        if fields:
            await models.Variant.filter(id=variant.id).update(**fields)
            for name, value in fields.items():
                setattr(variant, name, value)
    fields = _generation_fields(generation, variants, reopen)
    fields["revision"] = generation.revision + 1
    await models.Generation.filter(id=generation.id).update(**fields)
    return await models.Generation.get(id=generation.id)


def _variant_fields(
    variant: models.Variant, scenes: list[dict[str, Any]]
) -> dict[str, Any]:
    ready = sum(s["status"] == SceneStatus.READY for s in scenes)
    failed = sorted(
        (s for s in scenes if s["status"] == SceneStatus.FAILED),
        key=lambda s: s["number"],
    )
    busy = any(s["status"] == SceneStatus.PROCESSING for s in scenes)
    error = None
    if ready == variant.total_scenes:
        status = GenerationStatus.COMPLETED
    elif failed:
        status = GenerationStatus.FAILED
        error = f"scene {failed[0]['number']}: {failed[0]['error_message'] or 'failed'}"
    elif busy or ready:
        status = GenerationStatus.PROCESSING
    else:
        status = GenerationStatus.PENDING
    completed_at = None
    if status is GenerationStatus.COMPLETED:
        completed_at = variant.completed_at or now()
    wanted: dict[str, Any] = {
        "status": status,
        "scenes_completed": ready,
        "error_message": error,
        "completed_at": completed_at,
    }
    return {k: v for k, v in wanted.items() if getattr(variant, k) != v}


def _generation_fields(
    generation: models.Generation, variants: list[models.Variant], reopen: bool
) -> dict[str, Any]:
    statuses = [GenerationStatus(v.status) for v in variants]
    fields: dict[str, Any] = {
        "scenes_completed": sum(v.scenes_completed for v in variants)
    }
    current = GenerationStatus(generation.status)
    if current is GenerationStatus.COMPLETED:
        return fields  # all scenes READY, and READY is final
    if current is GenerationStatus.FAILED and not reopen:
        return fields  # failed stays failed until a retry reopens it
    failed = [v for v in variants if v.status == GenerationStatus.FAILED]
    error = None
    if all(s is GenerationStatus.COMPLETED for s in statuses):
        status = GenerationStatus.COMPLETED
        fields["completed_at"] = now()
    elif failed:
        status = GenerationStatus.FAILED
        error = f"variant {failed[0].variant_type}: {failed[0].error_message}"
    elif any(s is not GenerationStatus.PENDING for s in statuses):
        status = GenerationStatus.PROCESSING
    else:
        status = GenerationStatus.PENDING
    fields.update(status=status, error_message=error)
    return fields


async def scene_outcome(job: models.Job) -> dict[str, Any]:
    """The scene columns that a job's current state leads to."""
    if job.status is JobStatus.SUCCEEDED:
        asset = await models.Asset.get_or_none(id=job.asset_id, deleted_at=None)  # type: ignore[attr-defined]
        if asset is None:
            return _failed("NOT_FOUND: the video was deleted")
        if asset.kind is not AssetKind.VIDEO:
            kind = asset.kind.value.lower() if asset.kind else "unreadable"
            return _failed(f"INVALID_MEDIA: the file is {kind}, not a video")
        fields: dict[str, Any] = {
            "status": SceneStatus.READY,
            "asset_id": asset.id,
            "error_message": None,
        }
        if job.is_duplicate:
            # The job found content the owner had already: not this scene's to
            # delete (the asset the scene made was dropped by the job).
            fields["owns_asset"] = False
        return fields
    if job.status.is_terminal:
        reason = f"{job.error_code or job.status.value}: {job.error_message or ''}"
        return _failed(reason.strip().rstrip(":"))
    return {"status": SceneStatus.PROCESSING, "error_message": None}


def _failed(reason: str) -> dict[str, Any]:
    return {"status": SceneStatus.FAILED, "error_message": reason[:2000]}


async def on_job_finished(runtime: Runtime, job: models.Job) -> None:
    """Move the scenes that follow `job` (usually one) to READY or FAILED, then
    their variants and generations. Safe to call more than once for a job.

    Registered as a job follower (`FOLLOWER`): `jobs.finish` calls it with the
    row as it is about to be written."""
    if job.kind not in FOLLOWED_KINDS:
        return
    rows = await models.Scene.filter(job_id=job.id).values(
        "id", "variant__generation_id"
    )
    for row in rows:
        await _settle(runtime, job, row["id"], row["variant__generation_id"])


async def _settle(
    runtime: Runtime, job: models.Job, scene_id: Any, generation_id: Any
) -> None:
    async with in_transaction():
        generation = await lock(generation_id)
        scene = await models.Scene.get_or_none(id=scene_id)
        # The scene may have moved on: deleted, attached to another job, or READY.
        if (
            generation is None
            or scene is None
            or scene.job_id != job.id  # type: ignore[attr-defined]
            or scene.status is SceneStatus.READY
        ):
            return
        fields = await scene_outcome(job)
        if all(getattr(scene, k) == v for k, v in fields.items()):
            return  # the same outcome again (a repeated finish)
        if fields["status"] is SceneStatus.READY:
            fields["completed_at"] = now()
        await models.Scene.filter(id=scene.id).update(**fields)
        # A FAILED scene's job only ends again when someone retried it (retryJob):
        # an explicit retry, which may reopen a FAILED generation.
        healed = scene.status is SceneStatus.FAILED
        generation = await recompute(generation, reopen=healed)
    logger.info(
        "generation %s: scene %s is %s after job %s",
        generation.id,
        scene.id,
        fields["status"].value,
        job.id,
    )
    await publish(
        runtime,
        GenerationState.from_model(
            generation,
            variant_id=scene.variant_id,  # type: ignore[attr-defined]
            scene_id=scene.id,
        ),
    )


FOLLOWER = JobFollower("generations", on_job_finished)
