"""Debian's headless Chromium driven by Playwright, cut off from all but loopback.

Every request or WebSocket to a host other than 127.0.0.1, localhost or ::1 is
recorded in `blocked`, so a page that still reaches for a CDN fails its test
instead of rendering from the internet. Chromium itself cannot reach such hosts:
it sends everything but loopback to a proxy on a closed port and resolves no name
but localhost. The `browser` fixture also routes every request through Playwright,
aborting foreign ones before they leave. `browser_without_routes` does not, for the
CORS tests: while routes are on, Playwright answers CORS preflights itself with
"allow everything", which would hide what our server answers.
"""

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    async_playwright,
)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent.parent / ".artifacts"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    # Nothing listens on port 9 (discard); loopback always bypasses the proxy.
    "--proxy-server=http://127.0.0.1:9",
]


def is_foreign(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and (
        parts.hostname not in LOOPBACK_HOSTS
    )


@dataclass
class LoopbackBrowser:
    """A fresh Chromium profile; what it was refused and what pages logged."""

    context: BrowserContext
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors, page errors
    websockets: list[str] = field(default_factory=list)  # URLs pages opened

    async def new_page(self) -> Page:
        page = await self.context.new_page()
        page.on("console", self._logged)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", lambda request: self._saw(request.url))
        page.on("websocket", lambda ws: self._opened(ws.url))
        return page

    def _logged(self, msg: ConsoleMessage) -> None:
        # A failed load logs no URL in its text ("... status of 404"); its
        # location names the resource.
        if msg.type == "error":
            url = msg.location.get("url")
            self.errors.append(f"{msg.text} ({url})" if url else msg.text)

    def _saw(self, url: str) -> None:
        if is_foreign(url) and url not in self.blocked:
            self.blocked.append(url)

    def _opened(self, url: str) -> None:
        self.websockets.append(url)
        self._saw(url)

    async def _guard(self, route: Route) -> None:
        if is_foreign(route.request.url):
            self._saw(route.request.url)
            await route.abort("internetdisconnected")
            return
        await route.continue_()


def chromium_or_skip() -> str:
    """The Chromium binary; a loud skip where it is missing, a failure in CI."""
    path = shutil.which(CHROMIUM)
    if path:
        return path
    message = (
        f"BROWSER TESTS NOT RUN: {CHROMIUM} is missing. scripts/bootstrap.sh "
        "installs Debian's chromium package when run as root; install it with "
        "'apt-get install chromium'."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@asynccontextmanager
async def loopback_browser(
    profile: Path, *, routes: bool
) -> AsyncIterator[LoopbackBrowser]:
    """Chromium with a fresh user-data dir and the network limited to loopback."""
    executable = chromium_or_skip()
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=ARGS
        )
        loopback = LoopbackBrowser(context)
        if routes:
            await context.route("**/*", loopback._guard)
        try:
            yield loopback
        finally:
            await context.close()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[LoopbackBrowser]:
    """Chromium on loopback only; foreign requests also aborted by a route."""
    async with loopback_browser(tmp_path / "chromium-profile", routes=True) as b:
        yield b


@pytest.fixture
async def browser_without_routes(tmp_path: Path) -> AsyncIterator[LoopbackBrowser]:
    """Chromium on loopback only, with real CORS preflights (see the top)."""
    async with loopback_browser(tmp_path / "chromium-profile", routes=False) as b:
        yield b


def screenshot_path(name: str) -> Path:
    """Where a test leaves a screenshot to look at (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
