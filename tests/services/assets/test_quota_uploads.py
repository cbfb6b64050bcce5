"""The storage quota on uploads whose bytes come later: tus (/uploads/) and
presigned S3 uploads are refused when opened if the declared size, with the
owner's other open uploads, would pass the quota, and again on completion;
a refusal leaves no temp file, no object, no open multipart upload, no row."""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from gql_media import models
from gql_media.models import DirectUploadStatus
from gql_media.settings import Settings, StorageSettings
from tests.conftest import Server, make_settings, wait_for_job
from tests.resolvers.test_direct_uploads import bucket, complete, create, send_parts
from tests.support.graphql import upload
from tests.support.media import make_video
from tests.support.tls import TLS

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return make_video(tmp_path / "clip.mp4", width=160, height=90, seconds=1)


@pytest.fixture
async def s3_app(
    settings: Settings, s3_settings: StorageSettings
) -> AsyncIterator[Server]:
    server = Server(
        make_settings(settings.data_dir, settings.db_url, storage=s3_settings)
    )
    await server.start()
    yield server
    await server.stop()


async def stored(server: Server) -> list[str]:
    return sorted([o.key async for o in server.runtime.storage.list_objects("")])


async def store_clip(server: Server, clip: Path) -> models.Asset:
    made = (await upload(server.url, clip)).json()["data"]["uploadAsset"]
    assert made["__typename"] == "UploadAssetSuccess", made
    job = await wait_for_job(made["job"]["id"])
    assert job.status is models.JobStatus.SUCCEEDED, job.error_message
    return await models.Asset.get(id=made["asset"]["id"])


def tus_files(server: Server) -> list[Path]:
    return sorted(server.settings.tmp_dir.glob("tus-*"))


async def test_tus_uploads_are_refused_when_opened_and_when_completed(
    server: Server, clip: Path, tmp_path: Path, no_stray_files: None
) -> None:
    size = clip.stat().st_size
    quota = server.settings.limits.owner_quota_bytes = 3 * size

    # The Python tus client: a file over the quota is refused at creation.
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x01" * (quota + 1))

    def tus_upload() -> None:
        with big.open("rb") as stream:
            client = tus_client.TusClient(f"{server.url}/uploads/")
            client.uploader(file_stream=stream, chunk_size=1 << 20).upload()

    with pytest.raises(TusCommunicationError) as refused:
        await asyncio.to_thread(tus_upload)
    assert refused.value.status_code == 413
    assert b"QUOTA_EXCEEDED" in (refused.value.response_content or b"")
    assert tus_files(server) == []

    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:

        async def open_upload(length: int) -> httpx.Response:
            headers = {**TUS, "Upload-Length": str(length)}
            return await http.post("/uploads/", headers=headers)

        # Open uploads count as spent: two that fit alone do not fit together.
        first = await open_upload(2 * size)
        assert first.status_code == 201, first.text
        second = await open_upload(2 * size)
        assert second.status_code == 413
        assert second.text.startswith("QUOTA_EXCEEDED")
        assert len(tus_files(server)) == 2  # the first upload's .part and .json
        assert (await http.delete(first.headers["location"], headers=TUS)).is_success
        late = await open_upload(size)
        assert late.status_code == 201, late.text

        # Meanwhile a multipart upload fills the quota; completing the tus upload
        # is refused, and its bytes are dropped.
        server.settings.limits.owner_quota_bytes = size + size // 2
        kept = await store_clip(server, clip)
        before = await stored(server)
        sent = await http.patch(
            late.headers["location"],
            headers={**PATCH, "Upload-Offset": "0"},
            content=b"\x02" * size,
        )
        assert sent.status_code == 413, sent.text
        assert sent.text.startswith("QUOTA_EXCEEDED")
        gone = await http.head(late.headers["location"], headers=TUS)
        assert gone.status_code == 404
    assert await models.Asset.all().count() == 1
    assert (await models.Asset.get()).id == kept.id
    assert await stored(server) == before
    assert tus_files(server) == []


async def test_presigned_uploads_are_refused_before_any_part_link(
    s3_app: Server, clip: Path, no_stray_files: None
) -> None:
    server = s3_app
    content = clip.read_bytes()
    server.settings.limits.owner_quota_bytes = 2 * len(content)

    over = await create(server, b"z" * (2 * len(content) + 1))
    assert (over["__typename"], over["code"]) == ("TooLargeError", "QUOTA_EXCEEDED")
    # An open upload counts as spent, for presigned and tus uploads alike.
    first = await create(server, b"a" * len(content))
    assert first["__typename"] == "CreateDirectUploadSuccess", first
    second = await create(server, b"b" * (len(content) + 1))
    assert second["code"] == "QUOTA_EXCEEDED", second
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        headers = {**TUS, "Upload-Length": str(len(content) + 1)}
        tus = await http.post("/uploads/", headers=headers)
    assert tus.status_code == 413 and tus.text.startswith("QUOTA_EXCEEDED")
    assert await models.DirectUpload.all().count() == 1
    _, open_uploads = await bucket(server.settings.storage)
    assert open_uploads == [f"uploads/{first['upload']['id']}"]


async def test_a_presigned_upload_is_refused_on_completion_and_leaves_nothing(
    s3_app: Server, clip: Path, no_stray_files: None
) -> None:
    server = s3_app
    junk = b"j" * 5000
    size = clip.stat().st_size
    server.settings.limits.owner_quota_bytes = size + len(junk) - 1
    opened = await create(server, junk)
    assert opened["__typename"] == "CreateDirectUploadSuccess", opened
    await send_parts(opened, junk)
    # A multipart upload stores its file first (open uploads do not stop it).
    kept = await store_clip(server, clip)
    keys_before, _ = await bucket(server.settings.storage)

    done = await complete(server, opened["upload"]["id"])
    assert (done["__typename"], done["code"]) == ("TooLargeError", "QUOTA_EXCEEDED")
    row = await models.DirectUpload.get(id=opened["upload"]["id"])
    assert row.status is DirectUploadStatus.FAILED
    assert row.error_code == "QUOTA_EXCEEDED"
    assert await bucket(server.settings.storage) == (keys_before, [])
    assert [a.id for a in await models.Asset.all()] == [kept.id]

    # Content the owner already has costs nothing: accepted with the quota full.
    content = clip.read_bytes()
    again = await create(server, content)
    assert again["__typename"] == "CreateDirectUploadSuccess", again
    assert again["upload"]["sha256"] == hashlib.sha256(content).hexdigest()
    await send_parts(again, content)
    dup = await complete(server, again["upload"]["id"])
    assert dup["isDuplicate"] is True and dup["asset"]["id"] == str(kept.id)
    assert await bucket(server.settings.storage) == (keys_before, [])
