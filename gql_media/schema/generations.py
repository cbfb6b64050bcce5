"""Generation operations: the tree, the library, edits, export, live progress."""

from collections.abc import AsyncGenerator
from decimal import Decimal

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from gql_media.resolvers import generations as resolve
from gql_media.schema.common.context import Info
from gql_media.schema.common.enums import GenerationOrder
from gql_media.schema.generations import results
from gql_media.schema.generations.events import (
    GenerationConnection,
    GenerationEvent,
    GenerationStats,
)
from gql_media.schema.generations.inputs import (
    AttachSceneVideoInput,
    CreateGenerationInput,
    GenerationFilter,
    UpdateSceneInput,
)
from gql_media.schema.generations.types import Generation


@strawberry.type
class GenerationQuery:
    @strawberry.field(description="One generation by id; null if unknown.")
    async def generation(self, info: Info, id: strawberry.ID) -> Generation | None:
        return await resolve.generation(info, id)

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
        return await resolve.generation_list(info, first, after, filter, order_by)

    @strawberry.field(
        description="COMPLETED generations, most recently completed first; each "
        "has a `cover` and `coverThumbnailUrl`."
    )
    async def library(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> GenerationConnection:
        return await resolve.library(info, first, after)

    @strawberry.field(description="Counts, costs and stored bytes of generations.")
    async def generation_stats(self, info: Info) -> GenerationStats:
        return await resolve.stats(info)


@strawberry.type
class GenerationMutation:
    @strawberry.mutation(
        description="Create a generation with its variants and PENDING scenes."
    )
    async def create_generation(
        self, info: Info, input: CreateGenerationInput
    ) -> results.CreateGenerationResult:
        return await resolve.create_generation(info, input)

    @strawberry.mutation(
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
        return await resolve.attach_scene_video(info, scene_id, input, file)

    @strawberry.mutation(
        description="Run the failed job of a FAILED scene again; reopens a FAILED "
        "generation."
    )
    async def retry_scene(
        self, info: Info, id: strawberry.ID
    ) -> results.RetrySceneResult:
        return await resolve.retry_scene(info, id)

    @strawberry.mutation(description="Change a scene's prompt or provider details.")
    async def update_scene(
        self, info: Info, id: strawberry.ID, input: UpdateSceneInput
    ) -> results.UpdateSceneResult:
        return await resolve.update_scene(info, id, input)

    @strawberry.mutation(
        description="Store a JSON document of a kind (ANALYSIS, TRANSFORMATION, "
        "PROMPTS or EVALUATION), replacing the previous one."
    )
    async def save_generation_metadata(
        self, info: Info, generation_id: strawberry.ID, kind: str, data: JSON
    ) -> results.SaveGenerationMetadataResult:
        return await resolve.save_generation_metadata(info, generation_id, kind, data)

    @strawberry.mutation(description="Record what the generation actually cost.")
    async def set_generation_cost(
        self, info: Info, id: strawberry.ID, actual_cost: Decimal
    ) -> results.SetGenerationCostResult:
        return await resolve.set_generation_cost(info, id, actual_cost)

    @strawberry.mutation(description="Fail a generation that is not COMPLETED.")
    async def mark_generation_failed(
        self, info: Info, id: strawberry.ID, error: str
    ) -> results.MarkGenerationFailedResult:
        return await resolve.mark_generation_failed(info, id, error)

    @strawberry.mutation(
        description="Delete a generation, its variants, scenes and metadata; "
        "cancel its jobs; delete the videos only it made."
    )
    async def delete_generation(
        self, info: Info, id: strawberry.ID
    ) -> results.DeleteGenerationResult:
        return await resolve.delete_generation(info, id)

    @strawberry.mutation(
        description="Zip the READY scene videos and thumbnails as a job; the job's "
        "`downloadUrl` is the archive once SUCCEEDED."
    )
    async def export_generation(
        self, info: Info, id: strawberry.ID
    ) -> results.ExportGenerationResult:
        return await resolve.export_generation(info, id)


@strawberry.type
class GenerationSubscription:
    @strawberry.subscription(
        description="The generation's state now, then an event per change of it, a "
        "variant or a scene; completes once COMPLETED, FAILED or deleted."
    )
    async def generation_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[GenerationEvent, None]:
        async for event in resolve.generation_progress(info, id):
            yield event
