"""Cross-owner cases of the accounts root fields."""

from tests.accounts.isolation import ERROR, World, as_b, case, none_of_a, same
from tests.support.graphql import gql


@case("Query.viewer")
async def viewer(world: World) -> None:
    body = await as_b(world, "{ viewer { owner principal scopes } }", {})
    assert body["data"]["viewer"]["owner"] == world.b.owner_id
    none_of_a(world, body)


@case("Query.tokens")
async def tokens(world: World) -> None:
    body = await as_b(world, "{ tokens { id principal } }", {})
    assert body["data"]["tokens"], body  # B's own token is listed
    none_of_a(world, body)


@case("Mutation.createToken")
async def create_token(world: World) -> None:
    body = await as_b(
        world,
        'mutation { createToken(input: {principal: "b2"}) { __typename '
        "... on CreateTokenSuccess { secret token { id } } } }",
        {},
    )
    secret = body["data"]["createToken"]["secret"]
    who = await gql(world.url, "{ viewer { owner } }", token=secret)
    assert who["data"]["viewer"]["owner"] == world.b.owner_id


@case("Mutation.revokeToken")
async def revoke_token(world: World) -> None:
    await same(
        world,
        f"mutation ($id: ID!) {{ revokeToken(id: $id) {{ {ERROR} }} }}",
        lambda i: {"id": i},
        world.ids["token"],
    )
    still = await gql(world.url, "{ viewer { owner } }", token=world.a.token)
    assert still["data"]["viewer"]["owner"] == world.a.owner_id
