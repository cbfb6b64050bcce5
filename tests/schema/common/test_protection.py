"""GraphQL protections: depth and alias limits, masked unexpected errors."""

from typing import Any, NewType

import pytest
import strawberry
from strawberry.extensions import validation_cache
from strawberry.schema import schema as schema_module
from strawberry.schema.config import StrawberryConfig

from gql_media.errors import NotFound
from gql_media.schema.common.protections import MAX_ALIASES, MAX_DEPTH, protections
from tests.conftest import Server
from tests.support.graphql import gql


@strawberry.type
class Node:
    """A recursive type, as the generation tree will be."""

    @strawberry.field
    def child(self) -> "Node":
        return Node()

    @strawberry.field
    def bug(self) -> str:
        raise RuntimeError("password=hunter2 at /srv/secret")

    @strawberry.field
    def missing(self) -> str:
        raise NotFound("no such thing")


def _sloppy_parse(value: object) -> int:
    return int(str(value))  # a ValueError on bad input, as third-party scalars do


Sloppy = NewType("Sloppy", int)
SLOPPY = strawberry.scalar(name="Sloppy", serialize=int, parse_value=_sloppy_parse)


@strawberry.type
class Query:
    @strawberry.field
    def root(self) -> Node:
        return Node()

    @strawberry.field
    def echo(self, value: Sloppy) -> int:
        return value


SCHEMA = strawberry.Schema(
    query=Query,
    extensions=protections(),
    config=StrawberryConfig(scalar_map={Sloppy: SLOPPY}),
)


def _nested(depth: int) -> str:
    return "{ root { " + "child { " * (depth - 1) + "__typename" + " }" * depth + " }"


def test_queries_deeper_than_the_limit_are_refused() -> None:
    assert SCHEMA.execute_sync(_nested(MAX_DEPTH)).errors is None
    result = SCHEMA.execute_sync(_nested(MAX_DEPTH + 1))
    assert result.errors
    assert "exceeds maximum operation depth" in result.errors[0].message


def test_a_document_is_validated_once_and_refused_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    validated: list[object] = []
    real = schema_module.validate_document

    def counting(*args: Any) -> Any:
        validated.append(args[1])
        return real(*args)

    # Strawberry's validation cache wraps `validate_document` once per size.
    monkeypatch.setattr(schema_module, "validate_document", counting)
    validation_cache._get_validate_cache.cache_clear()
    deep, fine = _nested(MAX_DEPTH + 1), _nested(2) + " # distinct text"
    for _ in range(3):
        result = SCHEMA.execute_sync(deep)
        assert result.errors and "maximum operation depth" in result.errors[0].message
        assert SCHEMA.execute_sync(fine).errors is None
    assert len(validated) == 2  # each document once; its answer every time
    validation_cache._get_validate_cache.cache_clear()


async def test_too_many_aliases_are_refused(server: Server) -> None:
    ok = " ".join(f"a{i}: stats {{ assetCount }}" for i in range(MAX_ALIASES))
    assert "errors" not in await gql(server.url, "{ " + ok + " }")
    many = " ".join(f"a{i}: stats {{ assetCount }}" for i in range(MAX_ALIASES + 1))
    body = await gql(server.url, "{ " + many + " }")
    assert "alias" in body["errors"][0]["message"].lower()


async def test_validation_and_input_errors_reach_the_client(server: Server) -> None:
    body = await gql(server.url, "{ nosuchfield }")
    assert "nosuchfield" in body["errors"][0]["message"]
    body = await gql(
        server.url,
        'mutation { importAsset(input: {url: "http://x.invalid/a", metadata: [1]}) '
        "{ __typename ... on Error { code message } } }",
    )
    assert body["data"]["importAsset"]["__typename"] == "InvalidInputError"


def test_unexpected_errors_are_masked_and_ours_carry_their_code() -> None:
    result = SCHEMA.execute_sync("{ root { bug } }")
    assert result.errors
    error = result.errors[0].formatted
    assert error["message"] == "Unexpected error."
    assert error.get("extensions") == {"code": "INTERNAL"}
    assert "hunter2" not in str(error)
    result = SCHEMA.execute_sync("{ root { missing } }")
    assert result.errors
    assert result.errors[0].formatted["message"] == "no such thing"
    assert result.errors[0].formatted.get("extensions") == {"code": "NOT_FOUND"}


def test_bad_scalar_input_is_the_clients_error_whatever_the_scalar_raises() -> None:
    for result in (
        SCHEMA.execute_sync('{ echo(value: "abc") }'),
        SCHEMA.execute_sync(
            "query ($v: Sloppy!) { echo(value: $v) }", variable_values={"v": "abc"}
        ),
    ):
        assert result.errors
        error = result.errors[0].formatted
        assert "Sloppy" in error["message"], error
        assert error.get("extensions") is None, error
    assert SCHEMA.execute_sync('{ echo(value: "12") }').data == {"echo": 12}
