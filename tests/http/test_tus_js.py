"""The official tus-js-client (Node) uploads a clip, loses its connection at 60 %
and resumes; the clip becomes a READY asset with the right hash."""

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from gql_media import models
from gql_media.models import AssetStatus
from tests.conftest import Server, wait_for_job
from tests.http.test_tus import sha256_of
from tests.support.media import ffmpeg

JS_DIR = Path(__file__).parent.parent / "js"
SCRIPT = JS_DIR / "tus_upload.mjs"


def node_or_skip() -> str:
    """Node with tus-js-client installed (scripts/bootstrap.sh runs `npm ci`); a loud
    skip where it is missing, a failure in CI."""
    node = shutil.which("node")
    installed = (JS_DIR / "node_modules" / "tus-js-client").is_dir()
    if node and installed:
        return node
    message = (
        "tus-js-client tests need node and `npm ci` in tests/js "
        "(scripts/bootstrap.sh does it when npm is installed)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.timeout(180)
async def test_tus_js_client_resumes_after_a_dropped_connection(
    server: Server, tmp_path: Path, no_stray_files: None
) -> None:
    node = node_or_skip()
    clip = tmp_path / "clip.avi"
    # About 12 MB uncompressed: big enough for progress events before the end.
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4", "-c:v", "rawvideo",
           "-pix_fmt", "yuv420p", str(clip))  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        f"{server.url}/uploads/",
        str(clip),
        "0.6",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=JS_DIR,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    size = clip.stat().st_size
    assert size * 0.6 <= result["droppedAt"] < size
    assert result["url"] == result["firstUrl"]  # resumed, not started again
    assert result["duplicate"] == "false"
    job = await wait_for_job(result["jobId"], timeout=90)
    assert job.status.value == "SUCCEEDED", job.error_message
    asset = await models.Asset.get(id=result["assetId"])
    assert asset.status is AssetStatus.READY
    assert asset.checksum == sha256_of(clip)
    assert asset.size_bytes == size
    assert await models.Asset.all().count() == 1
