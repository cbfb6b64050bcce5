"""Cross-owner cases of the job root fields."""

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


@case("Query.job")
async def job(world: World) -> None:
    body = await same(
        world, "query ($id: ID!) { job(id: $id) { id } }", _id, world.ids["job"]
    )
    assert body["data"]["job"] is None


@case("Query.jobs")
async def jobs(world: World) -> None:
    everything = await as_b(world, "{ jobs(first: 100) { edges { node { id } } } }", {})
    none_of_a(world, everything)
    await same(
        world,
        "query ($id: ID!) { jobs(filter: {assetId: $id}) { totalCount edges "
        "{ node { id } } } }",
        _id,
        world.ids["asset"],
    )


@case("Mutation.cancelJob", "Mutation.retryJob")
async def by_job_id(world: World) -> None:
    for name in ("cancelJob", "retryJob"):
        await same(
            world,
            f"mutation ($id: ID!) {{ {name}(id: $id) {{ {ERROR} }} }}",
            _id,
            world.ids["job"],
        )


@case("Subscription.jobProgress")
async def job_progress(world: World) -> None:
    await same_subscription(
        world,
        "subscription ($id: ID!) { jobProgress(jobId: $id) { id status } }",
        _id,
        world.ids["job"],
    )


def _id(value: str) -> dict[str, Any]:
    return {"id": value}
