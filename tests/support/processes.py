"""Real processes for tests: a private redis-server, the API and arq workers."""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.tls import TLS

REPO = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proc:
    """A child process whose output goes to a log file; stopped at exit."""

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], log_dir: Path
    ) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._out = self.log.open("ab")
        self.popen = subprocess.Popen(
            args, env=env, cwd=REPO, stdout=self._out, stderr=subprocess.STDOUT
        )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.alive():
            self.popen.send_signal(sig)
        self.wait(30)

    def wait(self, timeout: float) -> int:
        """Wait for a process that ends by itself; its exit code."""
        code = self.popen.wait(timeout=timeout)
        self._out.close()
        return code

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def redis_server(port: int, log_dir: Path) -> Iterator[Proc]:
    """A private, non-persistent redis-server on loopback."""
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    proc = Proc(
        f"redis-{port}",
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(log_dir),
        ],
        dict(os.environ),
        log_dir,
    )
    try:
        yield proc
    finally:
        proc.stop()


async def wait_for_redis(port: int, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                return
            except OSError:
                await asyncio.sleep(0.05)


async def wait_for_http(url: str, proc: Proc, timeout: float = 30.0) -> None:
    async with httpx.AsyncClient(verify=TLS) as client, asyncio.timeout(timeout):
        while True:
            assert proc.alive(), proc.output()
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
