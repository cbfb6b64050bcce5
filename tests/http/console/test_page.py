"""The console's page and files: served by this server alone, every module pinned
by the import map's integrity, the vendored files the published npm bytes with
their licences, and a policy that lets the page load nothing from elsewhere."""

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest

from gql_media.http import console
from gql_media.http.console import CONSOLE_DIR, VENDOR_FILES, own_files
from gql_media.http.graphiql import VENDOR_DIR
from tests.conftest import Server
from tests.support.tls import TLS


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def test_vendored_files_match_their_pins_and_carry_licences() -> None:
    for file in VENDOR_FILES:
        assert sha384((VENDOR_DIR / file.path).read_bytes()) == file.integrity
        folder = VENDOR_DIR / file.path.split("/")[0]
        assert (folder / "LICENSE").is_file(), folder
        # The folder says which release it is.
        name, version = file.package.rsplit("@", 1)
        assert folder.name == f"{name.split('/')[-1]}-{version}"


def test_modules_import_only_vendored_names_or_relative_paths() -> None:
    """A bare import the import map does not name would fail in the browser, and
    an absolute URL would reach for a CDN."""
    names = {"preact", "preact/hooks", "htm", "graphql-ws"}
    for path in CONSOLE_DIR.rglob("*.js"):
        for target in re.findall(r'from\s+"([^"]+)"', path.read_text()):
            assert (
                target in names or target.startswith("./") or target.startswith("../")
            ), f"{path.name} imports {target}"
            if target.startswith("."):
                assert (path.parent / target).resolve().is_file(), (path, target)


async def test_root_serves_the_console_with_pinned_modules(server: Server) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        page = await client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        found = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
        assert found
        import_map = json.loads(found.group(1))
        integrity: dict[str, str] = import_map["integrity"]
        # Every module the page can load is pinned, and each pin is what is served.
        expected = {f.url for f in VENDOR_FILES} | {
            url for url in own_files() if url.endswith(".js")
        }
        assert set(integrity) == expected
        for url, pin in integrity.items():
            served = await client.get(url)
            assert served.status_code == 200, url
            assert sha384(served.content) == pin, url
            # Browsers run a module only when it is served as JavaScript (.mjs too).
            assert served.headers["content-type"].startswith("text/javascript"), url
        assert set(import_map["imports"].values()) <= set(integrity)
        # The stylesheet and the entry module carry their integrity too.
        for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            pin = re.search(rf'"{re.escape(url)}" integrity="([^"]+)"', html)
            assert pin, url
            assert sha384((await client.get(url)).content) == pin.group(1)
        # Nothing but this server: no http(s) URL in the page at all.
        assert not re.findall(r'(?:src|href)="(?!/|data:|#)', html)

        # Scripts only from here and the import map by its hash; nothing to fetch
        # from elsewhere. The hash is of the inline map as served.
        policy = page.headers["content-security-policy"]
        digest = base64.b64encode(hashlib.sha256(found.group(1).encode()).digest())
        assert f"script-src 'self' 'sha256-{digest.decode()}'" in policy
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy

        # Our files keep their names across releases: always revalidated, so a
        # cached old module never meets a new page's pin.
        module = await client.get("/static/console/app.js")
        assert module.headers["cache-control"] == "no-cache"
        again = await client.get(
            "/static/console/app.js", headers={"if-none-match": module.headers["etag"]}
        )
        assert again.status_code == 304


def test_a_changed_module_gets_a_new_pin_without_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "console"
    shutil.copytree(CONSOLE_DIR, copy)
    monkeypatch.setattr(console, "CONSOLE_DIR", copy)
    before, _ = console.console_page()
    (copy / "lib" / "ui.js").write_text(
        (copy / "lib" / "ui.js").read_text() + "\n// changed\n"
    )
    after, policy = console.console_page()
    url = "/static/console/lib/ui.js"
    pin = sha384((copy / "lib" / "ui.js").read_bytes())
    assert pin not in before and f'"{url}": "{pin}"' in after
    found = re.search(r'<script type="importmap">(.*?)</script>', after, re.S)
    assert found
    digest = base64.b64encode(hashlib.sha256(found.group(1).encode()).digest())
    assert f"'sha256-{digest.decode()}'" in policy


async def test_graphiql_stays_at_graphql(server: Server) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        missing = await client.get("/static/console/nothing.js")
        assert missing.status_code == 404
