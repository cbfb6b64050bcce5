"""The Generations pages in a real Chromium: a generation created through the API
fills in live (scenes attached while the page is open turn READY with their
thumbnails, the tree completes), the export button gives the ZIP link, and the
list shows the generation with its cover."""

import re
import zipfile
from io import BytesIO
from pathlib import Path

import httpx

from tests.conftest import Server
from tests.support.browser import LoopbackBrowser, browser
from tests.support.console import open_console, screenshot, statuses, wait_for_image
from tests.support.generations import ATTACH, create, make_clips, scene_ids
from tests.support.graphql import data
from tests.support.http_server import serve_files
from tests.support.tls import TLS

__all__ = ["browser"]  # the fixture, used by name


async def test_tree_fills_in_live_and_exports(
    server: Server, browser: LoopbackBrowser, tmp_path: Path
) -> None:
    generation = await create(
        server.url,
        name="Fox ad",
        variantTypes=["soft", "ultra"],
        scenesPerVariant=2,
        costEstimate="1.60",
        prompts=[{"number": 1, "prompt": "a red fox at dusk"}],
    )
    page = await open_console(browser, server, f"/generations/{generation['id']}")
    tree = f'.tree[data-generation-id="{generation["id"]}"]'
    await page.wait_for_selector(f'{tree}[data-status="PENDING"]')
    assert await page.locator(".scene").count() == 4
    assert await page.locator('.scene[data-status="PENDING"]').count() == 4
    await page.evaluate("() => { window.__sameDocument = true; }")

    clips = make_clips(tmp_path, 4)
    async with serve_files(tmp_path) as source:
        for scene_id, clip in zip(scene_ids(generation), clips, strict=True):
            variables = {
                "sceneId": scene_id,
                "input": {"url": source.url(f"/{clip.name}")},
            }
            result = (await data(server.url, ATTACH, variables))["attachSceneVideo"]
            assert result["__typename"] == "AttachSceneVideoSuccess", result
        await page.wait_for_selector(f'{tree}[data-status="COMPLETED"]', timeout=60_000)
    for scene_id in scene_ids(generation):
        await wait_for_image(page, f'.scene[data-scene-id="{scene_id}"] img.thumb')
        seen = await statuses(page, scene_id)
        assert seen[0] == "PENDING" and seen[-1] == "READY", seen
    assert await page.locator('.variant[data-status="COMPLETED"]').count() == 2
    summary = await page.locator(".tree-summary").inner_text()
    assert "4 of 4 scenes ready" in summary
    assert re.search(r"Estimated \$1\.60(?!\d)", summary), summary
    assert await page.evaluate("() => window.__sameDocument === true")
    await screenshot(page, "generation")

    await page.click("text=Export ZIP")
    link = page.locator(".export a", has_text="Download ZIP")
    await link.wait_for(timeout=30_000)
    href = await link.get_attribute("href")
    assert href
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        archive = await client.get(href)
    assert archive.status_code == 200
    names = zipfile.ZipFile(BytesIO(archive.content)).namelist()
    assert sum(name.endswith(".mp4") for name in names) == 4

    await page.click("text=\u2190 Generations")
    card = page.locator(f'.card[data-generation-id="{generation["id"]}"]')
    await card.wait_for()
    assert await card.get_attribute("data-status") == "COMPLETED"
    await wait_for_image(page, f'.card[data-generation-id="{generation["id"]}"] img')
    await screenshot(page, "generations")
    assert browser.blocked == []
    assert browser.errors == []


async def test_a_failed_scene_is_retried_from_the_tree(
    server: Server, browser: LoopbackBrowser, tmp_path: Path
) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=1)
    [scene_id] = scene_ids(generation)
    page = await open_console(browser, server, f"/generations/{generation['id']}")
    scene = f'.scene[data-scene-id="{scene_id}"]'
    await page.wait_for_selector(f'{scene}[data-status="PENDING"]')
    async with serve_files(tmp_path) as source:
        # The video is not there yet: the import fails, and so does the scene.
        variables = {"sceneId": scene_id, "input": {"url": source.url("/late.mp4")}}
        result = (await data(server.url, ATTACH, variables))["attachSceneVideo"]
        assert result["__typename"] == "AttachSceneVideoSuccess", result
        await page.wait_for_selector(f'{scene}[data-status="FAILED"]', timeout=30_000)
        assert await page.locator('.tree[data-status="FAILED"]').count() == 1
        # Once it is there, Retry runs the scene's import again.
        make_clips(tmp_path, 1)[0].rename(tmp_path / "late.mp4")
        await page.click(f"{scene} >> text=Retry")
        await page.wait_for_selector(f'{scene}[data-status="READY"]', timeout=30_000)
    await wait_for_image(page, f"{scene} img.thumb")
    await page.wait_for_selector('.tree[data-status="COMPLETED"]')
    seen = await statuses(page, scene_id)
    assert seen[0] == "PENDING" and "FAILED" in seen and seen[-1] == "READY", seen
    assert await page.locator(f"{scene} >> text=Retry").count() == 0
    assert browser.errors == []
