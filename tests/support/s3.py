"""A real S3 API on loopback: moto's server mode in a subprocess.

`s3_server` starts one moto server per test session and stops it at the end;
`s3_settings` gives each test its own, freshly created bucket on it.
"""

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gql_media.settings import StorageSettings
from gql_media.storage.s3 import S3Storage
from tests.support.tls import TLS

_START_TIMEOUT_SECONDS = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(process: subprocess.Popen[bytes], endpoint: str, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    with httpx.Client(verify=TLS, timeout=1.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"moto server exited:\n{log.read_text()}")
            try:
                client.get(f"{endpoint}/moto-api/")
                return
            except httpx.TransportError:
                time.sleep(0.05)
    raise RuntimeError(f"moto server did not answer on {endpoint}:\n{log.read_text()}")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint URL (http://127.0.0.1:<port>) of a moto S3 server."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(process, endpoint, log)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
async def s3_settings(s3_server: str) -> StorageSettings:
    """S3 settings pointing at `s3_server`, with a new bucket for this test."""
    settings = StorageSettings(
        backend="s3",
        bucket=f"test-{uuid.uuid4().hex[:16]}",
        endpoint_url=s3_server,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
    )
    storage = S3Storage(settings)
    try:
        await storage.ensure_bucket()
    finally:
        await storage.close()
    return settings
