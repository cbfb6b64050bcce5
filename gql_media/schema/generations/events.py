"""The events of one generation, as its progress subscription sends them."""

import strawberry

from gql_media.schema.common.context import Info
from gql_media.schema.generations.enums import GenerationStatus
from gql_media.schema.generations.types import (
    Generation,
    GenerationProgress,
    Scene,
    Variant,
)
from gql_media.services.generations.state import GenerationState


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
