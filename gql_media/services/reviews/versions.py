"""Versions of a task: numbers taken atomically, linked to the previous version.

A version number comes from the task's counter row (`models.TaskCounter`): one
`UPDATE ... SET last_version = last_version + 1` inside the transaction that
places the asset. PostgreSQL holds the row lock until the commit and SQLite
holds its single writer lock, so racing callers queue and each reads back its
own number; a failed placement rolls its number back. The unique (owner,
project, task, version) index is the backstop.
"""

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState
from gql_media.models import ReviewStatus
from gql_media.runtime import Runtime
from gql_media.services.assets import imports, library
from gql_media.services.assets.validation import AssetDetails, ReceivedFile
from gql_media.services.reviews.validation import (
    check_project,
    check_task,
    check_text,
)

MAX_AUTHOR = 255


@dataclass(frozen=True)
class Placement:
    """Which task a version goes on, and what its author says about it."""

    project: str
    task: str
    author: str
    description: str = ""

    def validate(self) -> "Placement":
        check_project(self.project)
        check_task(self.task)
        if not self.author or len(self.author) > MAX_AUTHOR:
            raise InvalidInput(
                f"author must be 1-{MAX_AUTHOR} characters", field="author"
            )
        return Placement(
            self.project,
            self.task,
            self.author,
            check_text(self.description, "description"),
        )


def label(version: int) -> str:
    """v001, v002, ... (v1000 and up keep all their digits)."""
    return f"v{version:03d}"


async def ensure_counter(owner_id: str, project: str, task: str) -> None:
    """Create the task's counter row if it is missing (outside a transaction: a
    racing insert loses on the unique index, which is fine)."""
    keys = models.TaskCounter.filter(owner_id=owner_id, project=project, task=task)
    if not await keys.exists():
        try:
            await models.TaskCounter.create(
                owner_id=owner_id, project=project, task=task
            )
        except IntegrityError:
            pass  # another caller created it first


async def lock_task(owner_id: str, project: str, task: str) -> int:
    """Inside a transaction: take the next version number of the task; the row
    stays locked until the commit (also serializing decisions on the task)."""
    counter = models.TaskCounter.filter(owner_id=owner_id, project=project, task=task)
    await counter.update(last_version=F("last_version") + 1)
    row = await counter.get()
    return row.last_version


async def place(
    owner_id: str, asset: models.Asset, placement: Placement
) -> models.Asset:
    """Make `asset` the next version of the placement's task."""
    p = placement.validate()
    if asset.task is not None:
        raise InvalidState(
            f"the asset is already {label(asset.version or 0)} of {asset.project}/"
            f"{asset.task}"
        )
    await ensure_counter(owner_id, p.project, p.task)
    async with in_transaction():
        number = await lock_task(owner_id, p.project, p.task)
        previous = (
            await models.Asset.filter(
                owner_id=owner_id, project=p.project, task=p.task, deleted_at=None
            )
            .order_by("-version")
            .first()
        )
        await models.Asset.filter(
            id=asset.id, task__isnull=True, deleted_at=None
        ).update(
            project=p.project,
            task=p.task,
            version=number,
            author=p.author,
            description=p.description or None,
            review_status=ReviewStatus.NOT_SUBMITTED,
            previous_version_id=previous.id if previous else None,
        )
        # Re-read rather than trust the update's count: on SQLite, Tortoise counts
        # the changes the search index's triggers make too.
        row = await models.Asset.get(id=asset.id)
        if (row.project, row.task, row.version) != (p.project, p.task, number):
            # Placed elsewhere (or deleted) since we read it: give the number back.
            raise InvalidState("the asset was placed on a task or deleted meanwhile")
    return row


async def place_existing(
    owner_id: str, asset_id: str, placement: Placement
) -> models.Asset:
    placement.validate()  # bad input is refused before the lookup
    asset = await library.get_asset(owner_id, asset_id)
    return await place(owner_id, asset, placement)


async def create_version(
    runtime: Runtime,
    owner_id: str,
    placement: Placement,
    *,
    file: ReceivedFile | None = None,
    url: str | None = None,
    asset_id: str | None = None,
    details: AssetDetails | None = None,
) -> tuple[models.Asset, models.Job | None]:
    """The next version of a task from an upload, a URL, or an existing asset.

    Everything is checked before anything is written. An upload of bytes the
    owner already has becomes that asset (placed on the task when it is on none).

    Returns:
        (the placed asset, its processing or import job, or None)
    """
    placement = placement.validate()
    if sum(source is not None for source in (file, url, asset_id)) != 1:
        raise InvalidInput("give exactly one of file, url or assetId", field="input")
    details = details or AssetDetails()
    if asset_id is not None:
        return await place_existing(owner_id, asset_id, placement), None
    if url is not None:
        await imports.check_url(runtime, url)
        # The import's rows commit first; placing it is a second, short step.
        asset, job = await library.create_for_import(runtime, owner_id, url, details)
        return await place(owner_id, asset, placement), job
    assert file is not None
    existing = await library.find_duplicate(owner_id, file.sha256)
    if existing is not None and existing.task is not None:
        raise InvalidState(
            f"these bytes are already {label(existing.version or 0)} of "
            f"{existing.project}/{existing.task}"
        )
    row, upload_job, _ = await library.create_from_upload(
        runtime, owner_id, file, details
    )
    return await place(owner_id, row, placement), upload_job
