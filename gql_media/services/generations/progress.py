"""Follow a generation's progress: read the row, then its bus channel
(`generationProgress`)."""

from collections.abc import AsyncIterator
from typing import Any

from gql_media import models
from gql_media.bus.base import generation_channel
from gql_media.runtime import Runtime
from gql_media.services.follow import Followed, follow
from gql_media.services.generations.state import GenerationState


def generation(generation_id: Any) -> Followed[GenerationState]:
    """How to follow a generation row."""

    async def read() -> GenerationState | None:
        row = await models.Generation.get_or_none(id=generation_id)
        return GenerationState.from_model(row) if row else None

    return Followed(
        name=f"generation {generation_id}",
        channel=generation_channel(generation_id),
        read=read,
        parse=GenerationState.from_event,
        # A deletion ends the stream whatever its revision says.
        newer=lambda new, seen: new.revision > seen.revision or new.deleted,
        finished=lambda state: state.is_finished,
        readable="the generation stays readable with generation(id)",
    )


def follow_generation(
    runtime: Runtime, generation_id: Any, first: GenerationState | None = None
) -> AsyncIterator[GenerationState]:
    """`follow` a generation on the runtime's bus with the configured grace period."""
    grace = runtime.settings.bus_unavailable_grace_seconds
    return follow(generation(generation_id), runtime.bus, grace, first)
