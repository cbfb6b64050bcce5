"""The web console at `/`: a page of ES modules served by this server alone.

No build step and no CDN: the page is plain JavaScript modules (static/console/)
on Preact, htm and graphql-ws, vendored from their npm packages under
static/vendor/ like GraphiQL's files. An import map names the vendored modules and
carries the sha384 of every module the page may load (the vendored ones pinned
below, ours hashed once per process), so the browser refuses a changed file. The
page talks to the public GraphQL API only: HTTP at /graphql and
graphql-transport-ws on the same path.
"""

import base64
import hashlib
import json
from functools import lru_cache
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gql_media.http.graphiql import STATIC_DIR, VendorFile

CONSOLE_DIR = STATIC_DIR / "console"
CONSOLE_URL = "/static/console"

# Bare names the console's modules import, and the file each one is. graphql-ws's
# client imports its shared chunk by a relative path, so that file is pinned too.
MODULES = {
    "preact": VendorFile(
        "preact@11.2.0",
        "preact-11.2.0/dist/preact.mjs",
        "sha384-k/EbA8To4I3ncNvT4R+JKSGfXaos0GHF0QjilyGENHN3dfDvol5wxZlDSy5JsgjZ",
    ),
    "preact/hooks": VendorFile(
        "preact@11.2.0",
        "preact-11.2.0/hooks/dist/hooks.mjs",
        "sha384-6F3ul+Ho/nKCCDmlU/B6eYlkriJbeXtDjrsI5tzV7s/OZ+Dky6DAB2MW5Tn0UxO9",
    ),
    "htm": VendorFile(
        "htm@3.1.1",
        "htm-3.1.1/dist/htm.mjs",
        "sha384-k7/PyxcXOQ/zfJq1v0TM/CcBLQ2m2NzGg2tfHehdgJGqcY7RBwIP4Ye+ssG+QK1I",
    ),
    "graphql-ws": VendorFile(
        "graphql-ws@6.4.2",
        "graphql-ws-6.4.2/dist/client.js",
        "sha384-bsk5zOGRwGJLFqassmcHYGFAK03iH+zPHbdv7Y+mTXZ1uR+9DOQ4dnjw5p8904kU",
    ),
}
CHUNKS = (
    VendorFile(
        "graphql-ws@6.4.2",
        "graphql-ws-6.4.2/dist/common-CGW11Fyb.js",
        "sha384-mCOCDRFfQ7huBk2yMBMDYCXa4ZEeuKgDfrQR5qA/eaQ9ZhpxR30d+roaYQO/DTqX",
    ),
)
VENDOR_FILES = (*MODULES.values(), *CHUNKS)


def sri(data: bytes) -> str:
    """The `integrity` value of some bytes, as browsers check it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def own_files() -> dict[str, str]:
    """URL -> integrity of the console's own modules and stylesheet."""
    return {
        f"{CONSOLE_URL}/{path.relative_to(CONSOLE_DIR).as_posix()}": sri(
            path.read_bytes()
        )
        for path in sorted(CONSOLE_DIR.rglob("*"))
        if path.suffix in (".js", ".css")
    }


def _fingerprint() -> tuple[tuple[str, int, int], ...]:
    """What the page depends on: each console file's name, mtime and size."""
    return tuple(
        (str(path), stat.st_mtime_ns, stat.st_size)
        for path in sorted(CONSOLE_DIR.rglob("*"))
        if path.is_file() and (stat := path.stat())
    )


@lru_cache(maxsize=2)
def _page_for(fingerprint: tuple[tuple[str, int, int], ...]) -> tuple[str, str]:
    """The page and its Content-Security-Policy, built from the files as they are.

    Rebuilt when a console file changes (an upgrade, an edit while developing), so
    the pins always match what is served: a stale pin would make the browser
    refuse the module and leave a blank page.
    """
    ours = own_files()
    integrity = {file.url: file.integrity for file in VENDOR_FILES}
    integrity.update({url: pin for url, pin in ours.items() if url.endswith(".js")})
    import_map = json.dumps(
        {
            "imports": {name: file.url for name, file in MODULES.items()},
            "integrity": integrity,
        },
        indent=2,
    )
    app, css = f"{CONSOLE_URL}/app.js", f"{CONSOLE_URL}/console.css"
    page = (CONSOLE_DIR / "index.html").read_text(encoding="utf-8")
    page = page.replace("<!-- importmap -->", import_map)
    page = page.replace(
        "<!-- stylesheet -->",
        f'<link rel="stylesheet" href="{css}" integrity="{escape(ours[css])}" />',
    )
    page = page.replace(
        "<!-- app -->",
        f'<script type="module" src="{app}" integrity="{escape(ours[app])}"></script>',
    )
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    # Scripts and styles only from this server (the inline import map by its
    # hash); images and videos also from the storage's links (S3 presigned URLs).
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'sha256-{digest}'",
            "style-src 'self'",
            "img-src 'self' data: blob: http: https:",
            "media-src 'self' blob: http: https:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )
    return page, policy


def console_page() -> tuple[str, str]:
    """The console's HTML and its Content-Security-Policy."""
    return _page_for(_fingerprint())


async def _page(request: Request) -> Response:
    page, policy = console_page()
    return HTMLResponse(
        page,
        headers={
            "content-security-policy": policy,
            "cache-control": "no-cache",
            "x-content-type-options": "nosniff",
        },
    )


class _Revalidated(StaticFiles):
    """The console's files, which keep their names across releases: the browser
    must ask again each time (a 304 when unchanged), or a cached old module would
    fail the new page's integrity check."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "no-cache"
        return response


def console_routes() -> list[BaseRoute]:
    """`/` (the page; its views are addressed by the URL's #fragment) and its
    files under /static/console/."""
    return [
        Route("/", _page),
        Mount(CONSOLE_URL, _Revalidated(directory=CONSOLE_DIR), name="console"),
    ]
