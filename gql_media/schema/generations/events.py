"""Views over generations: pages, statistics, and the events of one generation."""

from decimal import Decimal

import strawberry

from gql_media.schema.assets.stats import Count
from gql_media.schema.assets.types import PageInfo
from gql_media.schema.common.context import Info
from gql_media.schema.common.enums import GenerationStatus
from gql_media.schema.common.scalars import BigInt
from gql_media.schema.generations.types import (
    Generation,
    GenerationProgress,
    Scene,
    Variant,
)
from gql_media.services.generations import queries as generation_queries
from gql_media.services.generations.state import GenerationState


@strawberry.type
class GenerationEdge:
    cursor: str
    node: Generation


@strawberry.type(description="A page of generations (Relay-style connection).")
class GenerationConnection:
    edges: list[GenerationEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Matches of the filter, all pages.")


@strawberry.type(description="Totals over the owner's generations.")
class GenerationStats:
    generation_count: int
    by_status: list[Count]
    total_cost_estimate: Decimal
    total_actual_cost: Decimal
    scenes_completed: int = strawberry.field(description="Scenes that are READY.")
    scenes_failed: int
    total_stored_bytes: BigInt = strawberry.field(
        description="Bytes of the scene videos (each stored file once)."
    )

    @classmethod
    def from_domain(
        cls, stats: generation_queries.GenerationStats
    ) -> "GenerationStats":
        counts = sorted(stats.by_status.items())
        return cls(
            generation_count=stats.generation_count,
            by_status=[Count(key=k, count=v) for k, v in counts],
            total_cost_estimate=stats.total_cost_estimate,
            total_actual_cost=stats.total_actual_cost,
            scenes_completed=stats.scenes_completed,
            scenes_failed=stats.scenes_failed,
            total_stored_bytes=stats.total_stored_bytes,
        )


@strawberry.type(
    description="A generation's state after a change of the generation, one of its "
    "variants or one of its scenes."
)
class GenerationEvent:
    generation_id: strawberry.ID
    revision: int = strawberry.field(description="Grows with every change.")
    status: GenerationStatus
    progress: GenerationProgress
    is_finished: bool = strawberry.field(
        description="COMPLETED, FAILED or deleted: the last event."
    )
    deleted: bool
    variant_id: strawberry.Private[str | None]
    scene_id: strawberry.Private[str | None]

    @classmethod
    def from_state(cls, state: GenerationState) -> "GenerationEvent":
        return cls(
            generation_id=strawberry.ID(state.id),
            revision=state.revision,
            status=state.status,
            progress=GenerationProgress.of(state.scenes_completed, state.total_scenes),
            is_finished=state.is_finished,
            deleted=state.deleted,
            variant_id=state.variant_id,
            scene_id=state.scene_id,
        )

    @strawberry.field(description="The generation as it is now; null once deleted.")
    async def generation(self, info: Info) -> Generation | None:
        row = await info.context.loaders.generations_by_id.load(self.generation_id)
        return Generation.from_model(row) if row else None

    @strawberry.field(description="The variant that changed, if one did.")
    async def variant(self, info: Info) -> Variant | None:
        if self.variant_id is None:
            return None
        row = await info.context.loaders.variants_by_id.load(self.variant_id)
        return Variant.from_model(row) if row else None

    @strawberry.field(description="The scene that changed, if one did.")
    async def scene(self, info: Info) -> Scene | None:
        if self.scene_id is None:
            return None
        row = await info.context.loaders.scenes_by_id.load(self.scene_id)
        return Scene.from_model(row) if row else None
