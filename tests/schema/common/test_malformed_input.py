"""Malformed scalar values get a validation or typed error, never INTERNAL, and
nothing is logged as a bug or left behind."""

import json
import logging
from typing import Any

import httpx
import pytest

from gql_media import models
from tests.conftest import Server
from tests.support.graphql import gql
from tests.support.tls import TLS

INLINE_SIZE = "{ assets(filter: {minSizeBytes: %s}) { totalCount } }"
VARIABLE_SIZE = (
    "query ($v: BigInt) { assets(filter: {minSizeBytes: $v}) { totalCount } }"
)
URL = "http://127.0.0.1:9/a.mp4"  # nothing listens: an accepted import fails later

BAD_BIGINT_STRINGS = [
    "abc",
    "1.5",
    "",
    "0x10",
    " 12",
    "1_000",
    "1e3",
    "+-1",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: int() accepts it, BigInt does not
    "9223372036854775808",  # 2^63: past the 64-bit columns
    "-9223372036854775809",
    "9" * 5000,
]
BAD_BIGINT_LITERALS = ["1.5", "true", "[1]", "{a: 1}", "99999999999999999999999"]
BAD_BIGINT_JSON: list[Any] = [1.5, True, [1], {"a": 1}, 2**64, -(2**63) - 1]


def _codes(body: dict[str, Any]) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def assert_client_error(body: dict[str, Any], mentions: str) -> None:
    assert body.get("errors"), body
    assert "INTERNAL" not in _codes(body), body["errors"]
    assert any(mentions in e["message"] for e in body["errors"]), body["errors"]


def assert_nothing_logged(caplog: pytest.LogCaptureFixture) -> None:
    noisy = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert noisy == [], [r.getMessage()[:300] for r in noisy]


@pytest.mark.parametrize("value", BAD_BIGINT_STRINGS)
async def test_malformed_bigint_strings_are_refused(
    server: Server, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    literal = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    assert_client_error(await gql(server.url, INLINE_SIZE % literal), "BigInt")
    assert_client_error(await gql(server.url, VARIABLE_SIZE, {"v": value}), "BigInt")
    assert_nothing_logged(caplog)


@pytest.mark.parametrize("literal", BAD_BIGINT_LITERALS)
async def test_malformed_bigint_literals_are_refused(
    server: Server, caplog: pytest.LogCaptureFixture, literal: str
) -> None:
    assert_client_error(await gql(server.url, INLINE_SIZE % literal), "BigInt")
    assert_nothing_logged(caplog)


@pytest.mark.parametrize("value", BAD_BIGINT_JSON)
async def test_malformed_bigint_variables_are_refused(
    server: Server, caplog: pytest.LogCaptureFixture, value: Any
) -> None:
    assert_client_error(await gql(server.url, VARIABLE_SIZE, {"v": value}), "BigInt")
    assert_nothing_logged(caplog)


@pytest.mark.parametrize(
    "value", ["0", "123", "-5", "9223372036854775807", 9223372036854775807, 42, 42.0]
)
async def test_well_formed_bigints_still_work(server: Server, value: Any) -> None:
    literal = f'"{value}"' if isinstance(value, str) else str(int(value))
    for body in (
        await gql(server.url, INLINE_SIZE % literal),
        await gql(server.url, VARIABLE_SIZE, {"v": value}),
    ):
        assert body == {"data": {"assets": {"totalCount": 0}}}


IMPORT = """
mutation ($input: ImportAssetInput!) {
  importAsset(input: $input) {
    __typename
    ... on InvalidInputError { code field }
  }
}
"""
IMPORT_INLINE = """
mutation {
  importAsset(input: {url: "%s", provenance: {cost: %s}}) {
    __typename
    ... on InvalidInputError { code field }
  }
}
"""


@pytest.mark.parametrize(
    "cost",
    ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "abc", "", "1,5", True],
)
async def test_non_numeric_costs_are_validation_errors(
    server: Server, caplog: pytest.LogCaptureFixture, cost: Any
) -> None:
    literal = "true" if cost is True else f'"{cost}"'
    inline = await gql(server.url, IMPORT_INLINE % (URL, literal))
    assert_client_error(inline, "Decimal")
    variables = {"input": {"url": URL, "provenance": {"cost": cost}}}
    assert_client_error(await gql(server.url, IMPORT, variables), "Decimal")
    assert_nothing_logged(caplog)
    assert await models.Asset.all().count() == 0


@pytest.mark.parametrize("cost", ["-1", "-0.000001", "1e999999", "100000000", 1e300])
async def test_out_of_range_costs_are_invalid_input(
    server: Server, caplog: pytest.LogCaptureFixture, cost: Any
) -> None:
    variables = {"input": {"url": URL, "provenance": {"cost": cost}}}
    body = await gql(server.url, IMPORT, variables)
    assert body["data"]["importAsset"] == {
        "__typename": "InvalidInputError",
        "code": "INVALID_INPUT",
        "field": "cost",
    }
    assert_nothing_logged(caplog)
    assert await models.Asset.all().count() == 0


