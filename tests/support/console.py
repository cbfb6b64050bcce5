"""Driving the web console in the loopback Chromium: open a view, drop files on the
page, watch the status a card shows, take the screenshot a page is judged by."""

import base64
from pathlib import Path

from playwright.async_api import Page

from tests.conftest import Server
from tests.support.browser import LoopbackBrowser, screenshot_path

VIEWPORT = {"width": 1280, "height": 860}

# Remembers every status each element with data-status showed, by its id attribute:
# the proof that a card went PENDING -> READY in place, without a reload.
WATCH_STATUSES = """
() => {
  window.__statuses = {};
  const record = () => {
    for (const el of document.querySelectorAll("[data-status]")) {
      const d = el.dataset;
      const id = d.assetId || d.sceneId || d.jobId || d.generationId || d.workflowId
        || d.executionId || d.nodeId || d.publicationId;
      if (!id) continue;
      const seen = (window.__statuses[id] ||= []);
      if (seen.at(-1) !== el.dataset.status) seen.push(el.dataset.status);
    }
  };
  record();
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"],
  });
}
"""

DROP = """
async ([selector, files]) => {
  const transfer = new DataTransfer();
  for (const [name, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type }));
  }
  const zone = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(
      new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true })
    );
  }
}
"""

LOADED_IMAGE = "img => img.complete && img.naturalWidth > 0"


async def open_console(browser: LoopbackBrowser, server: Server, view: str) -> Page:
    """A page on the console at `#<view>`, once its first view has rendered."""
    page = await browser.new_page()
    await page.set_viewport_size(VIEWPORT)
    # No animations: screenshots show the state, not a bar half-way through.
    await page.emulate_media(reduced_motion="reduce")
    await page.goto(f"{server.url}/#{view}")
    await page.wait_for_selector("header.top nav", timeout=20_000)
    await page.evaluate(WATCH_STATUSES)
    return page


async def drop_files(page: Page, selector: str, *paths: Path) -> None:
    """Drop files on an element as a user dragging them from the desktop would."""
    files = [
        [p.name, "video/mp4", base64.b64encode(p.read_bytes()).decode()] for p in paths
    ]
    await page.evaluate(DROP, [selector, files])


async def statuses(page: Page, element_id: str) -> list[str]:
    """The statuses the element with this id showed, in order."""
    seen: list[str] = await page.evaluate(
        "id => (window.__statuses || {})[id] || []", element_id
    )
    return seen


async def wait_for_image(page: Page, selector: str, timeout: float = 30_000) -> None:
    """Until the image at `selector` has loaded real pixels."""
    await page.wait_for_function(
        f"() => {{ const img = document.querySelector({selector!r});"
        f" return !!img && img.complete && img.naturalWidth > 0; }}",
        timeout=timeout,
    )


async def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save the view (or the whole page) under tests/.artifacts/ (git-ignored) and
    return its path."""
    path = screenshot_path(f"console-{name}")
    await page.screenshot(path=path, full_page=full_page)
    return path
