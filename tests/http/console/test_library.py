"""The Library and player pages in a real Chromium (loopback only): a clip dropped
on the page uploads with a progress bar and its card goes PENDING -> READY with a
thumbnail without a reload; the player plays it with its metadata and jobs; a URL
import; filters and infinite scroll on the connection's cursors."""

import shutil
from pathlib import Path
from typing import Any

from playwright.async_api import Request

from gql_media import models
from gql_media.models import AssetKind, AssetStatus
from tests.conftest import Server
from tests.support.browser import LoopbackBrowser, browser
from tests.support.console import (
    drop_files,
    open_console,
    screenshot,
    statuses,
    wait_for_image,
)
from tests.support.generations import video_row
from tests.support.http_server import serve_files
from tests.support.media import make_video

__all__ = ["browser"]  # the fixture, used by name


async def test_drop_a_clip_see_it_ready_and_play_it(
    server: Server, browser: LoopbackBrowser, tmp_path: Path
) -> None:
    clip = make_video(tmp_path / "fox.mp4", width=320, height=180, fps=10, seconds=1)
    page = await open_console(browser, server, "/library")
    await page.wait_for_selector("text=No assets here yet")
    await page.evaluate("() => { window.__sameDocument = true; }")

    await drop_files(page, ".drop-zone", clip)

    # The upload's own row: a progress bar that reaches 100 %.
    row = page.locator('[data-upload="fox.mp4"]')
    await row.locator("text=uploaded").wait_for(timeout=30_000)
    assert await row.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    asset = await models.Asset.get(original_filename="fox.mp4")
    card = f'.card[data-asset-id="{asset.id}"]'
    await page.wait_for_selector(f'{card}[data-status="READY"]', timeout=30_000)
    await wait_for_image(page, f"{card} img.thumb")
    seen = await statuses(page, str(asset.id))
    assert seen[0] == "PENDING" and seen[-1] == "READY", seen
    # Live, in place: the same document, no reload.
    assert await page.evaluate("() => window.__sameDocument === true")
    await screenshot(page, "library")

    await page.click(card)
    await page.wait_for_selector(f'.player[data-asset-id="{asset.id}"]')
    # The video element loads the stored file (its metadata: a real, signed link).
    await page.wait_for_function(
        "() => { const v = document.querySelector('.player video');"
        " return !!v && v.readyState >= 1 && v.videoWidth === 320; }",
        timeout=20_000,
    )
    assert await page.locator('[data-fact="Frame"]').inner_text() == "320\u00d7180"
    jobs = page.locator('[data-section="jobs"] tr[data-job-id]')
    await jobs.first.wait_for()
    assert await jobs.count() == 1
    assert await jobs.first.get_attribute("data-status") == "SUCCEEDED"
    assert "PROCESS_UPLOAD" in await jobs.first.inner_text()
    await screenshot(page, "player")

    # The thumbnail from the frame on screen: a job, followed to its end.
    await asset.refresh_from_db()
    before = asset.thumbnail_key
    assert before
    await page.evaluate(
        "() => { document.querySelector('.player video').currentTime = 0.5; }"
    )
    await page.wait_for_function(
        "() => document.querySelector('.player video').currentTime === 0.5"
    )
    await page.click("text=Use this frame as thumbnail")
    done = '[data-section="jobs"] tr[data-status="SUCCEEDED"]'
    await page.wait_for_function(
        f"() => document.querySelectorAll('{done}').length === 2", timeout=30_000
    )
    assert "REGENERATE_THUMBNAIL" in await jobs.first.inner_text()
    await asset.refresh_from_db()
    assert asset.thumbnail_key and asset.thumbnail_key != before
    # Archive and restore, as the badge and the row show.
    await page.click(".player-actions >> text=Archive")
    await page.locator(".player .badge", has_text="ARCHIVED").wait_for()
    assert (await models.Asset.get(id=asset.id)).archived_at is not None
    await page.click(".player-actions >> text=Restore")
    await page.locator(".player-actions >> text=Archive").wait_for()
    assert (await models.Asset.get(id=asset.id)).archived_at is None

    # A file the server refuses (zero bytes), chosen with the "Upload files"
    # button this time: its row says why; no card, no row.
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    await page.click("text=\u2190 Library")
    await page.wait_for_selector(f'{card}[data-status="READY"]')
    async with page.expect_file_chooser() as chooser:
        await page.click("button:has-text('Upload files')")
    await (await chooser.value).set_files(empty)
    failed = page.locator('.upload-failed[data-upload="empty.mp4"]')
    await failed.wait_for()
    assert "empty" in (await failed.inner_text()).lower()
    assert await page.locator(".card[data-asset-id]").count() == 1
    assert await models.Asset.all().count() == 1

    assert browser.blocked == []
    assert browser.errors == []
    await page.close()


