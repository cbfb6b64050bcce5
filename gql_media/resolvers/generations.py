"""Generation resolvers: parse input, call services, map rows to types."""

import logging
from collections.abc import AsyncGenerator
from decimal import Decimal
from typing import Any

from gql_media import models
from gql_media.bus.base import generation_channel
from gql_media.dataloaders import Loaders
from gql_media.errors import FetchFailed, InvalidInput
from gql_media.kit.pagination import Page
from gql_media.resolvers.common import is_uuid, result_of
from gql_media.schema.assets.types import PageInfo
from gql_media.schema.common.context import Info
from gql_media.schema.common.enums import GenerationOrder
from gql_media.schema.generations import results
from gql_media.schema.generations.events import (
    GenerationConnection,
    GenerationEdge,
    GenerationEvent,
    GenerationStats,
)
from gql_media.schema.generations.inputs import (
    AttachSceneVideoInput,
    CreateGenerationInput,
    GenerationFilter,
    UpdateSceneInput,
)
from gql_media.schema.generations.types import Generation, GenerationMetadata, Scene
from gql_media.schema.jobs.types import Job
from gql_media.services.assets.validation import ReceivedFile
from gql_media.services.generations import edits as generations
from gql_media.services.generations import queries as generation_queries
from gql_media.services.generations import scenes as scene_videos
from gql_media.services.generations.state import GenerationState

logger = logging.getLogger(__name__)


async def generation(info: Info, id: str) -> Generation | None:
    if not is_uuid(id):
        return None
    row = await info.context.loaders.generations_by_id.load(id)
    if row is None or row.owner_id != info.context.owner_id:
        return None
    return Generation.from_model(row)


def _connection(page: Page[models.Generation]) -> GenerationConnection:
    return GenerationConnection(
        edges=[
            GenerationEdge(cursor=c, node=Generation.from_model(r))
            for r, c in zip(page.rows, page.cursors, strict=True)
        ],
        page_info=PageInfo.from_page(page),
        total_count=page.total_count,
    )


async def generation_list(
    info: Info,
    first: int | None,
    after: str | None,
    filter: GenerationFilter | None,
    order_by: GenerationOrder,
) -> GenerationConnection:
    f = filter or GenerationFilter()
    search = generation_queries.GenerationSearch(
        status=f.status,
        variant_type=f.variant_type,
        created_after=f.created_after,
        created_before=f.created_before,
        text=f.text,
    )
    page = await generation_queries.search_generations(
        info.context.owner_id, search, order_by.value, first, after
    )
    return _connection(page)


async def library(info: Info, first: int | None, after: str | None) -> Any:
    page = await generation_queries.library(info.context.owner_id, first, after)
    return _connection(page)


async def stats(info: Info) -> GenerationStats:
    return GenerationStats.from_domain(
        await generation_queries.stats(info.context.owner_id)
    )


async def create_generation(
    info: Info, input: CreateGenerationInput
) -> results.CreateGenerationResult:
    async def run() -> results.CreateGenerationSuccess:
        row = await generations.create(info.context.owner_id, input.to_domain())
        return results.CreateGenerationSuccess(generation=Generation.from_model(row))

    return await result_of(results.CreateGenerationResult, run)


async def attach_scene_video(
    info: Info,
    scene_id: str,
    input: AttachSceneVideoInput | None,
    file: ReceivedFile | None,
) -> results.AttachSceneVideoResult:
    async def run() -> results.AttachSceneVideoSuccess:
        ctx = info.context
        given = input or AttachSceneVideoInput()
        sources = [s for s in (given.url, given.asset_id, file) if s is not None]
        if len(sources) != 1:
            raise InvalidInput("give exactly one of url, assetId and file", "input")
        if file is not None:
            if not isinstance(file, ReceivedFile):
                raise InvalidInput("file must be a multipart upload", field="file")
            done = await scene_videos.attach_upload(
                ctx.runtime, ctx.owner_id, scene_id, file
            )
        elif given.asset_id is not None:
            done = await scene_videos.attach_asset(
                ctx.runtime, ctx.owner_id, scene_id, given.asset_id
            )
        else:
            try:
                done = await scene_videos.attach_url(
                    ctx.runtime, ctx.owner_id, scene_id, given.url or ""
                )
            except FetchFailed as exc:
                raise InvalidInput(exc.message, field="url") from exc
        return results.AttachSceneVideoSuccess(
            scene=Scene.from_model(done.scene),
            job=Job.from_model(done.job) if done.job else None,
            is_duplicate=done.is_duplicate,
        )

    return await result_of(results.AttachSceneVideoResult, run)


