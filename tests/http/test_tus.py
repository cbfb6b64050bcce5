"""Resumable uploads over tus: the protocol's answers, a 50 MB upload dropped at
60 % and resumed with the Python tus client, and what a refused upload leaves."""

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tusclient import client as tus_client

from gql_media import models
from gql_media.errors import NotFound
from gql_media.models import AssetStatus
from gql_media.runtime import Runtime
from gql_media.services.assets.resumable import ResumableUploads
from tests.conftest import Server, wait_for_job
from tests.support.media import ffmpeg, make_video
from tests.support.tls import TLS

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}
INJECTED = base64.b64encode(b"video/mp4\r\nX-Amz-Acl: public-read").decode()


def make_big_video(path: Path) -> Path:
    """About 52 MB of uncompressed video (320x240, 450 frames) in AVI: a real,
    probeable clip of upload size, made in a moment (no encoding)."""
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=18", "-c:v", "rawvideo",
           "-pix_fmt", "yuv420p", str(path))  # fmt: skip
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def tus_upload(
    server: Server, path: Path, *, url: str | None = None, chunk_size: int = 8 << 20
) -> tuple[str, dict[str, str]]:
    """Upload (or resume at `url`) with tuspy; the upload URL and the headers of
    the last PATCH. Blocking: run it in a thread (the server shares our loop)."""
    client = tus_client.TusClient(f"{server.url}/uploads/")
    # A stream we close: given a path, tuspy opens the file per chunk and leaves
    # the handles to the garbage collector.
    with path.open("rb") as stream:
        uploader = client.uploader(
            file_stream=stream,
            url=url,
            chunk_size=chunk_size,
            metadata={"filename": path.name, "filetype": "video/x-msvideo"},
            retries=5,
            retry_delay=0.2,  # type: ignore[arg-type]
        )
        uploader.upload()
    assert uploader.url is not None
    return uploader.url, dict(uploader.request.response_headers)


async def ready_asset(headers: dict[str, str]) -> models.Asset:
    job = await wait_for_job(headers["gql-media-job-id"], timeout=90)
    assert job.status.value == "SUCCEEDED", job.error_message
    return await models.Asset.get(id=headers["gql-media-asset-id"])


async def test_options_advertise_the_protocol(server: Server) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        response = await http.options("/uploads/")
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) == {
        "creation",
        "termination",
    }
    assert int(response.headers["tus-max-size"]) == (
        server.settings.limits.max_upload_bytes
    )


async def test_requests_without_tus_resumable_are_refused(
    server: Server, no_stray_files: None
) -> None:
    # The header is the CSRF rule: an HTML form cannot send it.
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        response = await http.post("/uploads/", headers={"Upload-Length": "10"})
    assert response.status_code == 412
    assert response.headers["tus-version"] == "1.0.0"


async def test_a_clip_uploads_and_becomes_a_ready_asset(
    server: Server, tmp_path: Path, no_stray_files: None
) -> None:
    clip = make_video(tmp_path / "clip.mp4", width=320, height=240, seconds=1)
    url, headers = await asyncio.to_thread(tus_upload, server, clip, chunk_size=4096)
    assert headers["gql-media-duplicate"] == "false"
    asset = await ready_asset(headers)
    assert asset.status is AssetStatus.READY
    assert asset.checksum == sha256_of(clip)
    assert asset.name == "clip.mp4"
    assert asset.thumbnail_key is not None
    assert await server.runtime.storage.exists(asset.storage_key)
    # A finished upload is gone; its URL reads as unknown.
    async with httpx.AsyncClient(verify=TLS) as http:
        assert (await http.head(url, headers=TUS)).status_code == 404


async def test_the_same_bytes_again_are_a_duplicate(
    server: Server, tmp_path: Path, no_stray_files: None
) -> None:
    clip = make_video(tmp_path / "clip.mp4", width=160, height=120, seconds=1)
    _, first = await asyncio.to_thread(tus_upload, server, clip)
    _, second = await asyncio.to_thread(tus_upload, server, clip)
    assert second["gql-media-duplicate"] == "true"
    assert second["gql-media-asset-id"] == first["gql-media-asset-id"]
    assert "gql-media-job-id" not in second
    await ready_asset(first)
    assert await models.Asset.all().count() == 1


async def _dropped_at(fraction: float, path: Path) -> AsyncIterator[bytes]:
    """The file's bytes up to `fraction`, then a broken connection."""
    stop = int(path.stat().st_size * fraction)
    sent = 0
    with path.open("rb") as fh:
        while sent < stop:
            block = fh.read(min(256 * 1024, stop - sent))
            sent += len(block)
            yield block
    raise ConnectionAbortedError("the network went away")


