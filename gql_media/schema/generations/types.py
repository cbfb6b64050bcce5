"""The generation tree: Generation -> Variant -> Scene -> video (an Asset).

Every nested field goes through the request's DataLoaders, so reading the whole
tree of a page of generations costs a fixed number of SQL statements. Below
`Generation.variants` the tree is read in one piece shaped by the selection
(tree.py); the `*_READS` tables say which columns each field uses.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gql_media import models
from gql_media.schema.assets.types import Asset
from gql_media.schema.common.context import Info
from gql_media.schema.common.links import signed_link
from gql_media.schema.common.pagination import Connection
from gql_media.schema.common.reads import Reads, as_id, as_optional_id, deferred
from gql_media.schema.generations.enums import (
    GenerationSourceType,
    GenerationStatus,
    SceneStatus,
)
from gql_media.schema.jobs.types import Job

# A prefetch slot's value when nothing was prefetched.
NOT_READ: Any = object()


@strawberry.type(description="Scenes done out of all scenes.")
class GenerationProgress:
    scenes_completed: int = strawberry.field(description="Scenes that are READY.")
    total_scenes: int
    fraction: float = strawberry.field(description="0..1, never decreasing.")

    @classmethod
    def of(cls, completed: int, total: int) -> "GenerationProgress":
        return cls(
            scenes_completed=completed,
            total_scenes=total,
            fraction=completed / total if total else 0.0,
        )


@strawberry.type(description="JSON documents about a generation, one per kind.")
class GenerationMetadata:
    analysis: JSON | None
    transformation: JSON | None
    prompts: JSON | None
    evaluation: JSON | None
    updated_at: datetime | None = strawberry.field(
        description="When a document last changed; null when there is none."
    )

    @classmethod
    def from_rows(cls, rows: list[models.GenerationMetadata]) -> "GenerationMetadata":
        docs = {models.MetadataKind(r.kind): cast(JSON, r.data) for r in rows}
        return cls(
            analysis=docs.get(models.MetadataKind.ANALYSIS),
            transformation=cast(
                JSON | None, docs.get(models.MetadataKind.TRANSFORMATION)
            ),
            prompts=docs.get(models.MetadataKind.PROMPTS),
            evaluation=docs.get(models.MetadataKind.EVALUATION),
            updated_at=max((r.updated_at for r in rows), default=None),
        )


@strawberry.type(description="One scene of a variant: a generated video.")
class Scene:
    id: strawberry.ID
    number: int = strawberry.field(description="1..scenesPerVariant.")
    prompt: str | None
    provider_video_id: str | None = strawberry.field(
        description="The provider's id of the generated video."
    )
    provider_status: str | None = strawberry.field(
        description="The provider's status of the video, as reported."
    )
    status: SceneStatus
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    asset_id: strawberry.Private[str | None]
    job_id: strawberry.Private[str | None]
    # The video as a tree read found it (schema/generations/tree.py); NOT_READ
    # when the scene was built without it.
    loaded_video: strawberry.Private[Any] = NOT_READ

    @classmethod
    def from_model(cls, row: models.Scene) -> "Scene":
        asset_id = row.asset_id  # type: ignore[attr-defined]
        job_id = row.job_id  # type: ignore[attr-defined]
        return cls(
            id=strawberry.ID(str(row.id)),
            number=row.number,
            prompt=row.prompt,
            provider_video_id=row.provider_video_id,
            provider_status=row.provider_status,
            status=row.status,
            error_message=row.error_message,
            created_at=row.created_at,
            updated_at=row.updated_at,
            completed_at=row.completed_at,
            asset_id=str(asset_id) if asset_id else None,
            job_id=str(job_id) if job_id else None,
        )

    @strawberry.field(
        description="The scene's video (duration, size, links and thumbnail are "
        "the asset's); null until one is attached."
    )
    def video(self, info: Info) -> Asset | None:
        # Plain, not async: in a tree read the video is at hand, and 800 scenes
        # would otherwise pay for 800 coroutines.
        if self.asset_id is None:
            return None
        video = self.loaded_video
        if video is NOT_READ:
            return deferred(self._video(info))
        if isinstance(video, BaseException):
            raise video
        return cast(Asset | None, video)

    async def _video(self, info: Info) -> Asset | None:
        assert self.asset_id is not None
        row = await info.context.loaders.assets_by_id.load(self.asset_id)
        return Asset.from_model(row) if row else None

    @strawberry.field(description="The job that brings (or brought) the video.")
    async def job(self, info: Info) -> Job | None:
        if self.job_id is None:
            return None
        row = await info.context.loaders.jobs_by_id.load(self.job_id)
        return Job.from_model(row) if row else None


@strawberry.type(description="One variant style of a generation and its scenes.")
class Variant:
    id: strawberry.ID
    variant_type: str = strawberry.field(
        description="soft, medium, aggressive, ultra, or a custom name."
    )
    position: int = strawberry.field(description="Order within the generation.")
    status: GenerationStatus
    scenes_completed: int
    total_scenes: int
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    # The scenes as a tree read found them (schema/generations/tree.py); None
    # when the variant was built without them.
    loaded_scenes: strawberry.Private[Any] = None

    @classmethod
    def from_model(cls, row: models.Variant) -> "Variant":
        return cls(
            id=strawberry.ID(str(row.id)),
            variant_type=row.variant_type,
            position=row.position,
            status=row.status,
            scenes_completed=row.scenes_completed,
            total_scenes=row.total_scenes,
            error_message=row.error_message,
            created_at=row.created_at,
            updated_at=row.updated_at,
            completed_at=row.completed_at,
        )

    @strawberry.field(description="The scenes, by number.")
    def scenes(self, info: Info) -> list[Scene]:
        scenes = self.loaded_scenes
        if scenes is None:
            return deferred(self._scenes(info))
        if isinstance(scenes, BaseException):
            raise scenes
        return cast(list[Scene], scenes)

    async def _scenes(self, info: Info) -> list[Scene]:
        rows = await info.context.loaders.scenes_by_variant_id.load(str(self.id))
        return [Scene.from_model(r) for r in rows]

    @strawberry.field
    def progress(self) -> GenerationProgress:
        return GenerationProgress.of(self.scenes_completed, self.total_scenes)


@strawberry.type(description="One AI generation run: a source, variants, scenes.")
class Generation:
    id: strawberry.ID
    name: str
    source_url: str = strawberry.field(
        description="The source video: a URL, an upload's name or a file path."
    )
    source_type: GenerationSourceType
    status: GenerationStatus
    variant_types: list[str]
    scenes_per_variant: int
    cost_estimate: Decimal | None
    actual_cost: Decimal | None
    error_message: str | None
    revision: int = strawberry.field(
        description="Grows by one with every change in the tree."
    )
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    scenes_completed: strawberry.Private[int]
    total_scenes: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: models.Generation) -> "Generation":
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            source_url=row.source_url,
            source_type=row.source_type,
            status=row.status,
            variant_types=list(row.variant_types),
            scenes_per_variant=row.scenes_per_variant,
            cost_estimate=row.cost_estimate,
            actual_cost=row.actual_cost,
            error_message=row.error_message,
            revision=row.revision,
            created_at=row.created_at,
            updated_at=row.updated_at,
            completed_at=row.completed_at,
            scenes_completed=row.scenes_completed,
            total_scenes=row.total_scenes,
        )

    @strawberry.field
    def progress(self) -> GenerationProgress:
        return GenerationProgress.of(self.scenes_completed, self.total_scenes)

    @strawberry.field(description="The variants, in the order they were given.")
    async def variants(self, info: Info) -> list[Variant]:
        # The tree below, read in one go and shaped by the selection.
        from gql_media.schema.generations.tree import read_variants

        return await read_variants(info, str(self.id))

    @strawberry.field(description="The analysis, transformation, prompts and "
                      "evaluation documents.")  # fmt: skip
    async def metadata(self, info: Info) -> GenerationMetadata:
        loader = info.context.loaders.metadata_by_generation_id
        return GenerationMetadata.from_rows(await loader.load(str(self.id)))

    @strawberry.field(
        description="The video of the first READY scene (first variant first)."
    )
    async def cover(self, info: Info) -> Asset | None:
        row = await self._cover(info)
        return Asset.from_model(row) if row else None

    @strawberry.field(description="A time-limited link to the cover's thumbnail.")
    async def cover_thumbnail_url(self, info: Info) -> str | None:
        row = await self._cover(info)
        return await signed_link(info, row.thumbnail_key if row else None)

    async def _cover(self, info: Info) -> models.Asset | None:
        loaders = info.context.loaders
        asset_id = await loaders.cover_asset_id_by_generation_id.load(str(self.id))
        return await loaders.assets_by_id.load(asset_id) if asset_id else None


# The columns behind each attribute, for selection-shaped tree reads.
_TIMES = ("created_at", "updated_at", "completed_at")
SCENE_READS = Reads(
    Scene,
    attributes={
        "id": ("id", as_id),
        **{name: name for name in ("number", "prompt", "provider_video_id")},
        **{name: name for name in ("provider_status", "status", "error_message")},
        **{name: name for name in _TIMES},
        "asset_id": ("asset_id", as_optional_id),
        "job_id": ("job_id", as_optional_id),
    },
    uses={"video": ("asset_id",), "job": ("job_id",)},
)
VARIANT_READS = Reads(
    Variant,
    attributes={
        "id": ("id", as_id),
        **{name: name for name in ("variant_type", "position", "status")},
        **{name: name for name in ("scenes_completed", "total_scenes")},
        **{name: name for name in ("error_message", *_TIMES)},
    },
    uses={"scenes": ("id",), "progress": ("scenes_completed", "total_scenes")},
)


@strawberry.type(description="A page of generations (Relay-style connection).")
class GenerationConnection(Connection[Generation]):
    pass
