"""Subscriptions speak graphql-transport-ws only, and a socket that never sends
connection_init is closed after `limits.ws_init_timeout_seconds`."""

import asyncio
import json
from pathlib import Path

import pytest
import websockets

from gql_media.settings import Settings
from tests.conftest import Server, make_settings

INIT_TIMEOUT = 0.5


@pytest.fixture
def settings(tmp_path: Path, clean_db: str) -> Settings:
    return make_settings(
        tmp_path / "data", clean_db, limits={"ws_init_timeout_seconds": INIT_TIMEOUT}
    )


def _ws_url(server: Server) -> str:
    return server.url.replace("http://", "ws://") + "/graphql"


async def test_the_legacy_graphql_ws_protocol_is_refused(server: Server) -> None:
    async with websockets.connect(
        _ws_url(server), subprotocols=[websockets.Subprotocol("graphql-ws")]
    ) as ws:
        assert ws.subprotocol is None  # nothing negotiated
        # A legacy client starts with connection_init; the server has closed.
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.send(json.dumps({"type": "connection_init"}))
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406


async def test_graphql_transport_ws_is_offered_and_works(server: Server) -> None:
    async with websockets.connect(
        _ws_url(server),
        subprotocols=[
            websockets.Subprotocol("graphql-ws"),
            websockets.Subprotocol("graphql-transport-ws"),
        ],
    ) as ws:
        assert ws.subprotocol == "graphql-transport-ws"
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"


async def test_a_socket_without_connection_init_is_closed(server: Server) -> None:
    async with websockets.connect(
        _ws_url(server), subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        # Generous against a busy machine, far below the old 60 s default.
        async with asyncio.timeout(INIT_TIMEOUT + 10):
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


def test_the_default_init_timeout_is_ten_seconds() -> None:
    assert Settings().limits.ws_init_timeout_seconds == 10
