"""run_tool(): output, caps, and that no child outlives a timeout or a cancel."""

import asyncio
import gc
import sys
import time
from pathlib import Path

import pytest

from gql_media.errors import MediaError, MediaTimeout
from gql_media.media.process import run_tool


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (nobody may reap orphans here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _wait_dead(pid: int, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def _read_pid(path: Path) -> int | None:
    text = path.read_text() if path.exists() else ""
    return int(text) if text.strip() else None


async def _pid_from(path: Path) -> int:
    for _ in range(250):
        if pid := await asyncio.to_thread(_read_pid, path):
            return pid
        await asyncio.sleep(0.02)
    raise AssertionError("the grandchild never started")


def _tree(pid_file: Path) -> list[str]:
    """A shell that starts a grandchild `sleep` and waits on it."""
    return ["sh", "-c", 'sleep 30 & echo $! > "$1"; wait', "sh", str(pid_file)]


async def test_output_and_exit_code() -> None:
    script = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    result = await run_tool([sys.executable, "-c", script], timeout=10)
    assert (result.returncode, result.stdout, result.stderr) == (3, b"out\n", "err\n")


async def test_stdin_is_empty_unless_fed(tmp_path: Path) -> None:
    assert (await run_tool(["cat"], timeout=10)).stdout == b""
    fed = tmp_path / "in.bin"
    fed.write_bytes(b"\x00payload\xff")
    result = await run_tool(["cat"], timeout=10, stdin_path=fed)
    assert result.stdout == b"\x00payload\xff"


@pytest.mark.parametrize(
    "script",
    [
        "print('x' * 100_000)",
        # Still writing when it is killed: the pipes must drain for the reap to end.
        "import sys\nwhile True: sys.stdout.write('x' * 65536)",
    ],
)
async def test_stdout_over_the_cap_is_an_error(script: str) -> None:
    started = time.monotonic()
    with pytest.raises(MediaError, match="more than 1000 bytes"):
        await run_tool([sys.executable, "-c", script], timeout=10, max_output=1000)
    assert time.monotonic() - started < 5
    gc.collect()


async def test_stderr_over_the_cap_is_cut() -> None:
    script = "import sys; sys.stderr.write('e' * 300_000); print('done')"
    result = await run_tool([sys.executable, "-c", script], timeout=10, max_output=1000)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        b"done\n",
        "e" * 1000,
    )


async def test_timeout_kills_child_and_grandchild(tmp_path: Path) -> None:
    pids: list[int] = []
    started = time.monotonic()
    with pytest.raises(MediaTimeout, match=r"longer than 0\.5 seconds") as caught:
        await run_tool(_tree(tmp_path / "pid"), timeout=0.5, on_start=pids.append)
    assert caught.value.code == "MEDIA_TIMEOUT"
    assert time.monotonic() - started < 5
    # The child is reaped before run_tool raises; the orphaned grandchild was
    # killed with the group.
    assert not _alive(pids[0])
    assert await _wait_dead(await _pid_from(tmp_path / "pid"))
    gc.collect()  # an unclosed transport would warn (and fail the test) here


async def test_cancel_kills_child_and_grandchild(tmp_path: Path) -> None:
    pids: list[int] = []
    task = asyncio.create_task(
        run_tool(_tree(tmp_path / "pid"), timeout=30, on_start=pids.append)
    )
    grandchild = await _pid_from(tmp_path / "pid")
    assert _alive(pids[0]) and _alive(grandchild)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not _alive(pids[0])
    assert await _wait_dead(grandchild)
    gc.collect()
