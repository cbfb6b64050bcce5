"""Review root fields: versions of tasks, review decisions, annotations, the
review queue and stats, and live review activity per project."""

from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack

import strawberry

from gql_media.dataloaders import Loaders
from gql_media.errors import InvalidInput, Unavailable
from gql_media.models import ReviewAction
from gql_media.schema.assets.types import Asset, AssetConnection
from gql_media.schema.common.context import Info
from gql_media.schema.common.mutations import mutation
from gql_media.schema.jobs.types import Job
from gql_media.schema.reviews import results
from gql_media.schema.reviews.enums import ReviewStatus
from gql_media.schema.reviews.inputs import (
    AddAnnotationInput,
    CreateAssetVersionInput,
    PlaceAssetOnTaskInput,
)
from gql_media.schema.reviews.types import (
    Annotation,
    ReviewActivity,
    ReviewStats,
    ReviewTask,
)
from gql_media.services.assets.validation import AssetDetails, ReceivedFile
from gql_media.services.reviews import annotations, decisions, queries, versions
from gql_media.services.reviews.activity import Activity, review_channel
from gql_media.services.reviews.validation import check_project


@strawberry.type
class ReviewQuery:
    @strawberry.field(
        description="A task's versions and review history; null if "
        "the task has no live version."
    )
    async def task(self, info: Info, project: str, task: str) -> ReviewTask | None:
        owner = info.context.owner_id
        if not await queries.task_exists(owner, project, task):
            return None
        return ReviewTask(project=project, task=task, owner_id=owner)

    @strawberry.field(
        description="The project's versions in a review status (PENDING by "
        "default), oldest first; `first` <= 100."
    )
    async def review_queue(
        self,
        info: Info,
        project: str,
        status: ReviewStatus = ReviewStatus.PENDING,
        first: int | None = 20,
        after: str | None = None,
    ) -> AssetConnection:
        page = await queries.review_queue(
            info.context.owner_id, project, status, first, after
        )
        return AssetConnection.of(page, Asset.from_model)

    @strawberry.field(
        description="Counts of the owner's versions by project, review status and "
        "author (within one project when given)."
    )
    async def review_stats(self, info: Info, project: str | None = None) -> ReviewStats:
        stats = await queries.stats(info.context.owner_id, project)
        return ReviewStats.from_domain(stats)


@strawberry.type
class ReviewMutation:
    @mutation(
        description="The next version of a task, from an upload, a URL or an "
        "existing asset; numbers are given out atomically (v001, v002, ...)."
    )
    async def create_asset_version(
        self, info: Info, input: CreateAssetVersionInput
    ) -> results.CreateAssetVersionResult:
        ctx = info.context
        placement = input.to_domain(ctx.principal)
        if input.file is not None and not isinstance(input.file, ReceivedFile):
            raise InvalidInput("file must be a multipart upload", field="file")
        row, job = await versions.create_version(
            ctx.runtime,
            ctx.owner_id,
            placement,
            file=input.file,
            url=input.url,
            asset_id=str(input.asset_id) if input.asset_id is not None else None,
            details=AssetDetails(name=input.name).validate(),
        )
        return results.CreateAssetVersionSuccess(
            asset=Asset.from_model(row), job=Job.from_model(job) if job else None
        )

    @mutation(description="Make an existing asset the next version of a task.")
    async def place_asset_on_task(
        self, info: Info, asset_id: strawberry.ID, input: PlaceAssetOnTaskInput
    ) -> results.PlaceAssetOnTaskResult:
        ctx = info.context
        row = await versions.place_existing(
            ctx.owner_id, str(asset_id), input.to_domain(ctx.principal)
        )
        return results.PlaceAssetOnTaskSuccess(asset=Asset.from_model(row))

    @mutation(description="Submit a version for review: NOT_SUBMITTED -> PENDING.")
    async def submit_for_review(
        self, info: Info, asset_id: strawberry.ID, note: str | None = None
    ) -> results.ReviewDecisionResult:
        return await _decide(info, asset_id, ReviewAction.SUBMIT, note)

    @mutation(
        description="Approve a PENDING version; the task's APPROVED version, if "
        "any, becomes SUPERSEDED.",
        scope="review",
    )
    async def approve_version(
        self, info: Info, asset_id: strawberry.ID, note: str | None = None
    ) -> results.ReviewDecisionResult:
        return await _decide(info, asset_id, ReviewAction.APPROVE, note)

    @mutation(description="Send a PENDING version back for changes.", scope="review")
    async def request_changes(
        self, info: Info, asset_id: strawberry.ID, note: str | None = None
    ) -> results.ReviewDecisionResult:
        return await _decide(info, asset_id, ReviewAction.REQUEST_CHANGES, note)

    @mutation(description="Reject a PENDING version.", scope="review")
    async def reject_version(
        self, info: Info, asset_id: strawberry.ID, note: str | None = None
    ) -> results.ReviewDecisionResult:
        return await _decide(info, asset_id, ReviewAction.REJECT, note)

    @mutation(description="Annotate a version at a time and a place in the frame.")
    async def add_annotation(
        self, info: Info, asset_id: strawberry.ID, input: AddAnnotationInput
    ) -> results.AnnotationResult:
        ctx = info.context
        row = await annotations.add(
            ctx.runtime, ctx.owner_id, ctx.principal, str(asset_id), input.to_domain()
        )
        return results.AnnotationSuccess(annotation=Annotation.from_model(row))

    @mutation(description="Mark an annotation resolved.")
    async def resolve_annotation(
        self, info: Info, id: strawberry.ID
    ) -> results.AnnotationResult:
        ctx = info.context
        row = await annotations.resolve(
            ctx.runtime, ctx.owner_id, ctx.principal, str(id)
        )
        return results.AnnotationSuccess(annotation=Annotation.from_model(row))

    @mutation(description="Delete an annotation and its replies (its author only).")
    async def delete_annotation(
        self, info: Info, id: strawberry.ID
    ) -> results.DeleteAnnotationResult:
        ctx = info.context
        deleted = await annotations.delete(
            ctx.runtime, ctx.owner_id, ctx.principal, str(id)
        )
        return results.DeleteAnnotationSuccess(deleted_id=strawberry.ID(deleted))


async def _decide(
    info: Info, asset_id: strawberry.ID, action: ReviewAction, note: str | None
) -> results.ReviewDecisionSuccess:
    ctx = info.context
    row = await decisions.decide(
        ctx.runtime, ctx.owner_id, ctx.principal, str(asset_id), action, note
    )
    return results.ReviewDecisionSuccess(asset=Asset.from_model(row))


@strawberry.type
class ReviewSubscription:
    @strawberry.subscription(
        description="Submissions, decisions and annotations in a project as they "
        "happen, in order; runs until the client stops."
    )
    async def review_activity(
        self, info: Info, project: str
    ) -> AsyncGenerator[ReviewActivity, None]:
        # A stream of happenings rather than one row's state, so not services/
        # follow.py (which yields the latest state of a row); what was missed is
        # read from `task { history }`.
        ctx = info.context
        channel = review_channel(ctx.owner_id, check_project(project))
        async with AsyncExitStack() as stack:
            try:
                events = await stack.enter_async_context(
                    ctx.runtime.bus.subscribe(channel)
                )
            except (TimeoutError, ConnectionError) as exc:
                raise Unavailable(
                    "live review activity is down (the progress bus is "
                    "unreachable); read task { history } meanwhile"
                ) from exc
            async for event in events:
                # The connection's context outlives one event: drop cached rows.
                ctx.loaders = Loaders()
                yield ReviewActivity.from_domain(Activity.from_event(event))
