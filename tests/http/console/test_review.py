"""The player's review sections in a real Chromium (loopback only): the task's
versions with the approved one marked, an annotation's rectangle drawn over the
video at its time (and not before), scaled to the video's size on screen, its
reply, and a publication to the `webhook` platform that fails once and succeeds,
followed live."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gql_media.services.publishing import audit
from gql_media.settings import Settings
from tests.conftest import Server, free_port, wait_for_job
from tests.reviews.support import decide, ready_asset, upload_version
from tests.support.browser import LoopbackBrowser, browser
from tests.support.console import open_console, screenshot
from tests.support.graphql import data
from tests.support.media import make_video

__all__ = ["browser"]  # the fixture, used by name

# What is under test is the browser's side; the API under it runs on both
# databases in its own tests. One backend keeps these seconds, not a minute.
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

ANNOTATE = """
mutation ($id: ID!, $input: AddAnnotationInput!) {
  addAnnotation(assetId: $id, input: $input) {
    __typename
    ... on AnnotationSuccess { annotation { id } }
    ... on Error { code message }
  }
}
"""
PUBLISH = """
mutation ($id: ID!) {
  publishAsset(input: {assetId: $id, platform: "webhook"}) {
    __typename ... on PublishAssetSuccess { publication { id } } ... on Error { code }
  }
}
"""
# The rectangle of the annotation at 1.5 s, as fractions of the frame.
RECT = {"x": 0.25, "y": 0.2, "width": 0.5, "height": 0.4}


@dataclass
class Endpoint:
    """An in-house publishing endpoint on loopback: it answers each delivery
    with the next status of `answers`, then 200 with a post id."""

    url: str
    answers: list[int] = field(default_factory=list)


@pytest.fixture
async def webhook() -> AsyncIterator[Endpoint]:
    endpoint = Endpoint(f"http://127.0.0.1:{free_port()}/hook")

    async def hook(request: Request) -> JSONResponse:
        await request.body()
        status = endpoint.answers.pop(0) if endpoint.answers else 200
        if status != 200:
            return JSONResponse({"error": "busy"}, status)
        return JSONResponse({"post_id": "inhouse-1", "url": "http://127.0.0.1:9/p/1"})

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    port = urlsplit(endpoint.url).port
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield endpoint
    server.should_exit = True
    await task
    audit.close_all()  # the publication trail's log file


@pytest.fixture
def settings(settings: Settings, webhook: Endpoint) -> Settings:
    """The `webhook` platform posting to the endpoint, retrying within a second."""
    settings.publishing.webhook_url = webhook.url
    settings.publishing.webhook_secret = "a-secret"
    settings.publishing.retry_base_seconds = 0.3
    settings.publishing.retry_max_seconds = 0.3
    return settings


async def version(server: Server, clip: Path, **input: Any) -> str:
    result = await upload_version(server.url, clip, project="SWA", **input)
    assert result["__typename"] == "CreateAssetVersionSuccess", result
    job = await wait_for_job(result["job"]["id"])
    assert job.status.value == "SUCCEEDED", job.error_message
    return str(result["asset"]["id"])


async def annotate(server: Server, asset_id: str, **input: Any) -> str:
    result = (await data(server.url, ANNOTATE, {"id": asset_id, "input": input}))[
        "addAnnotation"
    ]
    assert result["__typename"] == "AnnotationSuccess", result
    return str(result["annotation"]["id"])


async def boxes(page: Any, *selectors: str) -> list[dict[str, float]]:
    found = []
    for selector in selectors:
        box = await page.locator(selector).bounding_box()
        assert box, selector
        found.append(box)
    return found


async def test_versions_annotations_and_publications_on_the_player(
    server: Server, browser: LoopbackBrowser, webhook: Endpoint, tmp_path: Path
) -> None:
    first = make_video(tmp_path / "v1.mp4", width=320, height=180, fps=10, seconds=1)
    second = make_video(tmp_path / "v2.mp4", width=960, height=540, fps=10, seconds=3)
    task = {"task": "ep01_sh010_light"}
    v1 = await version(server, first, description="first pass", **task)
    v2 = await version(server, second, description="warmer key light", **task)
    for mutation, asset_id in [
        ("submitForReview", v1),
        ("approveVersion", v1),
        ("submitForReview", v2),
    ]:
        result = await decide(server.url, mutation, asset_id, note="looks right")
        assert result["__typename"] == "ReviewDecisionSuccess", result
    point = await annotate(
        server, v2, text="logo too small", atSeconds=0.2, position={"x": 0.9, "y": 0.1}
    )
    rect = await annotate(
        server, v2, text="too dark here", atSeconds=1.5,
        position={"x": RECT["x"], "y": RECT["y"]},
        shape={"kind": "RECTANGLE", "width": RECT["width"], "height": RECT["height"]},
    )  # fmt: skip
    await annotate(server, v2, text="fixed in the next one", parentId=rect)

    page = await open_console(browser, server, f"/assets/{v2}")
    await page.wait_for_function(
        "() => { const v = document.querySelector('.player video');"
        " return !!v && v.readyState >= 1 && v.videoWidth === 960; }",
        timeout=20_000,
    )

    # Versions: v001 approved and marked, v002 (on screen) pending.
    versions = page.locator("[data-section=versions] li[data-version]")
    await versions.nth(1).wait_for()
    assert [await v.get_attribute("data-version") for v in await versions.all()] == [
        "v001",
        "v002",
    ]
    approved = page.locator('li[data-version="v001"]')
    assert await approved.get_attribute("data-review-status") == "APPROVED"
    assert await approved.locator(".approved-mark").is_visible()
    assert await approved.locator(f'a[href="#/assets/{v1}"]').count() == 2
    shown = page.locator('li[data-version="v002"]')
    assert await shown.get_attribute("data-review-status") == "PENDING"
    assert "current" in (await shown.get_attribute("class") or "")
    assert await shown.locator(".approved-mark").count() == 0

    # Annotations: listed in time order with the reply; none drawn at 0 s.
    notes = page.locator("[data-section=annotations] li.annotation")
    await notes.nth(1).wait_for()
    assert [await n.get_attribute("data-annotation-id") for n in await notes.all()] == [
        point,
        rect,
    ]
    assert (
        "fixed in the next one" in await notes.nth(1).locator(".replies").inner_text()
    )
    overlay = page.locator(".player .annotation-overlay")
    await overlay.wait_for(state="attached")
    assert (
        await page.evaluate("() => document.querySelector('.player video').currentTime")
        == 0
    )
    assert await page.locator(".annotation-mark").count() == 0

    # Clicking the annotation shows its frame, with the rectangle drawn over it.
    await notes.nth(1).locator("button.seek").click()
    mark = page.locator(f'.annotation-mark[data-annotation-id="{rect}"]')
    await mark.wait_for()
    assert await page.evaluate(
        "() => document.querySelector('.player video').currentTime"
    ) == pytest.approx(1.5, abs=0.01)
    assert await page.locator(".annotation-mark").count() == 1  # not the 0.2 s one
    assert await mark.is_visible()
    assert "on-screen" in (await notes.nth(1).get_attribute("class") or "")
    # Once the seek shows the frame (not the poster, whose size the element had),
    # the overlay follows the element's new size.
    await page.wait_for_function(
        "() => { const v = document.querySelector('.player video');"
        " const o = document.querySelector('.annotation-overlay');"
        " return v.clientWidth > 400"
        " && Math.abs(o.getBoundingClientRect().width - v.clientWidth) < 1; }"
    )
    video, svg, shape = await boxes(
        page,
        ".player video",
        ".annotation-overlay",
        f'.annotation-mark[data-annotation-id="{rect}"] rect.annotation-shape',
    )
    # The overlay covers the picture (960x540, shown smaller on this page) ...
    assert 400 < video["width"] < 950
    for key in ("x", "y", "width", "height"):
        assert svg[key] == pytest.approx(video[key], abs=1), key
    # ... and the rectangle is where its fractions put it on that size.
    assert shape["x"] == pytest.approx(video["x"] + RECT["x"] * video["width"], abs=2)
    assert shape["y"] == pytest.approx(video["y"] + RECT["y"] * video["height"], abs=2)
    assert shape["width"] == pytest.approx(RECT["width"] * video["width"], abs=3)
    assert shape["height"] == pytest.approx(RECT["height"] * video["height"], abs=3)

    # Later than its second: gone again.
    await page.evaluate(
        "() => { document.querySelector('.player video').currentTime = 2.8; }"
    )
    await mark.wait_for(state="detached")

    # A publication made while the page is open: the endpoint is busy once, the
    # retry posts it; the row follows live.
    webhook.answers.append(503)
    published = (await data(server.url, PUBLISH, {"id": v2}))["publishAsset"]
    assert published["__typename"] == "PublishAssetSuccess", published
    pub_id = published["publication"]["id"]
    row = page.locator(f'li.publication[data-publication-id="{pub_id}"]')
    await page.locator(
        f'li.publication[data-publication-id="{pub_id}"][data-status="SUCCESS"]'
    ).wait_for(timeout=30_000)
    assert await row.get_attribute("data-platform") == "webhook"
    assert await row.locator("[data-attempts]").get_attribute("data-attempts") == "2"
    assert "1 failed" in await row.inner_text()
    assert "inhouse-1" in await row.inner_text()
    trail = await row.locator(".trail li").all_inner_texts()
    assert trail[0] == "pending" and "failed" in trail and trail[-1] == "success", trail

    await page.evaluate(
        "() => { document.querySelector('.player video').currentTime = 1.5; }"
    )
    await mark.wait_for()
    await screenshot(page, "player-review", full_page=True)

    # The Library's project and task filters (a clip on no task is left out).
    other = await ready_asset(n=7)
    await page.click("text=\u2190 Library")
    cards = page.locator(".card[data-asset-id]")
    await page.locator(f'.card[data-asset-id="{other.id}"]').wait_for()
    assert await cards.count() == 3
    await page.fill(".filters input[name=project]", "SWA")
    await page.wait_for_function(
        "() => document.querySelectorAll('.card[data-asset-id]').length === 2"
    )
    assert {await c.get_attribute("data-asset-id") for c in await cards.all()} == {
        v1,
        v2,
    }
    assert "ep01_sh010_light v002" in await cards.first.inner_text()
    await page.fill(".filters input[name=task]", "ep02_sh010_light")
    await page.locator("text=No assets here yet").wait_for()
    await page.fill(".filters input[name=task]", "ep01_sh010_light")
    await page.wait_for_function(
        "() => document.querySelectorAll('.card[data-asset-id]').length === 2"
    )
    assert "project=SWA&task=ep01_sh010_light" in page.url
    assert browser.blocked == []
    assert browser.errors == []
