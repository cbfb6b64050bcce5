"""The graphql-http audit (github.com/graphql/graphql-http, src/audits/server.ts),
replayed case by case against the served app.

Each case keeps the audit's id, so a failure names the audit line it breaks. One
server answers all cases of a test (starting one per case would be slow).
"""

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.conftest import Server
from tests.support.tls import TLS

NEW = "application/graphql-response+json"
JSON_HEADERS = {"content-type": "application/json"}
UNKNOWN_FIELD = "{ 8f31403dfe404bccbb0e835f2629c6a7 }"
TYPE_QUERY = "query Type($name: String!) { __type(name: $name) { name } }"
MISSING = object()  # the body has no key at all


@dataclass
class Case:
    """One audit: a request and what the answer must show."""

    id: str
    accept: str | None = None
    body: Any = MISSING  # JSON-encoded unless bytes
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    status: int | tuple[int, int] = 200
    media_type: str | None = None  # the answer's content-type must contain it
    no_errors: bool = False
    no_data: bool = False

    async def check(self, client: httpx.AsyncClient) -> list[str]:
        headers = {}
        if self.accept is not None:
            headers["accept"] = self.accept
        if self.content_type is not None and self.method == "POST":
            headers["content-type"] = self.content_type
        content = None
        if self.body is not MISSING:
            content = (
                self.body if isinstance(self.body, bytes) else json.dumps(self.body)
            )
        response = await client.request(
            self.method, "/graphql", headers=headers, content=content,
            params=self.params,
        )  # fmt: skip
        problems = []
        low, high = (
            self.status if isinstance(self.status, tuple) else (self.status,) * 2
        )
        if not low <= response.status_code <= high:
            problems.append(f"status {response.status_code}, want {self.status}")
        answered = response.headers.get("content-type", "")
        if self.media_type and self.media_type not in answered:
            problems.append(f"content-type {answered!r}, want {self.media_type}")
        if self.no_errors or self.no_data:
            body = response.json()
            if self.no_errors and "errors" in body:
                problems.append(f"errors in {body}")
            if self.no_data and "data" in body:
                problems.append(f"data entry in {body}")
        return [f"{self.id}: {problem}" for problem in problems]


TYPENAME = {"query": "{ __typename }"}

# Response application/graphql-response+json, and the cases that accept it.
NEW_MEDIA_TYPE = [
    Case("22EB", accept=NEW, body=TYPENAME, media_type=NEW),
    Case("34A2", accept=NEW, body=TYPENAME),
    Case("8161", accept=NEW,
         body={"operationName": "Query", "query": "query Query { __typename }"}),
    *[
        Case(f"94B{i}", accept=NEW, body={**TYPENAME, name: None}, no_errors=True)
        for i, name in enumerate(["variables", "operationName", "extensions"])
    ],
    Case("2EA1", accept=NEW,
         body={"query": TYPE_QUERY, "variables": {"name": "sometype"}}),
    Case("428F", accept=NEW, body={**TYPENAME, "extensions": {"some": "value"}}),
    Case("D6D5", accept=NEW, method="GET", no_errors=True,
         params={"query": TYPE_QUERY, "variables": '{"name": "sometype"}'}),
    Case("9C48", accept=NEW, method="GET", params={"query": "mutation { __typename }"},
         status=(400, 499)),
    Case("423L", accept=NEW, body={"notquery": "{ __typename }"}, status=400),
    Case("B7N8", accept=NEW, body=b'{ "not a JSON', status=400),
    Case("865D", accept=NEW, body={"query": "{"}, status=(400, 599)),
    Case("556A", accept=NEW, body={"query": "{"}, status=400, media_type=NEW),
    Case("D586", accept=NEW, body={"query": "{"}, status=400, no_data=True),
    Case("51FE", accept=NEW, body={"query": UNKNOWN_FIELD}, status=(400, 599)),
    Case("74FF", accept=NEW, body={"query": UNKNOWN_FIELD}, status=400),
    Case("5E5B", accept=NEW, body={"query": UNKNOWN_FIELD}, no_data=True, status=400),
    Case("86EE", accept=NEW, status=400, no_data=True,
         body={"query": "query CoerceFailure($id: ID!){ __typename }",
               "variables": {"id": None}}),
]  # fmt: skip