async def test_a_cost_is_stored_as_given(server: Server) -> None:
    variables = {"input": {"url": URL, "provenance": {"cost": "1.25"}}}
    query = IMPORT.replace(
        "__typename\n",
        "__typename ... on ImportAssetSuccess { asset { provenance { cost } } }\n",
        1,
    )
    body = await gql(server.url, query, variables)
    assert body["data"]["importAsset"]["asset"]["provenance"]["cost"] == "1.250000"


@pytest.mark.parametrize(
    ("query", "variables", "mentions"),
    [
        (
            "query ($v: DateTime) { generations(filter: {createdAfter: $v}) "
            "{ totalCount } }",
            {"v": "yesterday"},
            "DateTime",
        ),
        (
            'mutation ($v: Decimal!) { setGenerationCost(id: "x", actualCost: $v) '
            "{ __typename } }",
            {"v": "a lot"},
            "Decimal",
        ),
        (
            'mutation ($v: Decimal!) { setGenerationCost(id: "x", actualCost: $v) '
            "{ __typename } }",
            {"v": "NaN"},
            "Decimal",
        ),
        (
            "query ($v: Float) { assets(filter: {minDurationSeconds: $v}) "
            "{ totalCount } }",
            {"v": "fast"},
            "Float",
        ),
    ],
)
async def test_malformed_variables_of_other_scalars_are_refused(
    server: Server,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any],
    mentions: str,
) -> None:
    assert_client_error(await gql(server.url, query, variables), mentions)
    assert_nothing_logged(caplog)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (
            "query ($v: DateTime) { generations(filter: {createdAfter: $v}) "
            "{ totalCount } }",
            {"v": "0001-01-01T00:00:00+14:00"},  # before year 1 in UTC
        ),
        (
            '{ generations(filter: {createdBefore: "9999-12-31T23:59:59-14:00"}) '
            "{ totalCount } }",
            {},
        ),
    ],
)
async def test_datetimes_without_a_utc_time_are_refused(
    server: Server,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any],
) -> None:
    assert_client_error(await gql(server.url, query, variables), "DateTime")
    assert_nothing_logged(caplog)


async def test_a_datetime_without_offset_is_utc(server: Server) -> None:
    query = (
        "query ($v: DateTime) { generations(filter: {createdAfter: $v}) "
        "{ totalCount } }"
    )
    # Tortoise warns (an error under pytest) when handed a naive datetime.
    body = await gql(server.url, query, {"v": "2000-01-01T00:00:00"})
    assert body == {"data": {"generations": {"totalCount": 0}}}


NUL_CASES = [
    ("query ($v: String) { assets(filter: {text: $v}) { totalCount } }", "a\x00b"),
    ("query ($v: String) { generations(filter: {text: $v}) { totalCount } }", "\x00"),
    (
        "mutation ($v: JSON) { importAsset(input: {url: "
        f'"{URL}", metadata: $v}}) {{ __typename }} }}',
        {"note": "x\x00"},
    ),
    (
        "mutation ($v: JSON) { importAsset(input: {url: "
        f'"{URL}", metadata: $v}}) {{ __typename }} }}',
        {"key\x00": 1},
    ),
    (
        "mutation ($v: String!) { createGeneration(input: {sourceUrl: $v}) "
        "{ __typename } }",
        "http://127.0.0.1:9/a\x00.mp4",
    ),
]


@pytest.mark.parametrize(("query", "value"), NUL_CASES)
async def test_nul_characters_are_refused_everywhere(
    server: Server, caplog: pytest.LogCaptureFixture, query: str, value: Any
) -> None:
    for body in (
        await gql(server.url, query, {"v": value}),
        # The same value as a literal: "\u0000" escapes a NUL in GraphQL strings.
        await gql(
            server.url,
            INLINE_SIZE.replace("minSizeBytes: %s", 'text: "a\\u0000b"'),
        ),
    ):
        assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT"}, body
        assert "NUL" in body["errors"][0]["message"]
    assert_nothing_logged(caplog)
    assert await models.Asset.all().count() == 0
    assert await models.Generation.all().count() == 0


@pytest.mark.parametrize(
    "number",
    # The last two pass the JSON parser but no 64-bit store (found by the fuzzer).
    ["NaN", "Infinity", "-Infinity", "9223372036854775808", "-9223372036854775809"],
)
async def test_json_values_with_nan_are_invalid_input(
    server: Server, caplog: pytest.LogCaptureFixture, number: str
) -> None:
    # Python's JSON parser reads these non-standard numbers; no database stores them.
    query = IMPORT.replace("__typename\n", "__typename ... on Error { message }\n", 1)
    variables = json.dumps({"input": {"url": URL, "metadata": {"x": "NUMBER"}}})
    body = json.dumps({"query": query})[:-1] + ', "variables": ' + variables + "}"
    body = body.replace('"NUMBER"', number)
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        response = await client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code < 500, response.text
    answer = response.json()
    assert "INTERNAL" not in _codes(answer), answer
    assert answer["data"]["importAsset"]["__typename"] == "InvalidInputError", answer
    assert_nothing_logged(caplog)
    assert await models.Asset.all().count() == 0
