"""Run ffmpeg/ffprobe as child processes that never outlive the call."""

import asyncio
import logging
import os
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from gql_media.errors import MediaError, MediaTimeout
from gql_media.kit import tracing

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
_CHUNK = 64 * 1024
# How long to wait for the pipes to close after the process group was killed.
_REAP_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class ToolResult:
    """What a finished tool left behind."""

    returncode: int
    stdout: bytes
    stderr: str


class _OutputTooLarge(Exception):
    pass


async def run_tool(
    args: Sequence[str],
    *,
    timeout: float,  # noqa: ASYNC109 - a deadline per tool run
    stdin_path: Path | None = None,
    max_output: int = 16 * MiB,
    on_start: Callable[[int], None] | None = None,
) -> ToolResult:
    """`_run_tool` in a tracing span named after the program (ffmpeg, ffprobe)."""
    with tracing.span(Path(args[0]).name, **{"process.command_args": list(args)}):
        return await _run_tool(
            args,
            timeout=timeout,
            stdin_path=stdin_path,
            max_output=max_output,
            on_start=on_start,
        )


async def _run_tool(
    args: Sequence[str],
    *,
    timeout: float,  # noqa: ASYNC109 - a deadline per tool run
    stdin_path: Path | None = None,
    max_output: int = 16 * MiB,
    on_start: Callable[[int], None] | None = None,
) -> ToolResult:
    """Run a command (no shell) and collect its output, killing it on any way out.

    The child starts in its own session, so killing its process group also kills
    anything it started. On timeout, cancellation or an error the group gets
    SIGKILL and the child is reaped before this returns or raises.

    Args:
        args: the program and its arguments.
        timeout: seconds the whole run may take.
        stdin_path: a file to feed on stdin; /dev/null when None.
        max_output: cap on stdout bytes (more is an error) and on the stderr kept
            (more is dropped).
        on_start: called with the child's pid once it has started.

    Returns:
        The exit code, stdout and stderr (decoded leniently). A non-zero exit code
        is returned, not raised: the caller knows what it means.

    Raises:
        MediaTimeout: the run took longer than `timeout`.
        MediaError: stdout grew past `max_output`.
    """
    name = Path(args[0]).name
    stdin_file = await asyncio.to_thread(stdin_path.open, "rb") if stdin_path else None
    try:
        proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=stdin_file or subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    finally:
        # The child holds its own copy of the descriptor.
        if stdin_file:
            stdin_file.close()
    # Both are pipes: PIPE was asked for above.
    out_pipe = cast(asyncio.StreamReader, proc.stdout)
    err_pipe = cast(asyncio.StreamReader, proc.stderr)
    readers = [
        asyncio.ensure_future(_read(out_pipe, max_output, strict=True)),
        asyncio.ensure_future(_read(err_pipe, max_output, strict=False)),
    ]
    finished = False
    try:
        if on_start is not None:
            on_start(proc.pid)
        async with asyncio.timeout(timeout):
            stdout, stderr = await asyncio.gather(*readers)
            returncode = await proc.wait()
        finished = True
    except TimeoutError:
        raise MediaTimeout(f"{name} took longer than {timeout:g} seconds") from None
    except _OutputTooLarge:
        raise MediaError(f"{name} printed more than {max_output} bytes") from None
    finally:
        if not finished:
            await _kill_and_reap(proc, readers)
    return ToolResult(returncode, stdout, stderr.decode("utf-8", errors="replace"))


async def _read(stream: asyncio.StreamReader, limit: int, *, strict: bool) -> bytes:
    """Read a pipe to its end, keeping at most `limit` bytes."""
    kept = bytearray()
    while chunk := await stream.read(_CHUNK):
        room = limit - len(kept)
        if len(chunk) > room:
            if strict:
                raise _OutputTooLarge
            # Keep draining so the child never blocks on a full pipe.
            chunk = chunk[:room]
        kept += chunk
    return bytes(kept)


async def _kill_and_reap(
    proc: asyncio.subprocess.Process, readers: Sequence["asyncio.Future[bytes]"]
) -> None:
    """SIGKILL the child's group and wait for it, even through a second cancel."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the group is already gone
    cleanup = asyncio.ensure_future(_reap(proc, readers))
    cancelled = False
    while not cleanup.done():
        try:
            await asyncio.shield(cleanup)
        except asyncio.CancelledError:
            cancelled = True
    cleanup.result()
    if cancelled:
        raise asyncio.CancelledError


async def _reap(
    proc: asyncio.subprocess.Process, readers: Sequence["asyncio.Future[bytes]"]
) -> None:
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    try:
        async with asyncio.timeout(_REAP_GRACE_SECONDS):
            # Read the pipes to EOF first: a reader stopped with data in flight
            # leaves the transport paused, and on Python 3.11 wait() returns only
            # once both pipes have closed.
            for stream in (proc.stdout, proc.stderr):
                while stream is not None and await stream.read(_CHUNK):
                    pass
            await proc.wait()
    except TimeoutError:
        # The child itself is dead (SIGKILL) and the child watcher reaps it; only a
        # process that left the group can hold the pipes open this long.
        logger.warning("pipes of killed pid %s stayed open", proc.pid)
