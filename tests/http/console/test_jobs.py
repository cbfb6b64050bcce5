"""The Jobs page in a real Chromium: live progress of a running job, cancel it,
retry a failed one, filter; and the token the user pastes travels with every
request, on HTTP and in the WebSocket's connection_init."""

import json
from pathlib import Path

from playwright.async_api import WebSocket

from gql_media import models
from gql_media.services.accounts import tokens
from tests.conftest import Server, wait_for_job
from tests.support.browser import LoopbackBrowser, browser
from tests.support.console import open_console, screenshot, statuses
from tests.support.graphql import data
from tests.support.http_server import serve_files
from tests.support.media import make_video

__all__ = ["browser"]  # the fixture, used by name

IMPORT = """
mutation ($url: String!) {
  importAsset(input: {url: $url}) {
    __typename
    ... on ImportAssetSuccess { job { id } }
    ... on Error { code message }
  }
}
"""


async def start_import(server: Server, url: str) -> str:
    result = (await data(server.url, IMPORT, {"url": url}))["importAsset"]
    assert result["__typename"] == "ImportAssetSuccess", result
    job_id: str = result["job"]["id"]
    return job_id


async def test_cancel_a_running_job_and_retry_a_failed_one(
    server: Server, browser: LoopbackBrowser, tmp_path: Path
) -> None:
    make_video(tmp_path / "ok.mp4", width=160, height=90, fps=10, seconds=0.5)
    async with serve_files(tmp_path) as source:
        done = await start_import(server, source.url("/ok.mp4"))
        await wait_for_job(done)
        failed = await start_import(server, source.url("/_/status/404"))
        await wait_for_job(failed)
        # A source that sends a little, then nothing: the job stays RUNNING.
        stalled = await start_import(server, source.url("/_/stall?n=1000&seconds=60"))

        page = await open_console(browser, server, "/jobs")
        row = f'tr[data-job-id="{stalled}"]'
        await page.wait_for_selector(f'{row}[data-status="RUNNING"]', timeout=20_000)
        assert await page.locator("tr[data-job-id]").count() == 3
        await screenshot(page, "jobs")
        await page.click(f"{row} >> text=Cancel")
        await page.wait_for_selector(f'{row}[data-status="CANCELED"]', timeout=20_000)
        assert (await models.Job.get(id=stalled)).status.value == "CANCELED"
        assert await page.locator(f"{row} >> text=Retry").count() == 1

        # Retry the failed import: it runs again (live) and fails again, for the
        # same reason, with a second attempt counted.
        row = f'tr[data-job-id="{failed}"]'
        assert await page.locator(f"{row} >> text=FETCH_FAILED").count() == 1
        await page.click(f"{row} >> text=Retry")
        await page.wait_for_function(
            "id => (window.__statuses[id] || []).length >= 3"
            " && window.__statuses[id].at(-1) === 'FAILED'",
            arg=failed,
            timeout=20_000,
        )
    seen = await statuses(page, failed)
    assert seen[0] == "FAILED" and seen[-1] == "FAILED" and len(seen) >= 3, seen
    assert (await models.Job.get(id=failed)).attempts == 2

    # Filters read the list again from the server.
    await page.select_option("select[name=status]", "SUCCEEDED")
    await page.wait_for_function(
        "() => document.querySelectorAll('tr[data-job-id]').length === 1"
    )
    assert await page.locator(f'tr[data-job-id="{done}"]').count() == 1
    await page.select_option("select[name=status]", "")
    await page.select_option("select[name=kind]", "PROCESS_UPLOAD")
    await page.locator("text=No jobs.").wait_for()
    assert browser.blocked == []
    assert browser.errors == []


async def test_the_pasted_token_goes_with_every_request(
    server: Server, browser: LoopbackBrowser
) -> None:
    page = await open_console(browser, server, "/jobs")
    await page.locator("text=No jobs.").wait_for()
    authorizations: list[str | None] = []
    page.on(
        "request",
        lambda request: (
            request.url.endswith("/graphql")
            and authorizations.append(request.headers.get("authorization"))
        ),
    )
    inits: list[dict[str, object]] = []

    def on_socket(socket: WebSocket) -> None:
        def sent(payload: str | bytes) -> None:
            message = json.loads(payload)
            if message.get("type") == "connection_init":
                inits.append(message.get("payload") or {})

        socket.on("framesent", sent)

    page.on("websocket", on_socket)

    # A real token of the local owner: a token that is sent is checked.
    _, token = await tokens.create_token("local", "console")
    await page.click("button.token-button")
    await page.fill("input[name=token]", token)
    await page.click("text=Use token")
    await page.locator("button.token-button", has_text="Token \u2713").wait_for()
    await page.locator("text=No jobs.").wait_for()
    assert await page.evaluate("() => sessionStorage.getItem('gql-media.token')") == (
        token
    )
    assert authorizations and set(authorizations) == {f"Bearer {token}"}

    # A live view opens the socket with the token in connection_init.
    generation = (
        await data(
            server.url,
            'mutation { createGeneration(input: {sourceUrl: "https://cdn.example.com/'
            'a.mp4", variantTypes: ["soft"], scenesPerVariant: 1}) {'
            " ... on CreateGenerationSuccess { generation { id } } } }",
        )
    )["createGeneration"]["generation"]
    await page.goto(f"{server.url}/#/generations/{generation['id']}")
    await page.wait_for_selector('.tree[data-status="PENDING"]')
    await page.wait_for_function("() => document.querySelector('[data-live=live]')")
    assert inits == [{"authorization": f"Bearer {token}"}]

    # Kept for the tab (session storage), forgotten on request.
    await page.reload()
    await page.locator("button.token-button", has_text="Token \u2713").wait_for()
    await page.click("button.token-button")
    await page.click("text=Forget token")
    assert await page.evaluate("() => sessionStorage.length") == 0
    assert browser.errors == []