# application/json keeps the legacy answers existing clients rely on (200 with
# errors for parse, validation and coercion failures), and the request checks.
LEGACY_AND_REQUEST = [
    Case("4655", accept="application/json", body=TYPENAME, media_type="json"),
    Case("47DE", accept="*/*", body=TYPENAME, media_type="application/json"),
    Case("80D8", body=TYPENAME, media_type="application/json"),
    Case("BF61", content_type="application/json; charset=utf-8",
         body={"query": '{ __type(name: "Run🏃Swim🏊") { name } }'}),
    Case("5A70", method="GET", params={"query": "{ __typename }"}),
    Case("9ABE", content_type=None, body=TYPENAME, status=(400, 499)),
    Case("A5BF", status=400),
    *[Case(f"LKJ{i}", body={"query": bad}, status=400)
      for i, bad in enumerate([{"obj": "ect"}, 0, False, ["array"]])],
    Case("13EE", accept="application/json", body=TYPENAME, no_errors=True),
    *[Case(f"6C0{i}", body={**TYPENAME, "operationName": bad}, status=400)
      for i, bad in enumerate([{"obj": "ect"}, 0, False, ["array"]])],
    Case("B8B3", accept="application/json", no_errors=True,
         body={"operationName": "Query", "query": "query Query { __typename }"}),
    *[Case(f"022{i}", accept="application/json", body={**TYPENAME, name: None},
           no_errors=True)
      for i, name in enumerate(["variables", "operationName", "extensions"])],
    *[Case(f"476{i}", body={**TYPENAME, "variables": bad}, status=400)
      for i, bad in enumerate(["string", 0, False, ["array"]])],
    Case("28B9", accept="application/json", no_errors=True,
         body={"query": TYPE_QUERY, "variables": {"name": "sometype"}}),
    Case("6A70", accept="application/json", method="GET", no_errors=True,
         params={"query": TYPE_QUERY, "variables": '{"name": "sometype"}'}),
    *[Case(f"58B{i}", body={**TYPENAME, "extensions": bad}, status=400)
      for i, bad in enumerate(["string", 0, False, ["array"]])],
    Case("1B7A", accept="application/json", no_errors=True,
         body={**TYPENAME, "extensions": {"some": "value"}}),
    Case("BCF8", accept="application/json", body=b'{ "not a JSON', status=400),
    Case("3E3A", body={"qeury": "{ __typename }"}, status=400),
    Case("572B", accept="application/json", body={"query": "{"}),
    Case("FDE2", accept="application/json", body={"query": UNKNOWN_FIELD}),
    Case("7B9B", accept="application/json",
         body={"query": "query CoerceFailure($id: ID!){ __typename }",
               "variables": {"id": None}}),
]  # fmt: skip


async def _run(server: Server, cases: list[Case]) -> list[str]:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=30) as client:
        return [problem for case in cases for problem in await case.check(client)]


async def test_application_graphql_response_json_follows_the_spec(
    server: Server,
) -> None:
    assert await _run(server, NEW_MEDIA_TYPE) == []


async def test_application_json_answers_stay_compatible(server: Server) -> None:
    assert await _run(server, LEGACY_AND_REQUEST) == []


async def test_a_field_error_keeps_data_and_200_under_the_new_media_type(
    server: Server,
) -> None:
    """Only failures before execution lose `data`: a field error that nulls the
    whole result (here a non-null root field) is still a 200 with `data: null`."""
    query = "{ assets(first: 1000) { __typename } }"
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=30) as client:
        response = await client.post(
            "/graphql", json={"query": query}, headers={"accept": NEW}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["assets"]
    assert NEW in response.headers["content-type"]
