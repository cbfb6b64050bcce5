"""The Workflows pages in a real Chromium (loopback only): a saved graph drawn as
SVG in layers (nodes and edges where the connections put them), an execution
whose node statuses change live as its nodes are reported through the API, a
linked video's thumbnail on its node, and the list of workflows."""

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from tests.conftest import Server
from tests.support.browser import LoopbackBrowser, browser
from tests.support.console import open_console, screenshot, statuses
from tests.support.graphql import data
from tests.support.media import make_video
from tests.support.tls import TLS
from tests.workflows.support import REPORT, conn, node, ready_video, saved, start

__all__ = ["browser"]  # the fixture, used by name

# What is under test is the browser's side; the API under it runs on both
# databases in its own tests. One backend keeps these seconds, not a minute.
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

# A prompt made from a text, two generations from it (client-run, reported
# through the API), stitched by the server into the output.
GRAPH = {
    "nodes": [
        node("text", "TextInput", text="a red fox"),
        node("prompt", "PromptGenerator"),
        node("wide", "VideoGeneration", provider="replicate", model="m"),
        node("close", "VideoGeneration", provider="replicate", model="m"),
        node("stitch", "VideoStitcher", name="cut"),
        node("out", "Output"),
    ],
    "connections": [
        conn("text:text", "prompt:text"),
        conn("prompt:prompt", "wide:prompt"),
        conn("prompt:prompt", "close:prompt"),
        conn("wide:video", "stitch:videos"),
        conn("close:video", "stitch:videos"),
        conn("stitch:video", "out:video"),
    ],
}
LAYERS = [["text"], ["prompt"], ["wide", "close"], ["stitch"], ["out"]]

# Where each edge starts and ends and where its nodes' boxes are, in page pixels
# (the drawn geometry, without the stroke and arrow head a bounding box counts).
GEOMETRY = """
() => [...document.querySelectorAll(".graph path.edge")].map((path) => {
  const at = (length) => {
    const p = path.getPointAtLength(length).matrixTransform(path.getScreenCTM());
    return { x: p.x, y: p.y };
  };
  const box = (id) => {
    const rect = document.querySelector(`.graph .node[data-node-id="${id}"] .node-box`);
    const b = rect.getBBox();
    const m = rect.getScreenCTM();
    const p = new DOMPoint(b.x, b.y).matrixTransform(m);
    return { left: p.x, right: p.x + b.width, middle: p.y + b.height / 2 };
  };
  return {
    start: at(0),
    end: at(path.getTotalLength()),
    source: box(path.dataset.from),
    target: box(path.dataset.to),
  };
})
"""


async def report(
    server: Server, execution: str, node: str, status: str, **out: Any
) -> None:
    variables = {
        "id": execution,
        "node": node,
        "status": status,
        "outputs": out or None,
    }
    result = (await data(server.url, REPORT, variables))["reportNodeRun"]
    assert result["__typename"] == "ReportNodeRunSuccess", result


