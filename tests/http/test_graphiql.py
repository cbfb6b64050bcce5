"""GraphiQL works offline: its files come from this server, pinned and checked by
subresource integrity, and a real Chromium with no network but loopback loads it,
runs a mutation and a query, and follows a jobProgress subscription to its end."""

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import httpx
import strawberry
from playwright.async_api import Page

from gql_media.http.graphiql import VENDOR_DIR, VENDOR_FILES
from tests.conftest import Server
from tests.support.browser import LoopbackBrowser, browser, screenshot_path
from tests.support.http_server import serve_files
from tests.support.media import make_video
from tests.support.tls import TLS

__all__ = ["browser"]  # the fixture, used by name

STRAWBERRY_PAGE = Path(strawberry.__file__).parent / "static" / "graphiql.html"


def sha384(path: Path) -> str:
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def test_vendor_files_match_their_pins_and_strawberrys() -> None:
    """Each served file hashes to its pin, and the pin is the one Strawberry's page
    gives for the same npm file on the CDN: the bytes are the published ones."""
    strawberry_pins = dict(
        re.findall(
            r'(?:src|href)="https://unpkg\.com/([^"]+)"\s+integrity="([^"]+)"',
            STRAWBERRY_PAGE.read_text(),
        )
    )
    for file in VENDOR_FILES:
        assert sha384(VENDOR_DIR / file.path) == file.integrity, file.path
        name = file.path.split("/", 1)[1]
        assert strawberry_pins[f"{file.package}/{name}"] == file.integrity
        # The licence travels with the code.
        assert (VENDOR_DIR / file.path.split("/")[0] / "LICENSE").is_file()


async def test_page_references_only_this_server(server: Server) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert [u for u in urls if not u.startswith("data:")] == [
            f.url for f in VENDOR_FILES
        ]
        for file in VENDOR_FILES:
            assert f'integrity="{file.integrity}"' in page.text
            served = await client.get(file.url)
            assert served.status_code == 200, file.url
            digest = base64.b64encode(hashlib.sha384(served.content).digest())
            assert file.integrity == "sha384-" + digest.decode()


IMPORT = """mutation {
  importAsset(input: {url: "%s"}) {
    __typename
    ... on ImportAssetSuccess { asset { id } job { id } }
    ... on Error { code message }
  }
}"""

PROGRESS = """subscription {
  jobProgress(jobId: "%s") { status stage progress asset { id status } }
}"""

ASSETS = """{
  assets(first: 5) { edges { node { id status kind } } }
}"""


EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror"
BUTTON = "document.querySelector('.graphiql-execute-button')"


async def run_in_graphiql(page: Page, query: str) -> dict[str, Any]:
    """Put `query` in the editor, press the run button, and return the response
    pane once the operation is over (a subscription: after it completed)."""
    await page.evaluate(f"q => {EDITOR}.setValue(q)", query)
    # GraphiQL parses the edit after a debounce, then calls the page's onEditQuery,
    # which writes it to the URL; until then it would run the previous operation.
    await page.wait_for_function(
        "q => new URLSearchParams(location.search).get('q') === q", arg=query
    )
    await page.evaluate(f"() => {RESPONSE}.setValue('')")
    await page.click(".graphiql-execute-button")
    # The button reads "Stop query" while the operation (or subscription) runs.
    await page.wait_for_function(
        f"() => {RESPONSE}.getValue() !== '' &&"
        f" {BUTTON}.getAttribute('aria-label').startsWith('Execute')",
        timeout=60_000,
    )
    return json.loads(await page.evaluate(f"() => {RESPONSE}.getValue()"))


async def test_graphiql_runs_offline_in_chromium(
    server: Server, browser: LoopbackBrowser, tmp_path: Path
) -> None:
    make_video(tmp_path / "clip.mp4", width=320, height=180, fps=10, seconds=1.0)
    page = await browser.new_page()
    await page.goto(server.url + "/graphql")
    # Anything fetched from elsewhere (a CDN) was refused: fail on that, clearly,
    # rather than on a page stuck at "Loading...".
    assert browser.blocked == []
    await page.wait_for_selector(".graphiql-execute-button", timeout=30_000)

    async with serve_files(tmp_path) as source:
        started = await run_in_graphiql(page, IMPORT % source.url("/clip.mp4"))
        result = started["data"]["importAsset"]
        assert result["__typename"] == "ImportAssetSuccess", result
        final = await run_in_graphiql(page, PROGRESS % result["job"]["id"])
    event = final["data"]["jobProgress"]
    assert event["status"] == "SUCCEEDED", final
    assert event["asset"] == {"id": result["asset"]["id"], "status": "READY"}
    ws_url = server.url.replace("http://", "ws://") + "/graphql"
    assert browser.websockets == [ws_url]  # the subscription went over WebSocket
    await page.screenshot(path=screenshot_path("graphiql-subscription"))

    listed = await run_in_graphiql(page, ASSETS)
    nodes = [edge["node"] for edge in listed["data"]["assets"]["edges"]]
    assert nodes == [{"id": result["asset"]["id"], "status": "READY", "kind": "VIDEO"}]

    await page.screenshot(path=screenshot_path("graphiql-query"))
    assert browser.blocked == []
    assert browser.errors == []
