"""Submissions and review decisions: each a step of the state machine and a
ReviewEvent, taken under the task's lock so at most one version is APPROVED."""

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.kit.clock import now
from gql_media.models import ReviewAction, ReviewStatus
from gql_media.runtime import Runtime
from gql_media.services.assets.library import get_asset
from gql_media.services.reviews import activity
from gql_media.services.reviews.state import next_status
from gql_media.services.reviews.validation import check_text
from gql_media.services.reviews.versions import label


async def decide(
    runtime: Runtime,
    owner_id: str,
    principal: str,
    asset_id: str,
    action: ReviewAction,
    note: str | None = None,
) -> models.Asset:
    """Submit a version for review, or approve it, request changes, reject it.

    Approving supersedes the task's APPROVED version (its own SUPERSEDE event).
    The principal is recorded on each event, and as the approver.

    Raises:
        NotFound: no such live asset of the owner.
        InvalidInput: a note over 4,000 characters.
        InvalidState: the asset is on no task, or its status does not allow it.
    """
    text = check_text(note, "note")
    asset = await get_asset(owner_id, asset_id)
    if asset.task is None or asset.project is None:
        raise InvalidState("the asset is on no task; place it on one first")
    project, task = asset.project, asset.task
    async with in_transaction():
        # The counter row is the task's lock: decisions on one task queue here.
        await models.TaskCounter.filter(
            owner_id=owner_id, project=project, task=task
        ).update(last_version=F("last_version"))
        current = await models.Asset.get(id=asset.id)
        status = current.review_status or ReviewStatus.NOT_SUBMITTED
        new = next_status(status, action)
        changes: dict[str, object] = {"review_status": new}
        if action is ReviewAction.APPROVE:
            changes.update(approved_by=principal, approved_at=now())
        moved = await models.Asset.filter(
            id=asset.id, review_status=current.review_status
        ).update(**changes)
        if moved != 1:
            raise InvalidState("the version changed meanwhile; try again")
        events = [await _event(current, action, status, new, principal, text)]
        if action is ReviewAction.APPROVE:
            events += await _supersede(current, principal)
    await activity.publish(
        runtime, owner_id, *(activity.Activity.of_event(e) for e in events)
    )
    return await models.Asset.get(id=asset.id)


async def _supersede(
    approved: models.Asset, principal: str
) -> list[models.ReviewEvent]:
    """Move the task's other APPROVED version to SUPERSEDED, visibly."""
    events = []
    for old in await models.Asset.filter(
        owner_id=approved.owner_id,
        project=approved.project,
        task=approved.task,
        review_status=ReviewStatus.APPROVED,
    ).exclude(id=approved.id):
        new = next_status(ReviewStatus.APPROVED, ReviewAction.SUPERSEDE)
        await models.Asset.filter(id=old.id).update(review_status=new)
        note = f"superseded by {label(approved.version or 0)}"
        events.append(
            await _event(
                old, ReviewAction.SUPERSEDE, ReviewStatus.APPROVED, new, principal, note
            )
        )
    return events


async def _event(
    asset: models.Asset,
    action: ReviewAction,
    from_status: ReviewStatus,
    to_status: ReviewStatus,
    principal: str,
    note: str,
) -> models.ReviewEvent:
    return await models.ReviewEvent.create(
        owner_id=asset.owner_id,
        asset_id=asset.id,
        project=asset.project,
        task=asset.task,
        version=asset.version,
        action=action,
        from_status=from_status,
        to_status=to_status,
        principal=principal,
        note=note,
    )
