"""Annotations: notes on a version at a time and a place in the frame, replies,
resolving, and deleting (by the author only)."""

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState, NotFound
from gql_media.kit.clock import now
from gql_media.kit.ids import get_owned, is_uuid
from gql_media.models import AnnotationShape, AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.assets.library import get_asset
from gql_media.services.reviews import activity
from gql_media.services.reviews.activity import ActivityKind
from gql_media.services.reviews.validation import Geometry, check_text, check_time


@dataclass(frozen=True)
class NewAnnotation:
    """What a client draws. A reply may leave out time and place: it takes its
    parent's."""

    text: str
    at_seconds: float | None = None
    frame: int | None = None
    geometry: Geometry | None = None
    parent_id: str | None = None


async def add(
    runtime: Runtime, owner_id: str, principal: str, asset_id: str, new: NewAnnotation
) -> models.Annotation:
    """Annotate a READY asset (or reply to an annotation on it).

    Raises:
        NotFound: no such asset, or no such parent annotation on it.
        InvalidInput: time outside the media, a frame past its end, a position
            outside the frame, a path over 1,000 points, text over 4,000 chars.
        InvalidState: the asset is not READY (its duration is not known yet).
    """
    text = check_text(new.text, "text", required=True)
    geometry = new.geometry.validate() if new.geometry else None
    asset = await get_asset(owner_id, asset_id)
    parent = None
    if new.parent_id is not None:
        parent = await _owned(owner_id, new.parent_id)
        if parent.asset_id != asset.id:  # type: ignore[attr-defined]
            raise NotFound(f"no annotation with id {new.parent_id!r} on this asset")
        if parent.parent_id is not None:  # type: ignore[attr-defined]
            raise InvalidInput("reply to the first annotation of a thread", "parentId")
    if asset.status is not AssetStatus.READY:
        raise InvalidState("the asset is not READY: its duration is not known yet")
    at_seconds = new.at_seconds
    if at_seconds is None:
        if parent is None:
            raise InvalidInput("atSeconds is required", field="atSeconds")
        at_seconds = parent.at_seconds
    frame = check_time(at_seconds, new.frame, asset.duration_seconds, asset.fps)
    if geometry is None:
        if parent is None:
            raise InvalidInput("position is required", field="position")
        geometry = Geometry(
            parent.shape, parent.x, parent.y, parent.width, parent.height, parent.points
        )
    row = await models.Annotation.create(
        owner_id=owner_id,
        asset_id=asset.id,
        parent_id=parent.id if parent else None,
        author=principal,
        at_seconds=at_seconds,
        frame=frame,
        x=geometry.x,
        y=geometry.y,
        shape=geometry.shape,
        width=geometry.width,
        height=geometry.height,
        points=geometry.points if geometry.shape is AnnotationShape.PATH else None,
        text=text,
    )
    await activity.publish(
        runtime,
        owner_id,
        activity.Activity.of_annotation(
            ActivityKind.ANNOTATION_ADDED, asset, row, principal
        ),
    )
    return row


async def resolve(
    runtime: Runtime, owner_id: str, principal: str, annotation_id: str
) -> models.Annotation:
    row = await _owned(owner_id, annotation_id)
    if row.resolved_at is not None:
        raise InvalidState("the annotation is resolved already")
    done = await models.Annotation.filter(id=row.id, resolved_at__isnull=True).update(
        resolved_at=now(), resolved_by=principal
    )
    if done != 1:
        raise InvalidState("the annotation is resolved already")
    row = await models.Annotation.get(id=row.id)
    asset = await models.Asset.get(id=row.asset_id)  # type: ignore[attr-defined]
    await activity.publish(
        runtime,
        owner_id,
        activity.Activity.of_annotation(
            ActivityKind.ANNOTATION_RESOLVED, asset, row, principal
        ),
    )
    return row


async def delete(
    runtime: Runtime, owner_id: str, principal: str, annotation_id: str
) -> str:
    """Delete an annotation and its replies; only its author may."""
    row = await _owned(owner_id, annotation_id)
    if row.author != principal:
        raise InvalidState("only the annotation's author can delete it")
    asset = await models.Asset.get(id=row.asset_id)  # type: ignore[attr-defined]
    async with in_transaction():
        await models.Annotation.filter(parent_id=row.id).delete()
        await models.Annotation.filter(id=row.id).delete()
    await activity.publish(
        runtime,
        owner_id,
        activity.Activity.of_annotation(
            ActivityKind.ANNOTATION_DELETED, asset, row, principal
        ),
    )
    return str(row.id)


async def _owned(owner_id: str, annotation_id: str) -> models.Annotation:
    """The owner's annotation on a live asset, or NotFound."""
    if not is_uuid(annotation_id):
        raise NotFound(f"no annotation with id {annotation_id!r}")
    return await get_owned(
        models.Annotation,
        owner_id,
        annotation_id,
        "annotation",
        asset__deleted_at__isnull=True,
    )
