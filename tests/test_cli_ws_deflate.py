"""`gql-media serve` negotiates WebSocket per-message deflate only when
`GQL_MEDIA_WS_PER_MESSAGE_DEFLATE` asks for it (a real server subprocess)."""

import asyncio
import signal
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import free_port
from tests.support.tls import TLS
from tests.test_cli import BIN, env_for, run


@pytest.mark.parametrize(("setting", "negotiated"), [(None, False), ("true", True)])
async def test_per_message_deflate_is_a_setting_off_by_default(
    tmp_path: Path, setting: str | None, negotiated: bool
) -> None:
    extra = {"HOST": "127.0.0.1", "PORT": str(free_port())}
    if setting is not None:
        extra["GQL_MEDIA_WS_PER_MESSAGE_DEFLATE"] = setting
    env = env_for(tmp_path / "data", **extra)
    code, _, err = await run("migrate", env=env)
    assert code == 0, err
    proc = await asyncio.create_subprocess_exec(
        str(BIN), "serve", env=env, stdout=asyncio.subprocess.DEVNULL
    )
    base = f"127.0.0.1:{env['PORT']}"
    try:
        async with httpx.AsyncClient(verify=TLS, base_url=f"http://{base}") as client:
            async with asyncio.timeout(30):
                while True:
                    try:
                        await client.get("/healthz")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
        # The client offers permessage-deflate (websockets does by default).
        async with websockets.connect(
            f"ws://{base}/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        ) as ws:
            assert ws.response is not None
            extensions = ws.response.headers.get("Sec-WebSocket-Extensions") or ""
            assert ("permessage-deflate" in extensions) is negotiated
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
