"""`gql-media import` as a user sees it: log lines above the progress bar on a
terminal, plain progress lines elsewhere, one-line errors, the same code for an
unresolvable host as GraphQL gives."""

import asyncio
import fcntl
import os
import pty
import re
import struct
import termios
from pathlib import Path

import pytest

from tests.conftest import Server
from tests.support.generations import ATTACH, create, scene_ids
from tests.support.graphql import data
from tests.support.media import make_video
from tests.test_cli import BIN, env_for, run

UNRESOLVABLE = "http://no-such-host.invalid/clip.mp4"  # RFC 2606: never resolves
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO ")


async def _import_on_a_pty(
    clip: Path, data_dir: Path, rows: int, cols: int
) -> tuple[int, str]:
    """Run `gql-media import` with its stderr on a pseudo-terminal of this size."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = await asyncio.create_subprocess_exec(
        str(BIN),
        "import",
        str(clip),
        env=env_for(data_dir),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    loop = asyncio.get_running_loop()
    while True:
        try:
            chunk = await loop.run_in_executor(None, os.read, leader, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = await asyncio.wait_for(proc.wait(), 60)
    return code, b"".join(chunks).decode(errors="replace")


async def test_log_records_go_above_the_bar_on_a_terminal(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1.0)
    code, output = await _import_on_a_pty(clip, tmp_path / "data", 24, 100)
    assert code == 0, output
    started = [line for line in output.split("\n") if " started, attempt 1" in line]
    assert started, output
    # What is left of the line after the bar's last carriage return is the
    # record alone: the bar was cleared, not written over (the pty adds "\r\n").
    for line in started:
        assert LOG_RECORD.match(line.rstrip("\r").split("\r")[-1]), repr(line)
    assert "succeeded" in output and "100%" in output


async def test_progress_is_plain_lines_when_the_terminal_has_no_size(
    tmp_path: Path,
) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1.0)
    code, output = await _import_on_a_pty(clip, tmp_path / "data", 0, 0)
    assert code == 0, output
    lines = [line.strip("\r") for line in output.split("\n")]
    assert "succeeded 100%" in lines, output
    assert all(line.strip() for line in lines[:-1]), output  # no empty bar lines


async def test_progress_is_plain_lines_on_a_pipe(tmp_path: Path) -> None:
    clip = make_video(tmp_path / "clip.mp4", seconds=1.0)
    code, _, err = await run("import", str(clip), env=env_for(tmp_path / "data"))
    assert code == 0, err
    assert "\r" not in err
    assert "succeeded 100%" in err.splitlines()


@pytest.mark.parametrize("name", ["missing.mp4", "a-directory"])
async def test_an_unreadable_local_file_is_one_line(tmp_path: Path, name: str) -> None:
    (tmp_path / "a-directory").mkdir()
    code, out, err = await run(
        "import", str(tmp_path / name), env=env_for(tmp_path / "data")
    )
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: INVALID_INPUT: cannot import {tmp_path / name}: "
        + ("no such file" if name == "missing.mp4" else "is a directory")
    ]
    assert out == ""
    assert not (tmp_path / "data").exists()  # refused before anything is written


IMPORT = """
mutation ($u: String!) {
  importAsset(input: {url: $u}) { __typename ... on Error { code message } }
}
"""


async def test_an_unresolvable_host_is_fetch_failed_in_the_cli(tmp_path: Path) -> None:
    code, _, err = await run("import", UNRESOLVABLE, env=env_for(tmp_path / "data"))
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        "error: FETCH_FAILED: could not resolve host 'no-such-host.invalid'"
    )


async def test_an_unresolvable_host_is_fetch_failed_over_graphql(
    server: Server,
) -> None:
    result = (await data(server.url, IMPORT, {"u": UNRESOLVABLE}))["importAsset"]
    assert result == {
        "__typename": "FetchFailedError",
        "code": "FETCH_FAILED",
        "message": "could not resolve host 'no-such-host.invalid'",
    }


async def test_an_unresolvable_scene_video_url_is_fetch_failed_too(
    server: Server,
) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=1)
    variables = {"sceneId": scene_ids(generation)[0], "input": {"url": UNRESOLVABLE}}
    result = (await data(server.url, ATTACH, variables))["attachSceneVideo"]
    assert result == {
        "__typename": "FetchFailedError",
        "code": "FETCH_FAILED",
        "message": "could not resolve host 'no-such-host.invalid'",
    }
