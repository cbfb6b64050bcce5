"""Input types of the generation operations."""

from datetime import datetime
from decimal import Decimal

import strawberry

from gql_media.schema.generations.enums import GenerationSourceType, GenerationStatus
from gql_media.services.generations.validation import (
    DEFAULT_VARIANT_TYPES,
    GenerationSpec,
    ScenePrompt,
)


@strawberry.input(description="The prompt of one scene number.")
class ScenePromptInput:
    number: int = strawberry.field(description="1..scenesPerVariant.")
    prompt: str
    variant_type: str | None = strawberry.field(
        default=None, description="Only this variant's scene; null: every variant's."
    )


@strawberry.input
class CreateGenerationInput:
    source_url: str = strawberry.field(
        description="The source video: an http(s) URL, an upload's name or a path."
    )
    source_type: GenerationSourceType = GenerationSourceType.URL
    name: str | None = None
    variant_types: list[str] = strawberry.field(
        default_factory=lambda: list(DEFAULT_VARIANT_TYPES),
        description="1 to 16 distinct names; soft, medium, aggressive and ultra "
        "by default.",
    )
    scenes_per_variant: int = strawberry.field(default=4, description="1 to 64.")
    cost_estimate: Decimal | None = None
    prompts: list[ScenePromptInput] = strawberry.field(default_factory=list)

    def to_domain(self) -> GenerationSpec:
        return GenerationSpec(
            source_url=self.source_url,
            source_type=self.source_type,
            name=self.name,
            variant_types=list(self.variant_types),
            scenes_per_variant=self.scenes_per_variant,
            cost_estimate=self.cost_estimate,
            prompts=[
                ScenePrompt(p.number, p.prompt, p.variant_type) for p in self.prompts
            ],
        ).validate()


@strawberry.input(description="Where a scene's video comes from: one of `url` and "
                  "`assetId`, or the `file` argument.")  # fmt: skip
class AttachSceneVideoInput:
    url: str | None = strawberry.field(
        default=None, description="http(s) URL of the video, imported as a job."
    )
    asset_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of your VIDEO assets (it stays yours)."
    )


@strawberry.input
class UpdateSceneInput:
    prompt: str | None = None
    provider_video_id: str | None = None
    provider_status: str | None = None


@strawberry.input(description="Every given condition must hold.")
class GenerationFilter:
    status: GenerationStatus | None = None
    variant_type: str | None = strawberry.field(
        default=None, description="Has a variant of this type."
    )
    created_after: datetime | None = strawberry.field(
        default=None, description="Created at or after."
    )
    created_before: datetime | None = strawberry.field(
        default=None, description="Created before."
    )
    text: str | None = strawberry.field(
        default=None,
        description="Case-insensitive text in the name, the source URL or a prompt.",
    )
