"""The standard introspection query works over HTTP and describes schema.graphql,
so clients, codegen tools and schema registries can read the contract."""

import logging
from typing import Any

import pytest
from gql import Client
from gql import gql as parse_query
from gql.transport.aiohttp import AIOHTTPTransport
from graphql import (
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    is_introspection_type,
    is_specified_scalar_type,
    print_type,
)

from gql_media.resolvers.root import build_schema
from tests.conftest import Server
from tests.schema.test_schema_file import SCHEMA_FILE
from tests.support.graphql import gql

FULL_INTROSPECTION = get_introspection_query(
    descriptions=True, specified_by_url=True, input_value_deprecation=True
)


def print_as_committed(schema: GraphQLSchema) -> str:
    """The schema printed the way schema.graphql is: types sorted by name, fields in
    their declared order (Strawberry's printer sorts types only)."""
    types = [
        named
        for _, named in sorted(schema.type_map.items())
        if not is_introspection_type(named) and not is_specified_scalar_type(named)
    ]
    return "\n\n".join(print_type(named) for named in types)


def assert_no_traceback_logged(caplog: pytest.LogCaptureFixture) -> None:
    noisy = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert noisy == [], [r.getMessage()[:300] for r in noisy]


async def test_full_introspection_has_no_errors_and_matches_schema_file(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = await gql(server.url, FULL_INTROSPECTION)

    assert "errors" not in body, body["errors"]
    client_schema = build_client_schema(body["data"])
    assert print_as_committed(client_schema) == SCHEMA_FILE.read_text().strip()
    assert_no_traceback_logged(caplog)


def _input_field(schema: dict[str, Any], type_name: str, field: str) -> dict[str, Any]:
    (named,) = [t for t in schema["types"] if t["name"] == type_name]
    (found,) = [f for f in named["inputFields"] if f["name"] == field]
    return found


async def test_omitted_metadata_is_documented_and_introspectable(
    server: Server,
) -> None:
    body = await gql(server.url, FULL_INTROSPECTION)
    schema = body["data"]["__schema"]
    for type_name in ("UploadAssetInput", "ImportAssetInput"):
        metadata = _input_field(schema, type_name, "metadata")
        # null, not an object literal: codegen tools and graphql-js 16 clients
        # cannot print an object default of a custom scalar.
        assert metadata["defaultValue"] == "null"
        assert "{}" in metadata["description"]


async def test_gql_client_fetches_the_schema_and_validates_against_it(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    transport = AIOHTTPTransport(url=server.url + "/graphql")
    client = Client(transport=transport, fetch_schema_from_transport=True)
    async with client as session:
        result = await session.execute(parse_query("{ stats { assetCount } }"))
        assert result == {"stats": {"assetCount": 0}}
        assert client.schema is not None
        assert client.schema.get_type("UploadAssetInput") is not None
        with pytest.raises(Exception, match="nosuchfield"):
            # Validated locally against the fetched schema, never sent.
            await session.execute(parse_query("{ stats { nosuchfield } }"))
    assert_no_traceback_logged(caplog)


IMPORT = """
mutation ($input: ImportAssetInput!) {
  importAsset(input: $input) {
    __typename
    ... on ImportAssetSuccess { asset { metadata } }
    ... on Error { code message }
  }
}
"""


@pytest.mark.parametrize("given", [{}, {"metadata": None}])
async def test_omitted_or_null_metadata_is_an_empty_object(
    server: Server, given: dict[str, Any]
) -> None:
    # Nothing listens on port 9: the import job fails later; the row is what counts.
    variables = {"input": {"url": "http://127.0.0.1:9/a.mp4", **given}}
    body = await gql(server.url, IMPORT, variables)
    assert body["data"]["importAsset"] == {
        "__typename": "ImportAssetSuccess",
        "asset": {"metadata": {}},
    }


def test_introspection_query_as_graphiql_sends_it() -> None:
    """GraphiQL's own form of the query (docs, explorer, completion), in process."""
    result = build_schema().execute_sync(
        get_introspection_query(input_value_deprecation=True)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["__schema"]["subscriptionType"]["name"] == "Subscription"