async def retry_scene(info: Info, id: str) -> results.RetrySceneResult:
    async def run() -> results.RetrySceneSuccess:
        done = await scene_videos.retry(info.context.runtime, info.context.owner_id, id)
        assert done.job is not None  # a retry always has its job
        return results.RetrySceneSuccess(
            scene=Scene.from_model(done.scene), job=Job.from_model(done.job)
        )

    return await result_of(results.RetrySceneResult, run)


async def update_scene(
    info: Info, id: str, input: UpdateSceneInput
) -> results.UpdateSceneResult:
    async def run() -> results.UpdateSceneSuccess:
        row = await generations.update_scene(
            info.context.runtime,
            info.context.owner_id,
            id,
            prompt=input.prompt,
            provider_video_id=input.provider_video_id,
            provider_status=input.provider_status,
        )
        return results.UpdateSceneSuccess(scene=Scene.from_model(row))

    return await result_of(results.UpdateSceneResult, run)


async def save_generation_metadata(
    info: Info, generation_id: str, kind: str, data: Any
) -> results.SaveGenerationMetadataResult:
    async def run() -> results.SaveGenerationMetadataSuccess:
        ctx = info.context
        await generations.save_metadata(
            ctx.runtime, ctx.owner_id, generation_id, kind, data
        )
        row = await generations.get_generation(ctx.owner_id, generation_id)
        rows = await models.GenerationMetadata.filter(generation_id=row.id)
        return results.SaveGenerationMetadataSuccess(
            generation=Generation.from_model(row),
            metadata=GenerationMetadata.from_rows(rows),
        )

    return await result_of(results.SaveGenerationMetadataResult, run)


async def set_generation_cost(
    info: Info, id: str, actual_cost: Decimal
) -> results.SetGenerationCostResult:
    async def run() -> results.SetGenerationCostSuccess:
        row = await generations.set_cost(
            info.context.runtime, info.context.owner_id, id, actual_cost
        )
        return results.SetGenerationCostSuccess(generation=Generation.from_model(row))

    return await result_of(results.SetGenerationCostResult, run)


async def mark_generation_failed(
    info: Info, id: str, error: str
) -> results.MarkGenerationFailedResult:
    async def run() -> results.MarkGenerationFailedSuccess:
        row = await generations.mark_failed(
            info.context.runtime, info.context.owner_id, id, error
        )
        return results.MarkGenerationFailedSuccess(
            generation=Generation.from_model(row)
        )

    return await result_of(results.MarkGenerationFailedResult, run)


async def delete_generation(info: Info, id: str) -> results.DeleteGenerationResult:
    async def run() -> results.DeleteGenerationSuccess:
        deleted = await generations.delete(
            info.context.runtime, info.context.owner_id, id
        )
        return results.DeleteGenerationSuccess(deleted_id=deleted)

    return await result_of(results.DeleteGenerationResult, run)


async def export_generation(info: Info, id: str) -> results.ExportGenerationResult:
    async def run() -> results.ExportGenerationSuccess:
        job = await generations.start_export(
            info.context.runtime, info.context.owner_id, id
        )
        return results.ExportGenerationSuccess(job=Job.from_model(job))

    return await result_of(results.ExportGenerationResult, run)


async def generation_progress(
    info: Info, generation_id: str
) -> AsyncGenerator[GenerationEvent, None]:
    """The generation's current state from the database, then each change from
    the bus, ending once it is COMPLETED, FAILED or deleted. Subscribing before
    reading the row means no change can fall between the two; `revision` drops
    events already seen."""
    ctx = info.context
    row = await generations.get_generation(ctx.owner_id, generation_id)  # NotFound
    async with ctx.runtime.bus.subscribe(generation_channel(row.id)) as events:
        current = await models.Generation.get_or_none(id=row.id)
        if current is None:
            return  # deleted in between
        state = GenerationState.from_model(current)
        yield GenerationEvent.from_state(state)
        if state.is_finished:
            return
        async for event in events:
            new = GenerationState.from_event(event)
            if new.revision <= state.revision and not new.deleted:
                continue
            state = new
            # The connection's context outlives one event: drop cached rows so
            # nested fields show this event's state.
            ctx.loaders = Loaders()
            yield GenerationEvent.from_state(state)
            if state.is_finished:
                return
