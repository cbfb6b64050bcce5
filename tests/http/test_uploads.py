"""Multipart requests: every part counts, a name appears once, and temp-file work
(open, fsync, remove) runs off the event loop."""

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gql_media import models
from gql_media.http.limits import RequestRejected
from gql_media.http.uploads import MAX_FILES, MultipartUpload
from tests.conftest import Server
from tests.support.graphql import PREFLIGHT, UPLOAD, data
from tests.support.tls import TLS

BOUNDARY = "gqlmediaboundary"
HEADERS = {**PREFLIGHT, "content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _field(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n"
    ).encode()


def _file(name: str, content: bytes) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    return head + content + b"\r\n"


def _body(file_parts: list[bytes]) -> bytes:
    operations = {"query": UPLOAD, "variables": {"file": None, "input": None}}
    return (
        _field("operations", json.dumps(operations))
        + _field("map", json.dumps({"0": ["variables.file"]}))
        + b"".join(file_parts)
        + f"--{BOUNDARY}--\r\n".encode()
    )


async def test_ten_thousand_parts_with_one_name_are_refused_and_leave_nothing(
    server: Server, no_stray_files: None
) -> None:
    body = _body([_file("0", b"x" * 16) for _ in range(10_000)])

    async def upload() -> httpx.Response:
        async with httpx.AsyncClient(
            verify=TLS, base_url=server.url, timeout=60
        ) as client:
            return await client.post("/graphql", content=body, headers=HEADERS)

    async def simple_query() -> dict[str, object]:
        return await data(server.url, "{ stats { assetCount } }")

    # A simple request sent alongside is answered too (and not by a stalled loop).
    response, stats = await asyncio.gather(upload(), simple_query())
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "repeated" in error["message"]
    assert stats == {"stats": {"assetCount": 0}}
    assert await models.Asset.all().count() == 0
    assert await models.Job.all().count() == 0


async def test_a_repeated_field_name_is_refused(
    server: Server, no_stray_files: None
) -> None:
    body = _field("map", "{}") + _body([_file("0", b"x")])
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=60) as client:
        response = await client.post("/graphql", content=body, headers=HEADERS)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_more_file_parts_than_the_cap_are_refused(
    server: Server, no_stray_files: None
) -> None:
    parts = [_file(str(i), b"x" * 16) for i in range(MAX_FILES + 1)]
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=60) as client:
        response = await client.post("/graphql", content=_body(parts), headers=HEADERS)
    assert response.status_code == 400, response.text
    assert f"at most {MAX_FILES} files" in response.json()["errors"][0]["message"]
    assert await models.Asset.all().count() == 0


async def _chunks(body: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_file_work_runs_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fsync of every file part happens in a worker thread, never on the loop."""
    loop_thread = threading.get_ident()
    fsync_threads: list[int] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        fsync_threads.append(threading.get_ident())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    upload = MultipartUpload(tmp_path, max_file_bytes=1024)
    parts = [_file(str(i), bytes([i]) * 100) for i in range(MAX_FILES)]
    await upload.parse(HEADERS["content-type"], _chunks(_body(parts)))
    assert sorted(upload.files) == sorted(str(i) for i in range(MAX_FILES))
    assert upload.files["3"].size == 100
    assert upload.files["3"].path.read_bytes() == bytes([3]) * 100
    assert len(fsync_threads) == MAX_FILES
    assert loop_thread not in fsync_threads
    await upload.cleanup()
    assert list(tmp_path.iterdir()) == []


async def test_a_body_cut_mid_file_leaves_no_file(tmp_path: Path) -> None:
    upload = MultipartUpload(tmp_path, max_file_bytes=1 << 20)
    body = _body([_file("0", b"z" * 50_000)])
    # The boundary never closes: the body ends inside the file part.
    with pytest.raises(RequestRejected, match="ends early"):
        await upload.parse(HEADERS["content-type"], _chunks(body[:30_000]))
    assert upload.files == {}
    await upload.cleanup()
    assert list(tmp_path.iterdir()) == []
