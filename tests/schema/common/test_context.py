"""An answered operation lets go of what its loaders read."""

from typing import Any

from gql_media.resolvers.root import build_schema
from gql_media.runtime import Runtime
from gql_media.schema.common.context import Context
from tests.support.generations import seed_trees

QUERY = """{ generations(first: 2) { edges { node {
  variants { variantType scenes { number video { id thumbnailUrl } } }
} } } }"""


async def test_an_answered_query_releases_its_loaders(runtime: Runtime) -> None:
    await seed_trees(2)
    context = Context(request=None, runtime=runtime, owner_id="local")  # type: ignore[arg-type]
    loader = context.loaders.variant_trees_by_generation_id
    read: list[Any] = []
    load = loader.load_fn

    async def spy(keys: list[Any]) -> Any:
        read.append(keys)
        return await load(keys)

    loader.load_fn = spy
    result = await build_schema().execute(QUERY, context_value=context)
    assert result.errors is None
    assert len(result.data["generations"]["edges"]) == 2  # type: ignore[index]
    assert len(read) == 1 and len(read[0]) == 2  # one batch, both generations
    # Nothing the request read is still held: the executor's reference cycle
    # would otherwise keep it until a full collection.
    assert loader.batch is None and not loader.cache_map.cache_map  # type: ignore[attr-defined]
    assert not context.loaders.links and not context.loaders.shapes
