"""A small GraphQL client for tests: JSON posts, multipart uploads, and
graphql-transport-ws subscriptions, all over real HTTP on loopback."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import websockets

from tests.support.tls import TLS

PREFLIGHT = {"GraphQL-Require-Preflight": "1"}


def bearer(token: str | None) -> dict[str, str]:
    """The Authorization header of `token` (none for None)."""
    return {"Authorization": f"Bearer {token}"} if token else {}


async def gql(
    base_url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    """POST a query (with `token` as bearer); returns the whole response body."""
    async with httpx.AsyncClient(verify=TLS, base_url=base_url, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=bearer(token),
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def data(
    base_url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
) -> dict[str, Any]:
    """POST a query that must succeed; returns `data`."""
    body = await gql(base_url, query, variables, token=token)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


UPLOAD = """
mutation ($file: Upload!, $input: UploadAssetInput) {
  uploadAsset(file: $file, input: $input) {
    __typename
    ... on UploadAssetSuccess {
      isDuplicate
      asset { id status checksum sizeBytes name }
      job { id status }
    }
    ... on Error { code message }
  }
}
"""


async def upload(
    base_url: str,
    path: Path,
    *,
    input: dict[str, Any] | None = None,
    headers: dict[str, str] | None = PREFLIGHT,
    query: str = UPLOAD,
    filename: str | None = None,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    """Send `path` as a GraphQL multipart request (streamed from disk), as
    `filename` (default: its own name) of `content_type`."""
    operations = {"query": query, "variables": {"file": None, "input": input}}
    with path.open("rb") as fh:
        files = {
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.file"]}), "application/json"),
            "0": (filename or path.name, fh, content_type),
        }
        async with httpx.AsyncClient(
            verify=TLS, base_url=base_url, timeout=60
        ) as client:
            return await client.post("/graphql", files=files, headers=headers or {})


async def subscribe(
    base_url: str,
    query: str,
    variables: dict[str, Any],
    *,
    token: str | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Yield each `next` payload of a graphql-transport-ws subscription until
    `complete`; an `error` message is raised."""
    ws_url = base_url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(
        ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        init: dict[str, Any] = {"type": "connection_init"}
        if token:
            init["payload"] = {"authorization": f"Bearer {token}"}
        await ws.send(json.dumps(init))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "next":
                yield message["payload"]
            elif message["type"] == "complete":
                return
            elif message["type"] == "error":
                raise AssertionError(f"subscription error: {message['payload']}")
