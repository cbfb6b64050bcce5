"""Validated, transport-neutral inputs of the generation use cases."""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gql_media.errors import ForbiddenUrl, InvalidInput
from gql_media.media.urls import check_url_syntax
from gql_media.models import GenerationSourceType, MetadataKind
from gql_media.services.assets.validation import (
    MAX_NAME,
    MAX_PROMPT,
    check_cost,
    check_json_object,
)

MAX_VARIANTS = 16
MAX_SCENES = 64
MAX_VARIANT_TYPE = 64
MAX_SOURCE = 4096
DEFAULT_VARIANT_TYPES = ("soft", "medium", "aggressive", "ultra")


@dataclass(frozen=True)
class ScenePrompt:
    """The prompt of scene `number` of one variant, or of every variant (None)."""

    number: int
    prompt: str
    variant_type: str | None = None


@dataclass(frozen=True)
class GenerationSpec:
    """What a client asks for when it starts a generation."""

    source_url: str
    source_type: GenerationSourceType = GenerationSourceType.URL
    variant_types: list[str] = field(default_factory=lambda: [*DEFAULT_VARIANT_TYPES])
    scenes_per_variant: int = 4
    cost_estimate: Decimal | None = None
    name: str | None = None
    prompts: list[ScenePrompt] = field(default_factory=list)

    def validate(self) -> "GenerationSpec":
        if not 1 <= self.scenes_per_variant <= MAX_SCENES:
            raise InvalidInput(
                f"scenesPerVariant must be between 1 and {MAX_SCENES}",
                field="scenesPerVariant",
            )
        types = check_variant_types(self.variant_types)
        return GenerationSpec(
            source_url=check_source(self.source_url, self.source_type),
            source_type=self.source_type,
            variant_types=types,
            scenes_per_variant=self.scenes_per_variant,
            cost_estimate=check_cost(self.cost_estimate, "costEstimate"),
            name=check_text(self.name or "", "name", MAX_NAME),
            prompts=check_prompts(self.prompts, types, self.scenes_per_variant),
        )

    def prompt_of(self, variant_type: str, number: int) -> str | None:
        """The prompt given for this scene; one naming the variant wins."""
        found = None
        for p in self.prompts:
            if p.number == number and p.variant_type == variant_type:
                return p.prompt
            if p.number == number and p.variant_type is None:
                found = p.prompt
        return found


def check_text(value: str, name: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidInput(f"{name} is over {limit} characters", field=name)
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidInput(f"{name} contains control characters", field=name)
    return value.strip()


def check_source(url: str, source_type: GenerationSourceType) -> str:
    url = check_text(url, "sourceUrl", MAX_SOURCE)
    if not url:
        raise InvalidInput("sourceUrl must not be empty", field="sourceUrl")
    if source_type is GenerationSourceType.URL:
        try:
            check_url_syntax(url)  # only recorded, never fetched here
        except ForbiddenUrl as exc:
            raise InvalidInput(exc.message, field="sourceUrl") from exc
    return url


def check_variant_types(types: list[str]) -> list[str]:
    if not 1 <= len(types) <= MAX_VARIANTS:
        raise InvalidInput(
            f"give 1 to {MAX_VARIANTS} variant types", field="variantTypes"
        )
    clean = [check_text(t, "variantTypes", MAX_VARIANT_TYPE) for t in types]
    if not all(clean):
        raise InvalidInput("variant types must not be empty", field="variantTypes")
    if len({t.casefold() for t in clean}) != len(clean):
        raise InvalidInput("variant types must be distinct", field="variantTypes")
    return clean


def check_prompts(
    prompts: list[ScenePrompt], types: list[str], scenes: int
) -> list[ScenePrompt]:
    seen: set[tuple[str | None, int]] = set()
    clean = []
    for p in prompts:
        if not 1 <= p.number <= scenes:
            raise InvalidInput(
                f"scene number {p.number} is outside 1..{scenes}", field="prompts"
            )
        variant = p.variant_type.strip() if p.variant_type is not None else None
        if variant is not None and variant not in types:
            raise InvalidInput(f"unknown variant type {variant!r}", field="prompts")
        if (variant, p.number) in seen:
            raise InvalidInput(
                f"scene {p.number} has two prompts for the same variant",
                field="prompts",
            )
        seen.add((variant, p.number))
        clean.append(
            ScenePrompt(p.number, check_text(p.prompt, "prompt", MAX_PROMPT), variant)
        )
    return clean


def check_metadata(kind: str, data: Any) -> tuple[MetadataKind, dict[str, Any]]:
    """The metadata kind (case-insensitive) and its JSON object, checked."""
    try:
        known = MetadataKind(kind.strip().upper())
    except ValueError:
        names = ", ".join(k.value for k in MetadataKind)
        raise InvalidInput(
            f"unknown metadata kind {kind[:64]!r}; one of {names}", field="kind"
        ) from None
    check_json_object(data, "data")
    return known, data


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str) -> str:
    """A safe file name part from user text: lowercase ASCII letters, digits, '-'."""
    cleaned = _SLUG.sub("-", text.casefold()).strip("-")[:48].strip("-")
    return cleaned or fallback