async def test_graph_drawn_and_node_statuses_live(
    server: Server, browser: LoopbackBrowser, tmp_path: Path
) -> None:
    clips = [
        await ready_video(
            server,
            make_video(tmp_path / f"{name}.mp4", width=320, height=180, fps=10,
                       seconds=seconds),
        )
        for name, seconds in [("wide", 1.0), ("close", 1.2)]
    ]  # fmt: skip
    workflow = await saved(server, GRAPH)
    started = await start(server, workflow)
    assert started["__typename"] == "StartWorkflowExecutionSuccess", started
    execution = started["execution"]["id"]

    page = await open_console(browser, server, f"/workflows/{workflow}")
    node_at = '.graph .node[data-node-id="{}"]'.format
    # The server ran the TextInput; the others wait for their reports.
    await page.wait_for_selector(f'{node_at("text")}[data-status="COMPLETED"]')
    for name in ["prompt", "wide", "close", "stitch", "out"]:
        assert (
            await page.locator(node_at(name)).get_attribute("data-status") == "PENDING"
        )
    row = page.locator(f'tr.execution[data-execution-id="{execution}"]')
    assert await row.get_attribute("data-status") == "RUNNING"
    assert "selected" in (await row.get_attribute("class") or "")

    # Drawn in layers: a column per step, the two generations one above the other.
    assert await page.locator(".graph .node").count() == 6
    columns = []
    for layer in LAYERS:
        boxes = [await page.locator(node_at(name)).bounding_box() for name in layer]
        assert all(boxes)
        assert len({round(b["x"]) for b in boxes if b}) == 1, layer
        assert len({round(b["y"]) for b in boxes if b}) == len(layer), layer
        columns.append(boxes[0]["x"] if boxes[0] else 0)
    assert columns == sorted(columns) and len(set(columns)) == len(columns), columns
    edges = page.locator(".graph path.edge")
    pairs = {
        (await e.get_attribute("data-from"), await e.get_attribute("data-to"))
        for e in await edges.all()
    }
    assert pairs == {
        ("text", "prompt"), ("prompt", "wide"), ("prompt", "close"),
        ("wide", "stitch"), ("close", "stitch"), ("stitch", "out"),
    }  # fmt: skip
    # Each edge runs from its source's right side to its target's left side.
    for edge in await page.evaluate(GEOMETRY):
        source, target = edge["source"], edge["target"]
        assert edge["start"]["x"] == pytest.approx(source["right"], abs=0.5), edge
        assert edge["end"]["x"] == pytest.approx(target["left"], abs=0.5), edge
        assert edge["start"]["y"] == pytest.approx(source["middle"], abs=0.5), edge
        assert edge["end"]["y"] == pytest.approx(target["middle"], abs=0.5), edge
    await page.evaluate("() => { window.__sameDocument = true; }")

    # Reports through the API show on the open page as they happen.
    await report(server, execution, "prompt", "RUNNING")
    await page.wait_for_selector(f'{node_at("prompt")}[data-status="RUNNING"]')
    await report(server, execution, "prompt", "COMPLETED", prompt="a fox at dusk")
    await page.wait_for_selector(f'{node_at("prompt")}[data-status="COMPLETED"]')
    for name, clip in zip(["wide", "close"], clips, strict=True):
        await report(server, execution, name, "COMPLETED", video=[clip])
    # The server stitches the two and runs the Output; then the execution is done.
    await page.wait_for_selector(
        f'tr.execution[data-execution-id="{execution}"][data-status="COMPLETED"]',
        timeout=30_000,
    )
    assert await page.locator('.graph .node[data-status="COMPLETED"]').count() == 6
    assert await statuses(page, "prompt") == ["PENDING", "RUNNING", "COMPLETED"]
    assert (await statuses(page, "stitch"))[0] == "PENDING"
    assert (await statuses(page, execution))[-2:] == ["RUNNING", "COMPLETED"]
    assert "6/6 nodes completed" in await row.inner_text()
    # Each generated video's thumbnail sits on its node and links to its player.
    for name, clip in zip(["wide", "close"], clips, strict=True):
        thumb = page.locator(f'{node_at(name)} a[data-video-id="{clip}"]')
        await thumb.wait_for()
        assert await thumb.get_attribute("href") == f"#/assets/{clip}"
        href = await thumb.locator("image").get_attribute("href")
        assert href
        async with httpx.AsyncClient(verify=TLS) as client:
            jpeg = await client.get(urljoin(server.url, href))
        assert jpeg.status_code == 200 and jpeg.content[:2] == b"\xff\xd8"
    # The stitched video is on the stitcher (its output) and the Output node.
    assert await page.locator(f"{node_at('out')} a[data-video-id] image").count() == 1
    assert await page.evaluate("() => window.__sameDocument === true")
    await screenshot(page, "workflow")

    await page.click("text=\u2190 Workflows")
    card = page.locator(f'.workflow-card[data-workflow-id="{workflow}"]')
    await card.wait_for()
    assert await card.get_attribute("data-status") == "SAVED"
    assert "6 nodes" in await card.inner_text()
    await screenshot(page, "workflows")
    assert browser.blocked == []
    assert browser.errors == []
