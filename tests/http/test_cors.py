"""CORS: a browser page on a listed origin may query, upload and subscribe; any other
foreign origin gets no grant over HTTP and no WebSocket. The setting, the headers and
the handshake are checked directly; then a real Chromium does it all from a page
served on another loopback port."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from pydantic import ValidationError

from gql_media import models
from gql_media.settings import CorsSettings, Settings
from tests.conftest import Server
from tests.support.browser import (
    LoopbackBrowser,
    browser_without_routes,
    screenshot_path,
)
from tests.support.graphql import upload
from tests.support.http_server import serve_files
from tests.support.media import make_image
from tests.support.tls import TLS

__all__ = ["browser_without_routes"]  # the fixture, used by name

FRONTEND = "http://frontend.test:5173"


def test_origins_parse_from_a_comma_separated_env_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().cors.allow_origins == []
    monkeypatch.setenv(
        "GQL_MEDIA_CORS__ALLOW_ORIGINS",
        "https://App.Example.com:443, http://localhost:5173/,http://[::1]:8080",
    )
    assert Settings().cors.allow_origins == [
        "https://app.example.com",
        "http://localhost:5173",
        "http://[::1]:8080",
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("*", "'*' is not allowed"),
        ("https://a.example.com, *", "'*' is not allowed"),
        ("https://a.example.com/app", "not an origin"),
        ("https://a.example.com?x=1", "not an origin"),
        ("https://user@a.example.com", "not an origin"),
        ("ftp://a.example.com", "not an origin"),
        ("a.example.com", "not an origin"),
        ("http://a.example.com:99999", "not an origin"),
        ("null", "not an origin"),
    ],
)
def test_wildcards_and_non_origins_are_refused(value: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        CorsSettings(allow_origins=value)  # type: ignore[arg-type]


@asynccontextmanager
async def api(settings: Settings, *origins: str) -> AsyncIterator[Server]:
    """The app served with `origins` allowed."""
    cors = CorsSettings(allow_origins=list(origins))
    server = Server(settings.model_copy(update={"cors": cors}))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": (
            "content-type, authorization, graphql-require-preflight"
        ),
    }


async def test_preflight_and_responses_grant_only_listed_origins(
    settings: Settings,
) -> None:
    async with (
        api(settings, FRONTEND) as server,
        httpx.AsyncClient(verify=TLS) as client,
    ):
        url = server.url + "/graphql"
        granted = await client.options(url, headers=preflight(FRONTEND))
        assert granted.status_code == 200
        assert granted.headers["access-control-allow-origin"] == FRONTEND
        assert granted.headers["access-control-allow-credentials"] == "true"
        allowed = granted.headers["access-control-allow-headers"].lower()
        for header in ("content-type", "authorization", "graphql-require-preflight"):
            assert header in allowed
        assert "POST" in granted.headers["access-control-allow-methods"]

        other = await client.options(url, headers=preflight("http://evil.test"))
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers

        query = {"query": "{ __typename }"}
        ok = await client.post(url, json=query, headers={"origin": FRONTEND})
        assert ok.headers["access-control-allow-origin"] == FRONTEND
        assert ok.json() == {"data": {"__typename": "Query"}}
        foreign = await client.post(
            url, json=query, headers={"origin": "http://a.test"}
        )
        assert "access-control-allow-origin" not in foreign.headers


async def test_no_origin_is_granted_by_default(server: Server) -> None:
    async with httpx.AsyncClient(verify=TLS) as client:
        response = await client.options(
            server.url + "/graphql", headers=preflight(FRONTEND)
        )
    assert "access-control-allow-origin" not in response.headers


async def handshake(server: Server, origin: str | None) -> str:
    """Open a graphql-transport-ws connection; the first message, or why not."""
    ws_url = server.url.replace("http://", "ws://") + "/graphql"
    try:
        async with websockets.connect(
            ws_url,
            origin=websockets.Origin(origin) if origin else None,
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            message: dict[str, Any] = json.loads(await ws.recv())
            return str(message["type"])
    except websockets.InvalidStatus as exc:
        return f"HTTP {exc.response.status_code}"


async def test_websockets_admit_listed_same_and_no_origin(settings: Settings) -> None:
    async with api(settings, FRONTEND) as server:
        assert await handshake(server, FRONTEND) == "connection_ack"
        assert await handshake(server, "http://evil.test") == "HTTP 403"
        assert await handshake(server, None) == "connection_ack"  # not a browser
        assert await handshake(server, server.url) == "connection_ack"


# The page another origin serves: plain fetch(), a multipart upload, and the
# graphql-transport-ws protocol over a raw WebSocket, as a frontend would.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>frontend</title></head><body>
<pre id="out">not run</pre>
<script>
const UPLOAD = `mutation ($file: Upload!) { uploadAsset(file: $file) {
  __typename ... on UploadAssetSuccess { asset { id } job { id } }
  ... on Error { code message } } }`;
const PROGRESS = `subscription ($id: ID!) { jobProgress(jobId: $id) {
  status asset { id status } } }`;

async function query(api) {
  const response = await fetch(api + "/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ assets { totalCount } }" }),
  });
  return await response.json();
}

async function upload(api) {
  const image = await (await fetch("/browser.png")).blob();
  const form = new FormData();
  const operations = { query: UPLOAD, variables: { file: null } };
  form.append("operations", JSON.stringify(operations));
  form.append("map", JSON.stringify({ 0: ["variables.file"] }));
  form.append("0", image, "browser.png");
  const response = await fetch(api + "/graphql", {
    method: "POST",
    headers: { "GraphQL-Require-Preflight": "1" },
    body: form,
  });
  return await response.json();
}

function subscribe(api, jobId) {
  return new Promise((resolve, reject) => {
    const url = api.replace("http", "ws") + "/graphql";
    const ws = new WebSocket(url, "graphql-transport-ws");
    const events = [];
    ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init" }));
    ws.onmessage = (message) => {
      const msg = JSON.parse(message.data);
      if (msg.type === "connection_ack") {
        ws.send(JSON.stringify({ id: "1", type: "subscribe",
          payload: { query: PROGRESS, variables: { id: jobId } } }));
      } else if (msg.type === "next") {
        events.push(msg.payload);
      } else if (msg.type === "complete") {
        ws.close(1000);
        resolve(events);
      } else if (msg.type === "error") {
        reject(new Error(JSON.stringify(msg.payload)));
      }
    };
    ws.onclose = (event) => reject(new Error("WebSocket closed: " + event.code));
  });
}

async function attempt(step) {
  try {
    return { ok: true, value: await step() };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

async function runAll(api, fallbackJobId) {
  const results = {};
  results.query = await attempt(() => query(api));
  results.upload = await attempt(() => upload(api));
  const uploaded = results.upload.ok && results.upload.value.data;
  const jobId = uploaded ? uploaded.uploadAsset.job.id : fallbackJobId;
  results.subscribe = await attempt(() => subscribe(api, jobId));
  document.getElementById("out").textContent = JSON.stringify(results, null, 2);
  return results;
}
</script></body></html>
"""


