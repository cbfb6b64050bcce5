"""Cross-owner cases of the generation root fields."""

from typing import Any

from tests.accounts.isolation import (
    ERROR,
    World,
    as_b,
    case,
    none_of_a,
    same,
    same_subscription,
)
from tests.support.generations import CREATE


@case("Query.generation")
async def generation(world: World) -> None:
    body = await same(
        world,
        "query ($id: ID!) { generation(id: $id) { id } }",
        _id,
        world.ids["generation"],
    )
    assert body["data"]["generation"] is None


@case("Query.generations", "Query.library")
async def lists(world: World) -> None:
    for name in ("generations", "library"):
        body = await as_b(
            world,
            f"{{ {name}(first: 100) {{ totalCount edges {{ node {{ id variants "
            "{ scenes { id video { id } } } } } } }",
            {},
        )
        none_of_a(world, body)


@case("Query.generationStats")
async def generation_stats(world: World) -> None:
    body = await as_b(
        world, "{ generationStats { generationCount totalCostEstimate } }", {}
    )
    owned = await as_b(world, "{ generations { totalCount } }", {})
    totals = body["data"]["generationStats"]
    assert totals["generationCount"] == owned["data"]["generations"]["totalCount"]
    # A's generation carries a cost estimate B's never do.
    assert float(totals["totalCostEstimate"]) == 0.0, totals


@case("Mutation.createGeneration")
async def create_generation(world: World) -> None:
    body = await as_b(
        world, CREATE, {"input": {"sourceUrl": "https://cdn.example.com/b.mp4"}}
    )
    result = body["data"]["createGeneration"]
    assert result["__typename"] == "CreateGenerationSuccess", body
    none_of_a(world, body)


@case("Mutation.attachSceneVideo")
async def attach_scene_video(world: World) -> None:
    query = (
        "mutation ($scene: ID!, $asset: ID!) { attachSceneVideo(sceneId: $scene, "
        f"input: {{assetId: $asset}}) {{ {ERROR} }} }}"
    )
    # A's scene with B's own asset, then B's own scene with A's asset.
    await same(
        world,
        query,
        lambda i: {"scene": i, "asset": world.b_ids["asset"]},
        world.ids["scene"],
    )
    await same(
        world,
        query,
        lambda i: {"scene": world.b_ids["scene"], "asset": i},
        world.ids["asset"],
    )


@case(
    "Mutation.retryScene",
    "Mutation.updateScene",
)
async def by_scene_id(world: World) -> None:
    await same(
        world,
        f"mutation ($id: ID!) {{ retryScene(id: $id) {{ {ERROR} }} }}",
        _id,
        world.ids["scene"],
    )
    await same(
        world,
        f'mutation ($id: ID!) {{ updateScene(id: $id, input: {{prompt: "b"}}) '
        f"{{ {ERROR} }} }}",
        _id,
        world.ids["scene"],
    )


@case(
    "Mutation.saveGenerationMetadata",
    "Mutation.setGenerationCost",
    "Mutation.markGenerationFailed",
    "Mutation.deleteGeneration",
    "Mutation.exportGeneration",
)
async def by_generation_id(world: World) -> None:
    documents = [
        "mutation ($id: ID!) { saveGenerationMetadata(generationId: $id, "
        f"kind: PROMPTS, data: {{b: 1}}) {{ {ERROR} }} }}",
        f'mutation ($id: ID!) {{ setGenerationCost(id: $id, actualCost: "1.5") '
        f"{{ {ERROR} }} }}",
        f'mutation ($id: ID!) {{ markGenerationFailed(id: $id, error: "b") '
        f"{{ {ERROR} }} }}",
        f"mutation ($id: ID!) {{ deleteGeneration(id: $id) {{ {ERROR} }} }}",
        f"mutation ($id: ID!) {{ exportGeneration(id: $id) {{ {ERROR} }} }}",
    ]
    for document in documents:
        await same(world, document, _id, world.ids["generation"])


@case("Subscription.generationProgress")
async def generation_progress(world: World) -> None:
    await same_subscription(
        world,
        "subscription ($id: ID!) { generationProgress(id: $id) { revision status } }",
        _id,
        world.ids["generation"],
    )


def _id(value: str) -> dict[str, Any]:
    return {"id": value}
