"""One embedded-mode server per data dir: a second `gql-media serve` refuses to
start before touching anything, and a killed server's lock does not outlive it."""

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gql_media import datadir_lock
from tests.support.graphql import data
from tests.support.http_server import serve_files
from tests.support.media import make_video
from tests.support.processes import BIN, Proc, free_port, wait_for_http
from tests.test_cli import env_for, run

pytestmark = pytest.mark.timeout(120)

IMPORT = """
mutation ($u: String!) {
  importAsset(input: {url: $u}) { ... on ImportAssetSuccess { job { id } } }
}
"""
JOB = "query ($id: ID!) { job(id: $id) { status stage attempts } }"


def _held_ffprobe(folder: Path, go: Path) -> Path:
    """ffprobe that waits for the file `go`, so a job stays RUNNING meanwhile
    (and an orphan left by a killed server ends as soon as `go` exists)."""
    script = folder / "held-ffprobe"
    script.write_text(
        f'#!/bin/sh\nwhile [ ! -e "{go}" ]; do sleep 0.1; done\nexec ffprobe "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


async def _job(url: str, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = (await data(url, JOB, {"id": job_id}))["job"]
    return job


async def test_a_second_server_on_the_data_dir_refuses_until_the_first_dies(
    tmp_path: Path,
) -> None:
    go = tmp_path / "go"
    (tmp_path / "served").mkdir()
    make_video(tmp_path / "served" / "c.mp4", seconds=1.0)
    data_dir = tmp_path / "data"
    env = env_for(
        data_dir,
        GQL_MEDIA_IMPORT__ALLOW_NETWORKS="127.0.0.1/32",
        GQL_MEDIA_MEDIA__FFPROBE_PATH=str(_held_ffprobe(tmp_path, go)),
    )
    code, _, err = await run("migrate", env=env)
    assert code == 0, err

    def serve(name: str, port: int) -> Proc:
        args = [str(BIN / "gql-media"), "serve", "--port", str(port)]
        return Proc(name, args, env, tmp_path)

    first_url = f"http://127.0.0.1:{(first_port := free_port())}"
    first = serve("first", first_port)
    third = None
    try:
        await wait_for_http(first_url + "/healthz", first)
        async with serve_files(tmp_path / "served") as source:
            result = await data(first_url, IMPORT, {"u": source.url("/c.mp4")})
            job_id = result["importAsset"]["job"]["id"]
            async with asyncio.timeout(30):
                while (await _job(first_url, job_id))["status"] != "RUNNING":
                    await asyncio.sleep(0.1)

            code, _, err = await run("serve", "--port", str(free_port()), env=env)
            assert code != 0
            assert err.count("\n") == 1, err
            assert f"data dir {data_dir} is in use" in err
            assert f"pid {first.popen.pid}" in err
            # The refused server did not run recovery: the job is untouched.
            job = await _job(first_url, job_id)
            assert (job["status"], job["attempts"]) == ("RUNNING", 1)

            first.kill()  # SIGKILL: only the kernel releases the lock
            third_url = f"http://127.0.0.1:{(third_port := free_port())}"
            third = serve("third", third_port)
            await wait_for_http(third_url + "/healthz", third)
            go.touch()
            async with asyncio.timeout(60):
                while (job := await _job(third_url, job_id))["status"] == "RUNNING":
                    await asyncio.sleep(0.1)
            # Recovery of the killed server's job happens once, in the new one.
            assert job["attempts"] == 2
    finally:
        go.touch()
        first.kill()
        if third is not None:
            third.stop()


async def test_cli_import_refuses_a_data_dir_a_server_holds(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1.0)
    lock = datadir_lock.acquire(tmp_path / "data", "serve")
    try:
        code, _, err = await run("import", str(clip), env=env_for(tmp_path / "data"))
    finally:
        lock.release()
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: data dir {tmp_path / 'data'} is in use by another gql-media "
        f"process (pid {os.getpid()}, gql-media serve); stop it, or give this one "
        "another GQL_MEDIA_DATA_DIR"
    ]
    assert not (tmp_path / "data" / "gql_media.sqlite3").exists()


def test_the_lock_is_reentrant_in_one_process_and_released_with_it(
    tmp_path: Path,
) -> None:
    outer = datadir_lock.acquire(tmp_path, "serve")
    inner = datadir_lock.acquire(tmp_path)  # the app's lifespan under `serve`
    assert inner is outer
    inner.release()
    probe = [sys.executable, "-c", _TRY_LOCK, str(tmp_path)]
    assert subprocess.run(probe, capture_output=True).returncode == 3  # still held
    outer.release()
    assert subprocess.run(probe, capture_output=True).returncode == 0


_TRY_LOCK = """
import sys
from pathlib import Path
from gql_media import datadir_lock
try:
    datadir_lock.acquire(Path(sys.argv[1]), "probe").release()
except datadir_lock.DataDirInUse:
    sys.exit(3)
"""
