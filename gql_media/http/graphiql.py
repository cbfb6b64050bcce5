"""GraphiQL served by this server alone: the page and its pinned vendor files.

Strawberry's page loads React, GraphiQL and the explorer plugin from a CDN, so on a
machine without internet it stays a blank "Loading...". We serve the very same files
(taken from their npm packages, committed with their licences under
static/vendor/) from `/static/vendor/`, and keep subresource integrity: each tag
carries the sha384 pinned below, which is the hash of the file as published on npm
(and the one Strawberry pins for the CDN copy). A file changed on disk is refused by
the browser instead of running; tests/http/test_graphiql.py checks the pins.
"""

from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
VENDOR_URL = "/static/vendor"


@dataclass(frozen=True)
class VendorFile:
    """One file of an npm package, served at VENDOR_URL/<path>."""

    package: str  # npm name@version it comes from
    path: str  # under static/vendor/: <name>-<version>/<path in the package>
    integrity: str  # "sha384-<base64>" of the bytes, as the browser checks it

    @property
    def url(self) -> str:
        return f"{VENDOR_URL}/{self.path}"

    def tag(self) -> str:
        url, sri = escape(self.url), escape(self.integrity)
        if self.path.endswith(".css"):
            return f'<link rel="stylesheet" href="{url}" integrity="{sri}" />'
        return f'<script src="{url}" integrity="{sri}"></script>'


# In the order the page needs them: React before GraphiQL, GraphiQL before the
# plugin. The versions are those Strawberry 0.341.2's page uses.
HEAD = (
    VendorFile(
        "react@18.2.0",
        "react-18.2.0/umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    VendorFile(
        "react-dom@18.2.0",
        "react-dom-18.2.0/umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    VendorFile(
        "graphiql@3.8.3",
        "graphiql-3.8.3/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    VendorFile(
        "@graphiql/plugin-explorer@1.0.2",
        "graphiql-plugin-explorer-1.0.2/dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
)
BODY = (
    VendorFile(
        "graphiql@3.8.3",
        "graphiql-3.8.3/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    VendorFile(
        "@graphiql/plugin-explorer@1.0.2",
        "graphiql-plugin-explorer-1.0.2/dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)
VENDOR_FILES = HEAD + BODY


@cache
def graphiql_html() -> str:
    """The GraphiQL page, its vendor tags filled in (read once per process)."""
    page = (STATIC_DIR / "graphiql.html").read_text(encoding="utf-8")
    for marker, files in (("head", HEAD), ("body", BODY)):
        tags = "\n".join(f"    {file.tag()}" for file in files)
        page = page.replace(f"<!-- vendor:{marker} -->", tags)
    return page


def vendor_route() -> Mount:
    """Serves static/vendor/ (the files above and their licences)."""
    return Mount(VENDOR_URL, StaticFiles(directory=VENDOR_DIR), name="vendor")
