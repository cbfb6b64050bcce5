"""The `webhook` uploader against an in-house endpoint on loopback: a Standard
Webhooks signature our Replicate receiver accepts, a presigned link to the
verified file, the same delivery id on a retry, and its error mapping."""

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gql_media.services.assets.replicate import verify_replicate
from gql_media.services.publishing.uploaders.webhook import build
from gql_media.settings import Settings
from tests.conftest import Server, free_port
from tests.publishing.conftest import publish, store_video, wait_for
from tests.support.tls import TLS

SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHM="


@dataclass
class Receiver:
    url: str = ""
    # Where relative links point (local storage links are relative when the
    # server has no public base URL).
    base: str = ""
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    import uvicorn

    state = Receiver()

    async def hook(request: Request) -> JSONResponse:
        body = await request.body()
        delivery_id = verify_replicate(
            request.headers, body, SECRET, tolerance=300, now=time.time()
        )
        payload = json.loads(body)
        state.deliveries.append({"id": delivery_id, **payload})
        if state.answers:
            status, headers = state.answers.pop(0)
            return JSONResponse({"error": "not now"}, status, headers=headers)
        # Pull the file, as a platform does.
        async with httpx.AsyncClient(verify=TLS) as client:
            video = await client.get(urljoin(state.base, payload["video"]["url"]))
        assert video.status_code == 200
        digest = hashlib.sha256(video.content).hexdigest()
        state.fetched.append(digest)
        return JSONResponse({"post_id": f"inhouse-{len(state.fetched)}"})

    port = free_port()
    state.url = f"http://127.0.0.1:{port}/hook"
    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield state
    server.should_exit = True
    await task


@pytest.fixture
def settings(settings: Settings, receiver: Receiver) -> Settings:
    settings.publishing.webhook_url = receiver.url
    settings.publishing.webhook_secret = SECRET
    return settings


async def test_signed_delivery_with_a_link_to_the_verified_file(
    server: Server, receiver: Receiver
) -> None:
    receiver.base = server.url
    asset = await store_video(server.runtime)
    receiver.answers = [(503, {}), (429, {"Retry-After": "0.2"})]
    pub_id = (await publish(server.url, asset.id, "webhook"))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert (row["status"], row["postId"]) == ("SUCCESS", "inhouse-1")
    assert row["retryCount"] == 1  # the 503; the 429 is not a failure
    assert receiver.fetched == [asset.checksum]
    # One delivery id for the publication, sent again on each retry.
    assert len({d["id"] for d in receiver.deliveries}) == 1
    assert len(receiver.deliveries) == 3
    assert receiver.deliveries[0]["video"]["sha256"] == asset.checksum


async def test_a_refusal_is_final_with_the_endpoint_words(
    server: Server, receiver: Receiver
) -> None:
    asset = await store_video(server.runtime)
    receiver.answers = [(422, {})]
    pub_id = (await publish(server.url, asset.id, "webhook"))["publication"]["id"]
    row = await wait_for(server.url, pub_id)
    assert row["status"] == "FAILED_FINAL"
    assert "422" in row["lastError"] and "not now" in row["lastError"]


def test_build_needs_url_and_secret(tmp_path: Any) -> None:
    assert build(Settings(data_dir=tmp_path)) is None
    assert (
        build(Settings(data_dir=tmp_path, publishing={"webhook_url": "http://x"}))
        is None
    )
