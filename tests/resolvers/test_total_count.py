"""A connection counts (one COUNT statement) only when `totalCount` is selected."""

import pytest

from gql_media import models
from gql_media.schema.common.context import LOCAL_OWNER
from tests.conftest import Server
from tests.support.generations import count_statements
from tests.support.graphql import data

CONNECTIONS = ["assets", "generations", "library", "jobs"]


def _counts(statements: list[str]) -> int:
    return sum("COUNT(" in statement.upper() for statement in statements)


@pytest.mark.parametrize("field", CONNECTIONS)
async def test_count_only_when_total_count_is_selected(
    server: Server, field: str
) -> None:
    for _ in range(3):
        asset = await models.Asset.create(
            owner_id=LOCAL_OWNER, source_type=models.SourceType.UPLOADED
        )
        await models.Job.create(
            owner_id=LOCAL_OWNER,
            kind=models.JobKind.IMPORT_URL,
            asset=asset,
            payload={},
        )
    with count_statements() as statements:
        page = await data(
            server.url, f"{{ {field}(first: 2) {{ edges {{ cursor }} }} }}"
        )
    assert _counts(statements) == 0
    assert isinstance(page[field]["edges"], list)
    with count_statements() as statements:
        both = await data(
            server.url, f"{{ {field}(first: 2) {{ totalCount edges {{ cursor }} }} }}"
        )
    assert _counts(statements) == 1
    expected = {"assets": 3, "jobs": 3, "generations": 0, "library": 0}[field]
    assert both[field]["totalCount"] == expected
