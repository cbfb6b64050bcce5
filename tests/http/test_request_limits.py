"""Request bodies, query strings and WebSocket messages are capped while read
(`limits.max_request_bytes`), and JSON metadata is bounded before serialising."""

import asyncio
import json

import httpx
import pytest
import websockets

from gql_media import models
from tests.conftest import Server
from tests.support.graphql import gql
from tests.support.tls import TLS

MiB = 1024 * 1024


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "TOO_LARGE"
    assert str(MiB) in error["message"]


async def test_a_big_string_literal_in_a_short_document_is_refused(
    server: Server,
) -> None:
    """A 5 MB literal is a few tokens: only a byte cap stops it."""
    query = '{ asset(id: "' + "x" * (5 * MiB) + '") { id } }'
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=30) as client:
        response = await client.post("/graphql", json={"query": query})
    _refused(response)


async def test_a_chunked_body_is_counted_while_it_arrives(server: Server) -> None:
    """No Content-Length to trust: the cap applies to the bytes received. A raw
    client sends 64 KiB chunks while it listens, and hears 413 long before the
    4 MiB it would send."""
    host, port = server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"transfer-encoding: chunked\r\n\r\n"
    )
    answer = asyncio.create_task(reader.readuntil(b"\r\n\r\n"))
    sent = 0
    try:
        opening = b'{"query": "{ stats { assetCount } }", "variables": {"m": "'
        for chunk in [opening] + [b"y" * (64 * 1024)] * 64:
            if answer.done():
                break
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            sent += len(chunk)
            await asyncio.sleep(0.01)
        head = await asyncio.wait_for(answer, 30)
    except ConnectionError:  # the server may close once it has answered
        head = await asyncio.wait_for(answer, 30)
    finally:
        writer.close()
    assert head.startswith(b"HTTP/1.1 413"), head
    assert sent < 2 * MiB, sent  # refused at the crossing, not after the whole body


async def test_a_big_metadata_variable_is_refused_before_it_is_parsed(
    server: Server,
) -> None:
    """10 MB of tiny keys: refused by size, not parsed into 800,000 dict entries."""
    metadata = "{" + ",".join(f'"k{i}":0' for i in range(800_000)) + "}"
    body = (
        '{"query": "mutation ($m: JSON!) { importAsset(input: {url: '
        '\\"http://127.0.0.1:9/a\\", metadata: $m}) { __typename } }", '
        '"variables": {"m": ' + metadata + "}}"
    ).encode()
    assert len(body) > 8 * MiB
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=30) as client:
        response = await client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
    _refused(response)
    assert await models.Asset.all().count() == 0


async def test_a_body_under_the_cap_still_works(server: Server) -> None:
    padding = "#" + "p" * (MiB // 2) + "\n"  # a comment is no token
    body = await gql(server.url, padding + "{ stats { assetCount } }")
    assert body["data"]["stats"]["assetCount"] == 0


async def test_a_long_query_string_is_refused(server: Server) -> None:
    server.settings.limits.max_request_bytes = 2048
    query = "{ stats { assetCount } }" + " " * 4096
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=30) as client:
        response = await client.get("/graphql", params={"query": query})
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "TOO_LARGE"
        short = await client.get("/graphql", params={"query": query.strip()})
        assert short.status_code == 200, short.text


async def test_a_websocket_message_over_the_cap_closes_the_socket(
    server: Server,
) -> None:
    server.settings.limits.max_request_bytes = 4096
    url = server.url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(
        url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = "subscription { __typename }" + " " * 8192
        payload = {"id": "1", "type": "subscribe", "payload": {"query": query}}
        await ws.send(json.dumps(payload))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_deeply_nested_metadata_is_a_typed_error(server: Server) -> None:
    nested: object = 1
    for _ in range(100):
        nested = {"a": nested}
    body = await gql(
        server.url,
        "mutation ($m: JSON!) { importAsset(input: {url: "
        '"http://127.0.0.1:9/a", metadata: $m}) '
        "{ __typename ... on Error { code message } } }",
        {"m": nested},
    )
    result = body["data"]["importAsset"]
    assert result["__typename"] == "InvalidInputError", result
    assert "deeper" in result["message"]
    assert await models.Asset.all().count() == 0
