"""publicationProgress pushes every transition; the CLI exports the ledger."""

import asyncio
import csv
import io
import json
import os
from typing import Any

from tests.conftest import Server
from tests.publishing.conftest import publish, store_video, wait_for
from tests.publishing.fake_platform import FakePlatforms
from tests.support.graphql import subscribe
from tests.support.processes import BIN

PROGRESS = """
subscription ($f: PublicationProgressFilter) {
  publicationProgress(filter: $f) {
    event { fromStatus toStatus retryCount postId principal }
    publication { id status }
  }
}
"""


async def test_progress_pushes_each_transition(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    other = await store_video(server.runtime)
    loopback["loopback"].faults.extend(["500"])
    seen: list[Any] = []

    async def watch() -> None:
        stream = subscribe(server.url, PROGRESS, {"f": {"assetId": str(asset.id)}})
        async for message in stream:
            seen.append(message["data"]["publicationProgress"])
            event = seen[-1]["event"]
            if event and event["toStatus"] == "SUCCESS":
                return

    watcher = asyncio.create_task(watch())
    while not seen:  # the first message: nothing has happened yet
        await asyncio.sleep(0.02)
    assert seen[0] == {"event": None, "publication": None}
    await publish(server.url, other.id, "tiktok")  # filtered out
    pub_id = (await publish(server.url, asset.id))["publication"]["id"]
    await asyncio.wait_for(watcher, 30)
    steps = [(m["event"]["fromStatus"], m["event"]["toStatus"]) for m in seen[1:]]
    assert steps == [
        (None, "PENDING"),
        ("PENDING", "IN_PROGRESS"),
        ("IN_PROGRESS", "FAILED"),
        ("FAILED", "IN_PROGRESS"),
        ("IN_PROGRESS", "SUCCESS"),
    ]
    assert seen[-1]["publication"] == {"id": pub_id, "status": "SUCCESS"}
    assert seen[-1]["event"]["postId"] is not None


async def test_cli_exports_csv_and_jsonl(
    server: Server, loopback: FakePlatforms
) -> None:
    asset = await store_video(server.runtime)
    pub_id = (await publish(server.url, asset.id, metadata={"hashtags": ["a", "b"]}))[
        "publication"
    ]["id"]
    await wait_for(server.url, pub_id)
    env = {
        **os.environ,
        "GQL_MEDIA_DATA_DIR": str(server.settings.data_dir.parent / "cli"),
        "GQL_MEDIA_DATABASE_URL": server.settings.db_url,
    }
    outputs = {}
    for fmt in ("jsonl", "csv"):
        proc = await asyncio.create_subprocess_exec(
            str(BIN / "gql-media"), "publications", "export", "--format", fmt,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        outputs[fmt] = out.decode()
    rows = [json.loads(line) for line in outputs["jsonl"].splitlines()]
    assert [(r["id"], r["status"], r["hashtags"], r["post_id"]) for r in rows] == [
        (pub_id, "SUCCESS", ["a", "b"], "loopback-1")
    ]
    table = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert [(r["id"], r["status"], r["hashtags"]) for r in table] == [
        (pub_id, "SUCCESS", "a b")
    ]
