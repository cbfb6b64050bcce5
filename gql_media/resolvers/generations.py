"""Generation root fields: the tree, the library, edits, export, live progress."""

import logging
from collections.abc import AsyncGenerator
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from gql_media import models
from gql_media.errors import InvalidInput
from gql_media.kit.ids import is_uuid
from gql_media.schema.common.context import Info
from gql_media.schema.common.live import deliver
from gql_media.schema.common.mutations import mutation
from gql_media.schema.generations import results
from gql_media.schema.generations.enums import GenerationOrder, MetadataKind
from gql_media.schema.generations.events import GenerationEvent
from gql_media.schema.generations.inputs import (
    AttachSceneVideoInput,
    CreateGenerationInput,
    GenerationFilter,
    UpdateSceneInput,
)
from gql_media.schema.generations.stats import GenerationStats
from gql_media.schema.generations.types import (
    Generation,
    GenerationConnection,
    GenerationMetadata,
    Scene,
)
from gql_media.schema.jobs.types import Job
from gql_media.services.assets.validation import ReceivedFile
from gql_media.services.generations import edits, queries, scenes
from gql_media.services.generations.progress import follow_generation
from gql_media.services.generations.state import GenerationState

logger = logging.getLogger(__name__)


@strawberry.type
class GenerationQuery:
    @strawberry.field(description="One generation by id; null if unknown.")
    async def generation(self, info: Info, id: strawberry.ID) -> Generation | None:
        if not is_uuid(id):
            return None
        row = await info.context.loaders.generations_by_id.load(id)
        if row is None or row.owner_id != info.context.owner_id:
            return None
        return Generation.from_model(row)

    @strawberry.field(
        description="The owner's generations, newest first by default; `first` <= 100."
    )
    async def generations(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: GenerationFilter | None = None,
        order_by: GenerationOrder = GenerationOrder.CREATED_AT_DESC,
    ) -> GenerationConnection:
        f = filter or GenerationFilter()
        search = queries.GenerationSearch(
            status=f.status,
            variant_type=f.variant_type,
            created_after=f.created_after,
            created_before=f.created_before,
            text=f.text,
        )
        page = await queries.search_generations(
            info.context.owner_id, search, order_by.value, first, after
        )
        return GenerationConnection.of(page, Generation.from_model)

    @strawberry.field(
        description="COMPLETED generations, most recently completed first; each "
        "has a `cover` and `coverThumbnailUrl`."
    )
    async def library(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> GenerationConnection:
        page = await queries.library(info.context.owner_id, first, after)
        return GenerationConnection.of(page, Generation.from_model)

    @strawberry.field(description="Counts, costs and stored bytes of generations.")
    async def generation_stats(self, info: Info) -> GenerationStats:
        return GenerationStats.from_domain(await queries.stats(info.context.owner_id))


@strawberry.type
class GenerationMutation:
    @mutation(description="Create a generation with its variants and PENDING scenes.")
    async def create_generation(
        self, info: Info, input: CreateGenerationInput
    ) -> results.CreateGenerationResult:
        row = await edits.create(info.context.owner_id, input.to_domain())
        return results.CreateGenerationSuccess(generation=Generation.from_model(row))

    @mutation(
        description="Give a PENDING or FAILED scene its video: from a URL (a job), "
        "one of your assets, or an upload (multipart, with the "
        "GraphQL-Require-Preflight header). The scene follows the job."
    )
    async def attach_scene_video(
        self,
        info: Info,
        scene_id: strawberry.ID,
        input: AttachSceneVideoInput | None = None,
        file: Upload | None = None,
    ) -> results.AttachSceneVideoResult:
        ctx = info.context
        given = input or AttachSceneVideoInput()
        sources = [s for s in (given.url, given.asset_id, file) if s is not None]
        if len(sources) != 1:
            raise InvalidInput("give exactly one of url, assetId and file", "input")
        if file is not None:
            if not isinstance(file, ReceivedFile):
                raise InvalidInput("file must be a multipart upload", field="file")
            done = await scenes.attach_upload(ctx.runtime, ctx.owner_id, scene_id, file)
        elif given.asset_id is not None:
            done = await scenes.attach_asset(
                ctx.runtime, ctx.owner_id, scene_id, given.asset_id
            )
        else:
            done = await scenes.attach_url(
                ctx.runtime, ctx.owner_id, scene_id, given.url or ""
            )
        return results.AttachSceneVideoSuccess(
            scene=Scene.from_model(done.scene),
            job=Job.from_model(done.job) if done.job else None,
            is_duplicate=done.is_duplicate,
        )

    @mutation(
        description="Run the failed job of a FAILED scene again; reopens a FAILED "
        "generation."
    )
    async def retry_scene(
        self, info: Info, id: strawberry.ID
    ) -> results.RetrySceneResult:
        scene, job = await scenes.retry(info.context.runtime, info.context.owner_id, id)
        return results.RetrySceneSuccess(
            scene=Scene.from_model(scene), job=Job.from_model(job)
        )

    @mutation(description="Change a scene's prompt or provider details.")
    async def update_scene(
        self, info: Info, id: strawberry.ID, input: UpdateSceneInput
    ) -> results.UpdateSceneResult:
        row = await edits.update_scene(
            info.context.runtime,
            info.context.owner_id,
            id,
            prompt=input.prompt,
            provider_video_id=input.provider_video_id,
            provider_status=input.provider_status,
        )
        return results.UpdateSceneSuccess(scene=Scene.from_model(row))

    @mutation(
        description="Store a JSON document of a kind (ANALYSIS, TRANSFORMATION, "
        "PROMPTS or EVALUATION), replacing the previous one."
    )
    async def save_generation_metadata(
        self, info: Info, generation_id: strawberry.ID, kind: MetadataKind, data: JSON
    ) -> results.SaveGenerationMetadataResult:
        ctx = info.context
        await edits.save_metadata(ctx.runtime, ctx.owner_id, generation_id, kind, data)
        row = await edits.get_generation(ctx.owner_id, generation_id)
        rows = await models.GenerationMetadata.filter(generation_id=row.id)
        return results.SaveGenerationMetadataSuccess(
            generation=Generation.from_model(row),
            metadata=GenerationMetadata.from_rows(rows),
        )

    @mutation(description="Record what the generation actually cost.")
    async def set_generation_cost(
        self, info: Info, id: strawberry.ID, actual_cost: Decimal
    ) -> results.SetGenerationCostResult:
        row = await edits.set_cost(
            info.context.runtime, info.context.owner_id, id, actual_cost
        )
        return results.SetGenerationCostSuccess(generation=Generation.from_model(row))

    @mutation(description="Fail a generation that is not COMPLETED.")
    async def mark_generation_failed(
        self, info: Info, id: strawberry.ID, error: str
    ) -> results.MarkGenerationFailedResult:
        row = await edits.mark_failed(
            info.context.runtime, info.context.owner_id, id, error
        )
        return results.MarkGenerationFailedSuccess(
            generation=Generation.from_model(row)
        )

    @mutation(
        description="Delete a generation, its variants, scenes and metadata; "
        "cancel its jobs; delete the videos only it made."
    )
    async def delete_generation(
        self, info: Info, id: strawberry.ID
    ) -> results.DeleteGenerationResult:
        deleted = await edits.delete(info.context.runtime, info.context.owner_id, id)
        return results.DeleteGenerationSuccess(deleted_id=strawberry.ID(deleted))

    @mutation(
        description="Zip the READY scene videos and thumbnails as a job; the job's "
        "`downloadUrl` is the archive once SUCCEEDED."
    )
    async def export_generation(
        self, info: Info, id: strawberry.ID
    ) -> results.ExportGenerationResult:
        job = await edits.start_export(info.context.runtime, info.context.owner_id, id)
        return results.ExportGenerationSuccess(job=Job.from_model(job))


@strawberry.type
class GenerationSubscription:
    @strawberry.subscription(
        description="The generation's state now, then an event per change of it, a "
        "variant or a scene; completes once COMPLETED, FAILED or deleted. A "
        "subscriber that falls behind gets the latest state, not a backlog."
    )
    async def generation_progress(
        self,
        info: Info,
        id: strawberry.ID,
        after_revision: Annotated[
            int | None,
            strawberry.argument(
                description="The last `revision` the client has (resuming): only "
                "newer states are sent, the current one at once if newer."
            ),
        ] = None,
    ) -> AsyncGenerator[GenerationEvent, None]:
        """The generation's current state from the database at once, then each
        change from the bus, ending once it is COMPLETED, FAILED or deleted (see
        `services/follow.py`: a bus outage past the grace period ends it with
        UNAVAILABLE)."""
        ctx = info.context
        row = await edits.get_generation(ctx.owner_id, id)  # NotFound
        first = GenerationState.from_model(row)
        states = follow_generation(ctx.runtime, row.id, first, after_revision)
        # Fresh loaders per event, or no execution per event (live.deliver).
        async for event in deliver(info, states, GenerationEvent.from_state):
            yield event