async def test_import_a_url_and_follow_it_to_ready(
    server: Server, browser: LoopbackBrowser, tmp_path: Path
) -> None:
    make_video(tmp_path / "remote.mp4", width=256, height=144, fps=10, seconds=1)
    page = await open_console(browser, server, "/library")
    async with serve_files(tmp_path) as source:
        await page.fill("form.import input[name=url]", source.url("/remote.mp4"))
        await page.click("form.import button[type=submit]")
        card = page.locator(".card[data-asset-id]").first
        await card.wait_for()
        asset_id = await card.get_attribute("data-asset-id")
        assert asset_id
        ready = f'.card[data-asset-id="{asset_id}"][data-status="READY"]'
        await page.wait_for_selector(ready, timeout=30_000)
        await wait_for_image(page, f"{ready} img.thumb")
        assert (await statuses(page, asset_id))[0] == "PENDING"

        # The same bytes again under another name: the import finds the asset we
        # have, and its placeholder card gives way to it.
        shutil.copy(tmp_path / "remote.mp4", tmp_path / "again.mp4")
        await page.fill("form.import input[name=url]", source.url("/again.mp4"))
        await page.click("form.import button[type=submit]")
        # A second card came (the placeholder, whatever it showed meanwhile) ...
        await page.wait_for_function(
            "() => Object.keys(window.__statuses).length === 2", timeout=30_000
        )
        # ... and went.
        await page.wait_for_function(
            "() => document.querySelectorAll('.card[data-asset-id]').length === 1",
            timeout=30_000,
        )
        await page.locator(".page-head .count", has_text="1 asset").wait_for()
    assert await page.locator(".card[data-asset-id]").count() == 1
    assert await page.locator(ready).count() == 1

    # A refused URL: a clear error, no card.
    await page.fill("form.import input[name=url]", "http://10.0.0.1/x.mp4")
    await page.click("form.import button[type=submit]")
    await page.locator("form.import .error", has_text="FORBIDDEN_URL").wait_for()
    assert await page.locator(".card[data-asset-id]").count() == 1
    assert browser.errors == []


async def test_filters_and_infinite_scroll(
    server: Server, browser: LoopbackBrowser
) -> None:
    # 30 READY videos and 5 images, named so the text filter can find some.
    for n in range(30):
        row = await video_row(n=n)
        row.name = f"clip {n:02d}" + (" sunset" if n % 10 == 0 else "")
        await row.save()
    for n in range(30, 35):
        row = await video_row(n=n, kind=AssetKind.IMAGE)
        row.name = f"still {n}"
        await row.save()
    await video_row(n=99, status=AssetStatus.FAILED)

    pages: list[dict[str, Any]] = []

    def saw(request: Request) -> None:
        body = request.post_data_json if request.method == "POST" else None
        if body and "query Library" in body.get("query", ""):
            pages.append(body["variables"])

    page = await browser.new_page()
    page.on("request", saw)
    await page.set_viewport_size({"width": 1280, "height": 600})
    await page.goto(f"{server.url}/#/library")
    cards = page.locator(".card[data-asset-id]")
    await page.locator(".page-head .count", has_text="36 assets").wait_for()
    assert await cards.count() == 24  # one page
    assert pages == [{"first": 24, "after": None, "filter": {}}]
    # Scrolling to the end reads the next page with the cursor.
    await page.mouse.wheel(0, 5000)
    await page.wait_for_function(
        "() => document.querySelectorAll('.card[data-asset-id]').length === 36"
    )
    assert len(pages) == 2 and pages[1]["after"]
    assert await page.locator(".more").count() == 0  # no further page

    await page.select_option("select[name=kind]", "IMAGE")
    await page.locator(".page-head .count", has_text="5 assets").wait_for()
    assert await cards.count() == 5
    await page.select_option("select[name=kind]", "")
    await page.fill("input[name=text]", "sunset")
    await page.locator(".page-head .count", has_text="3 assets").wait_for()
    names = sorted(await cards.locator(".card-title").all_inner_texts())
    assert names == ["clip 00 sunset", "clip 10 sunset", "clip 20 sunset"]
    await page.fill("input[name=text]", "")
    await page.select_option("select[name=status]", "FAILED")
    await page.locator(".page-head .count", has_text="1 asset").wait_for()
    assert await cards.first.get_attribute("data-status") == "FAILED"
    # The filter is in the URL: a reload (or a shared link) shows the same view.
    assert page.url.endswith("#/library?status=FAILED")
    await page.reload()
    await page.locator(".page-head .count", has_text="1 asset").wait_for()
    assert await page.locator("select[name=status]").input_value() == "FAILED"
    assert browser.errors == []
