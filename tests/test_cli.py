"""The `gql-media` command in real subprocesses: serve, migrate, import."""

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.support.http_server import serve_files
from tests.support.media import make_video
from tests.support.tls import TLS

BIN = Path(sys.executable).parent / "gql-media"


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GQL_MEDIA_")}
    env.update(GQL_MEDIA_DATA_DIR=str(data_dir), **extra)
    return env


async def run(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        str(BIN),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    except TimeoutError:  # e.g. a server that should have refused to start
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_migrate_then_serve_answers_graphql_and_graphiql(
    tmp_path: Path,
) -> None:
    env = env_for(tmp_path / "data", HOST="127.0.0.1", PORT=str(free_port()))
    code, _, err = await run("migrate", env=env)
    assert code == 0, err
    proc = await asyncio.create_subprocess_exec(
        str(BIN),
        "serve",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        async with httpx.AsyncClient(verify=TLS, base_url=base) as client:
            async with asyncio.timeout(30):
                while True:
                    try:
                        health = await client.get("/healthz")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
            assert health.json() == {"status": "ok"}
            page = await client.get("/graphql", headers={"Accept": "text/html"})
            assert page.status_code == 200
            assert "graphiql" in page.text.lower()
            answer = await client.post(
                "/graphql", json={"query": "{ stats { assetCount } }"}
            )
            assert answer.json() == {"data": {"stats": {"assetCount": 0}}}
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        assert proc.stderr is not None
        log = (await proc.stderr.read()).decode()
    # uvicorn shuts down gracefully, then re-raises SIGTERM for an honest status.
    assert proc.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in log
    assert (tmp_path / "data" / "gql_media.sqlite3").exists()


async def test_import_a_local_file_prints_the_ready_asset(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mp4", width=320, height=240, seconds=1.0)
    code, out, err = await run(
        "import", str(clip), "--tag", "cli", env=env_for(tmp_path / "data")
    )
    assert code == 0, err
    assert '"status": "READY"' in out
    assert '"aspect_ratio": "4:3"' in out
    assert "%" in err  # the progress bar


async def test_import_a_url_and_a_refused_one(tmp_path: Path) -> None:
    (tmp_path / "served").mkdir()
    make_video(tmp_path / "served" / "c.mp4", seconds=1.0)
    env = env_for(tmp_path / "data", GQL_MEDIA_IMPORT__ALLOW_NETWORKS="127.0.0.1/32")
    async with serve_files(tmp_path / "served") as source:
        code, out, err = await run("import", source.url("/c.mp4"), env=env)
    assert code == 0, err
    assert '"status": "READY"' in out
    code, out, err = await run(
        "import", "http://169.254.169.254/latest", env=env_for(tmp_path / "d2")
    )
    assert code == 1
    assert "error: FORBIDDEN_URL:" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["worker"])
async def test_commands_not_built_yet_say_so(tmp_path: Path, command: str) -> None:
    code, _, err = await run(command, env=env_for(tmp_path / "data"))
    assert code == 2
    assert "GQL_MEDIA_REDIS_URL" in err


async def test_cleanup_dry_run_then_real_run(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data", GQL_MEDIA_RETENTION__CLEANUP_GRACE_SECONDS="0")
    code, _, err = await run("migrate", env=env)
    assert code == 0, err
    stray = tmp_path / "data" / "storage" / "blobs" / "sha256" / "ab" / "cd"
    stray.mkdir(parents=True)
    (stray / ("abcd" + "0" * 60)).write_bytes(b"stray bytes")
    code, out, err = await run("cleanup", "--dry-run", env=env)
    assert code == 0, err
    report = json.loads(out)
    assert (report["dry_run"], report["stray_blobs"]) == (True, 1), report
    assert report["stray_blob_bytes"] == len(b"stray bytes")
    assert (stray / ("abcd" + "0" * 60)).exists()
    code, out, err = await run("cleanup", env=env)
    assert code == 0, err
    assert json.loads(out)["stray_blobs"] == 1
    assert not (stray / ("abcd" + "0" * 60)).exists()
