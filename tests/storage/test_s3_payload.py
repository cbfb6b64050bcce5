"""s3_payload: how aiohttp sends a FilePart, over a real loopback HTTP server."""

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiobotocore._endpoint_helpers import _IOBaseWrapper
from aiohttp import payload, web

from gql_media.storage.file_part import FilePart
from gql_media.storage.s3_payload import READ_BYTES, FilePartPayload


@pytest.fixture
async def echo() -> AsyncIterator[str]:
    """A server answering each PUT with the length and SHA-256 of its body."""

    async def digest(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(text=f"{len(body)} {hashlib.sha256(body).hexdigest()}")

    app = web.Application(client_max_size=16 * READ_BYTES)
    app.router.add_put("/", digest)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


def test_a_part_and_aiobotocores_proxy_of_it_get_the_payload(tmp_path: Path) -> None:
    source = tmp_path / "file"
    source.write_bytes(b"x" * 100)
    with FilePart(source, 10, 50) as part:
        for body in (part, _IOBaseWrapper(part)):
            sent = payload.PAYLOAD_REGISTRY.get(body, disposition=None)
            assert isinstance(sent, FilePartPayload)
            assert sent.size == 50


async def test_a_part_goes_whole_each_time_it_is_sent(
    echo: str, tmp_path: Path
) -> None:
    """The body of a retried request starts again at the part's first byte,
    however much of it an earlier attempt read."""
    data = os.urandom(3 * READ_BYTES + 12345)
    source = tmp_path / "file"
    source.write_bytes(data)
    start, length = 1000, 2 * READ_BYTES + 777  # several reads, a short last one
    expected = data[start : start + length]
    answer = f"{length} {hashlib.sha256(expected).hexdigest()}"
    with FilePart(source, start, length) as part:
        async with aiohttp.ClientSession() as session:
            for _ in range(2):
                async with session.put(echo, data=_IOBaseWrapper(part)) as response:
                    assert await response.text() == answer
                part.read(READ_BYTES)  # as an attempt cut short would leave it