@pytest.mark.timeout(240)
async def test_a_50_mb_upload_dropped_at_60_percent_resumes_and_completes(
    server: Server, tmp_path: Path, no_stray_files: None
) -> None:
    video = make_big_video(tmp_path / "big.avi")
    size = video.stat().st_size
    assert size >= 50_000_000
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=60) as http:
        created = await http.post(
            "/uploads/", headers={**TUS, "Upload-Length": str(size)}
        )
        assert created.status_code == 201, created.text
        url = created.headers["location"]
        with pytest.raises(ConnectionAbortedError):
            await http.patch(
                url,
                headers={**PATCH, "Upload-Offset": "0"},
                content=_dropped_at(0.6, video),
            )
        head = await http.head(url, headers=TUS)
    assert head.status_code == 200
    kept = int(head.headers["upload-offset"])
    assert 0 < kept <= int(size * 0.6)
    assert int(head.headers["upload-length"]) == size
    assert await models.Asset.all().count() == 0

    # The Python tus client asks where the upload stands and sends the rest.
    _, headers = await asyncio.to_thread(tus_upload, server, video, url=url)
    asset = await ready_asset(headers)
    assert asset.size_bytes == size
    assert asset.checksum == sha256_of(video)
    assert asset.width == 320 and asset.height == 240
    async with httpx.AsyncClient(verify=TLS) as http:
        assert (await http.head(url, headers=TUS)).status_code == 404


async def test_a_wrong_offset_is_a_conflict_and_changes_nothing(
    server: Server, no_stray_files: None
) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        url = (
            await http.post("/uploads/", headers={**TUS, "Upload-Length": "10"})
        ).headers["location"]
        sent = await http.patch(
            url, headers={**PATCH, "Upload-Offset": "0"}, content=b"abcd"
        )
        assert sent.status_code == 204
        assert sent.headers["upload-offset"] == "4"
        wrong = await http.patch(
            url, headers={**PATCH, "Upload-Offset": "2"}, content=b"cdef"
        )
        assert wrong.status_code == 409
        too_much = await http.patch(
            url, headers={**PATCH, "Upload-Offset": "4"}, content=b"0123456789"
        )
        assert too_much.status_code == 413
        assert (await http.head(url, headers=TUS)).headers["upload-offset"] == "4"
        wrong_type = await http.patch(
            url, headers={**TUS, "Upload-Offset": "4"}, content=b"efgh"
        )
        assert wrong_type.status_code == 415
        # Termination removes the upload and its bytes.
        assert (await http.delete(url, headers=TUS)).status_code == 204
        assert (await http.head(url, headers=TUS)).status_code == 404
    assert await models.Asset.all().count() == 0


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": "0"}, 400),
        ({"Upload-Length": "-5"}, 400),
        ({"Upload-Length": str(10**12)}, 413),
        ({"Upload-Length": "10", "Upload-Metadata": "filename !!notbase64"}, 400),
        ({"Upload-Length": "10", "Upload-Metadata": "name AA=="}, 400),
        # A filetype becomes the stored object's Content-Type header.
        ({"Upload-Length": "10", "Upload-Metadata": f"filetype {INJECTED}"}, 400),
    ],
)
async def test_bad_creations_are_refused_and_leave_nothing(
    server: Server, headers: dict[str, str], status: int, no_stray_files: None
) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        response = await http.post("/uploads/", headers={**TUS, **headers})
    assert response.status_code == status, response.text
    assert list(server.settings.tmp_dir.glob("tus-*")) == []


async def test_garbage_completes_the_upload_and_the_asset_fails(
    server: Server, no_stray_files: None
) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        url = (
            await http.post("/uploads/", headers={**TUS, "Upload-Length": "64"})
        ).headers["location"]
        done = await http.patch(
            url, headers={**PATCH, "Upload-Offset": "0"}, content=b"\x00" * 64
        )
    assert done.status_code == 204
    job = await wait_for_job(done.headers["gql-media-job-id"])
    assert job.status.value == "FAILED"
    asset = await models.Asset.get(id=done.headers["gql-media-asset-id"])
    assert asset.status is AssetStatus.FAILED


async def test_unknown_and_malformed_ids_read_as_unknown(server: Server) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        for upload_id in ("0" * 32, "../../etc/passwd", "x"):
            response = await http.head(f"/uploads/{upload_id}", headers=TUS)
            assert response.status_code == 404


async def test_another_owner_reads_an_upload_as_unknown(
    runtime: Runtime, no_stray_files: None
) -> None:
    uploads = ResumableUploads(runtime)
    upload = await uploads.create("owner-a", 10, {"filename": "a.bin"})

    async def chunks() -> AsyncIterator[bytes]:
        yield b"abcd"

    for attempt in (
        uploads.get("owner-b", upload.id),
        uploads.append("owner-b", upload.id, 0, chunks()),
        uploads.terminate("owner-b", upload.id),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert (await uploads.get("owner-a", upload.id)).offset == 0
    await uploads.terminate("owner-a", upload.id)