@asynccontextmanager
async def frontend(tmp_path: Path) -> AsyncIterator[str]:
    """The page and a small image, served on another loopback port; its origin."""
    image = make_image(tmp_path / "browser.png", 64, 36).read_bytes()
    files = {"/index.html": PAGE.encode(), "/browser.png": image}
    async with serve_files(files) as page_server:
        yield page_server.base_url


async def run_page(browser: LoopbackBrowser, page_url: str, api_url: str,
                   fallback_job: str | None = None) -> dict[str, Any]:  # fmt: skip
    page = await browser.new_page()
    await page.goto(page_url + "/index.html")
    results: dict[str, Any] = await page.evaluate(
        "([api, job]) => runAll(api, job)", [api_url, fallback_job]
    )
    return results


async def test_listed_origin_queries_uploads_and_subscribes_from_chromium(
    settings: Settings, browser_without_routes: LoopbackBrowser, tmp_path: Path
) -> None:
    browser = browser_without_routes
    async with frontend(tmp_path) as origin, api(settings, origin) as server:
        results = await run_page(browser, origin, server.url)
        page = browser.context.pages[-1]
        await page.screenshot(path=screenshot_path("cors-allowed"))
    assert results["query"] == {
        "ok": True,
        "value": {"data": {"assets": {"totalCount": 0}}},
    }
    assert results["upload"]["ok"], results["upload"]
    uploaded = results["upload"]["value"]["data"]["uploadAsset"]
    assert uploaded["__typename"] == "UploadAssetSuccess", uploaded
    assert results["subscribe"]["ok"], results["subscribe"]
    last = results["subscribe"]["value"][-1]["data"]["jobProgress"]
    assert last == {
        "status": "SUCCEEDED",
        "asset": {"id": uploaded["asset"]["id"], "status": "READY"},
    }
    assert browser.blocked == []


async def test_unlisted_origin_is_refused_from_chromium(
    settings: Settings, browser_without_routes: LoopbackBrowser, tmp_path: Path
) -> None:
    browser = browser_without_routes
    async with frontend(tmp_path) as origin:
        # Listed: the same port under another host name, which is another origin.
        other = origin.replace("127.0.0.1", "localhost")
        async with api(settings, other) as server:
            # A job to subscribe to, made by a non-browser client.
            made = await upload(server.url, make_image(tmp_path / "made.png"))
            job_id = made.json()["data"]["uploadAsset"]["job"]["id"]
            results = await run_page(browser, origin, server.url, job_id)
    assert results["query"] == {"ok": False, "error": "TypeError: Failed to fetch"}
    assert results["upload"] == {"ok": False, "error": "TypeError: Failed to fetch"}
    assert results["subscribe"]["ok"] is False
    assert "WebSocket closed: 1006" in results["subscribe"]["error"]
    # The refused preflight kept the upload from being sent at all.
    assert await models.Asset.filter(original_filename="browser.png").count() == 0
    assert browser.blocked == []
