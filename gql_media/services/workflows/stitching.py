"""Starting a stitch: check the inputs, then write a PENDING STITCHED asset and a
STITCH job in one transaction and enqueue the job after the commit."""

from dataclasses import dataclass
from uuid import UUID

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound, TooLarge
from gql_media.kit.clock import now
from gql_media.kit.ids import is_uuid
from gql_media.models import AssetKind, AssetStatus, JobKind, NodeRunStatus, SourceType
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import check_name, normalize_tags
from gql_media.services.jobs import lifecycle as jobs

MIN_INPUTS = 2
MAX_INPUTS = 100


@dataclass(frozen=True)
class StitchRequest:
    asset_ids: list[str]
    name: str | None = None
    tags: list[str] | None = None


async def check_inputs(
    runtime: Runtime, owner_id: str, asset_ids: list[str]
) -> list[models.Asset]:
    """The owner's READY, live, unarchived videos, in the given order.

    Raises:
        InvalidInput: fewer than 2 or more than 100 inputs.
        NotFound: an unknown id, another owner's, or a deleted asset.
        InvalidState: an archived, failed or unfinished asset, or not a video.
        TooLarge: the durations add up past `limits.max_stitch_seconds`.
    """
    if not MIN_INPUTS <= len(asset_ids) <= MAX_INPUTS:
        raise InvalidInput(
            f"stitching takes {MIN_INPUTS} to {MAX_INPUTS} videos, not "
            f"{len(asset_ids)}",
            "assetIds",
        )
    for asset_id in asset_ids:
        if not is_uuid(asset_id):
            raise NotFound(f"no asset with id {asset_id!r}")
    rows = await models.Asset.filter(
        id__in=list({UUID(str(i)) for i in asset_ids}),
        owner_id=owner_id,
        deleted_at=None,
    )
    by_id = {str(r.id): r for r in rows}
    ordered = []
    for asset_id in asset_ids:
        row = by_id.get(str(UUID(str(asset_id))))
        if row is None:
            raise NotFound(f"no asset with id {asset_id!r}")
        check_usable(row)
        ordered.append(row)
    total = sum(r.duration_seconds or 0.0 for r in ordered)
    limit = runtime.settings.limits.max_stitch_seconds
    if total > limit:
        raise TooLarge(
            f"the inputs last {total:.1f} s in all; at most {limit:g} s", limit
        )
    return ordered


def check_usable(row: models.Asset) -> None:
    """Raises InvalidState unless the asset is a READY, unarchived video."""
    if row.archived_at is not None:
        raise InvalidState(f"asset {row.id} is archived")
    if row.status is not AssetStatus.READY:
        raise InvalidState(f"asset {row.id} is {row.status.value}, not READY")
    if row.kind is not AssetKind.VIDEO:
        kind = row.kind.value.lower() if row.kind else "unknown"
        raise InvalidState(f"asset {row.id} is {kind}, not a video")


async def start(
    runtime: Runtime,
    owner_id: str,
    request: StitchRequest,
    node_run: models.NodeRun | None = None,
) -> tuple[models.Asset, models.Job]:
    """Queue the stitch of `request.asset_ids`, in order, into a new asset.

    With `node_run` (a PENDING VideoStitcher node of a running execution) the
    node moves to RUNNING with the job, in the same transaction.
    """
    inputs = await check_inputs(runtime, owner_id, request.asset_ids)
    name = check_name(request.name) if request.name else f"stitch of {len(inputs)}"
    tags = normalize_tags(request.tags or [])
    input_ids = [str(r.id) for r in inputs]
    async with in_transaction():
        asset = await models.Asset.create(
            owner_id=owner_id,
            name=name or "stitched",
            kind=AssetKind.VIDEO,
            source_type=SourceType.STITCHED,
            status=AssetStatus.PENDING,
            metadata={"stitchedFrom": input_ids},
            provider="gql-media",
            provider_model="stitch",
            generation_params={"inputs": input_ids},
        )
        await assets.set_tags(asset, tags)
        job = await jobs.create_job(
            owner_id,
            JobKind.STITCH,
            asset=asset,
            max_attempts=runtime.settings.job_max_attempts,
            payload={"inputs": input_ids},
        )
        if node_run is not None:
            moved = await models.NodeRun.filter(
                id=node_run.id, status=NodeRunStatus.PENDING
            ).update(status=NodeRunStatus.RUNNING, job_id=job.id, started_at=now())
            if not moved:
                raise InvalidState(f"node {node_run.node_id} is not PENDING")
    await jobs.enqueue(runtime, job.id)
    return asset, job
