"""Cross-owner cases of the direct-upload (presigned S3) root fields."""

from gql_media import models
from tests.accounts.isolation import ERROR, World, as_b, case, none_of_a, same


@case("Mutation.createDirectUpload")
async def create_direct_upload(world: World) -> None:
    body = await as_b(
        world,
        "mutation { createDirectUpload(input: {sizeBytes: 10, sha256: "
        f'"{"0" * 64}"}}) {{ {ERROR} }} }}',
        {},
    )
    none_of_a(world, body)


@case("Mutation.completeDirectUpload")
async def complete_direct_upload(world: World) -> None:
    upload_id = world.ids["direct_upload"]
    row = await models.DirectUpload.get(id=upload_id)
    await same(
        world,
        f"mutation ($id: ID!) {{ completeDirectUpload(id: $id) {{ {ERROR} }} }}",
        lambda i: {"id": i},
        str(row.id),
    )
    after = await models.DirectUpload.get(id=row.id)
    assert after.status == row.status and after.completed_at is None
