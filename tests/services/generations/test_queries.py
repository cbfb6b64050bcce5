"""Reading generations: search filters and order, the library, statistics."""

from decimal import Decimal
from typing import Any

from gql_media.models import GenerationStatus
from gql_media.runtime import Runtime
from gql_media.services.generations import edits as generations
from gql_media.services.generations import queries as generation_queries
from gql_media.services.generations import scenes as scene_videos
from gql_media.services.generations.validation import GenerationSpec, ScenePrompt
from tests.support.generations import OWNER, video_row, video_scene_ids


async def test_search_library_and_stats(runtime: Runtime) -> None:
    first = await generations.create(
        OWNER,
        GenerationSpec(
            source_url="https://cdn.example.com/fox.mp4",
            variant_types=["soft"],
            scenes_per_variant=1,
            cost_estimate=Decimal("0.5"),
            prompts=[ScenePrompt(1, "A red fox at dusk")],
        ),
    )
    second = await generations.create(
        OWNER,
        GenerationSpec(
            source_url="https://cdn.example.com/owl.mp4",
            variant_types=["ultra", "custom"],
            scenes_per_variant=1,
            cost_estimate=Decimal("0.25"),
        ),
    )
    await generations.create("mallory", GenerationSpec(source_url="https://x.io/a"))
    [[scene]] = await video_scene_ids(first)
    shown = await video_row(n=1)
    await scene_videos.attach_asset(runtime, OWNER, scene, str(shown.id))
    await generations.set_cost(runtime, OWNER, str(first.id), Decimal("0.75"))

    async def ids(**search: Any) -> list[str]:
        page = await generation_queries.search_generations(
            OWNER, generation_queries.GenerationSearch(**search)
        )
        return [str(g.id) for g in page.rows]

    assert await ids() == [str(second.id), str(first.id)]
    assert await ids(text="FOX") == [str(first.id)]  # the prompt and the URL
    assert await ids(text="owl.mp4") == [str(second.id)]
    assert await ids(variant_type="custom") == [str(second.id)]
    assert await ids(status=GenerationStatus.COMPLETED) == [str(first.id)]
    assert await ids(created_after=second.created_at) == [str(second.id)]
    assert await ids(created_before=second.created_at) == [str(first.id)]
    library = await generation_queries.library(OWNER)
    assert [str(g.id) for g in library.rows] == [str(first.id)]

    stats = await generation_queries.stats(OWNER)
    assert stats.generation_count == 2
    assert stats.by_status == {"COMPLETED": 1, "PENDING": 1}
    assert stats.total_cost_estimate == Decimal("0.75")
    assert stats.total_actual_cost == Decimal("0.75")
    assert (stats.scenes_completed, stats.scenes_failed) == (1, 0)
    assert stats.total_stored_bytes == 1001
