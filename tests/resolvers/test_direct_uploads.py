"""Direct uploads against a real S3 API (moto's server): presigned parts, the
hash and size checked on completion, dedup, and nothing left when refused."""

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gql_media import models
from gql_media.errors import NotFound
from gql_media.models import AssetStatus, DirectUploadStatus
from gql_media.services.assets import direct
from gql_media.settings import Settings, StorageSettings
from gql_media.storage import S3Storage
from tests.conftest import Server, make_settings, wait_for_job
from tests.support.graphql import data
from tests.support.media import ffmpeg
from tests.support.tls import TLS

CREATE = """
mutation ($input: CreateDirectUploadInput!) {
  createDirectUpload(input: $input) {
    __typename
    ... on CreateDirectUploadSuccess {
      upload { id status partCount partSizeBytes sizeBytes sha256 }
      parts { number url }
    }
    ... on Error { code message }
  }
}
"""
COMPLETE = """
mutation ($id: ID!) {
  completeDirectUpload(id: $id) {
    __typename
    ... on CompleteDirectUploadSuccess {
      isDuplicate
      upload { id status }
      asset { id status checksum sizeBytes name }
      job { id }
    }
    ... on Error { code message }
  }
}
"""


@pytest.fixture
async def s3_server_app(
    settings: Settings, s3_settings: StorageSettings
) -> AsyncIterator[Server]:
    # Clients reach the S3 API as "localhost", the server as 127.0.0.1: the part
    # links must be signed for the public name.
    public = s3_settings.endpoint_url.replace("127.0.0.1", "localhost")  # type: ignore[union-attr]
    storage = s3_settings.model_copy(update={"public_endpoint_url": public})
    server = Server(make_settings(settings.data_dir, settings.db_url, storage=storage))
    await server.start()
    yield server
    await server.stop()


def big_clip(path: Path) -> Path:
    """About 12 MB uncompressed: two parts of 8 MiB (S3's minimum is 5 MiB)."""
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4", "-c:v", "rawvideo",
           "-pix_fmt", "yuv420p", str(path))  # fmt: skip
    return path


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def create(
    server: Server,
    content: bytes,
    *,
    sha256: str | None = None,
    size: int | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = (
        await data(
            server.url,
            CREATE,
            {
                "input": {
                    "sizeBytes": len(content) if size is None else size,
                    "sha256": sha256 or digest(content),
                    "filename": "clip.avi",
                    "contentType": "video/x-msvideo",
                    "tags": ["direct"],
                }
            },
        )
    )["createDirectUpload"]
    return result


async def send_parts(created: dict[str, Any], content: bytes) -> None:
    part_size = int(created["upload"]["partSizeBytes"])
    async with httpx.AsyncClient(verify=TLS, timeout=60) as http:
        for part in created["parts"]:
            start = (part["number"] - 1) * part_size
            response = await http.put(
                part["url"], content=content[start : start + part_size]
            )
            assert response.status_code == 200, response.text


async def complete(server: Server, upload_id: str) -> dict[str, Any]:
    result: dict[str, Any] = (await data(server.url, COMPLETE, {"id": upload_id}))[
        "completeDirectUpload"
    ]
    return result


async def bucket(storage: StorageSettings) -> tuple[list[str], list[str]]:
    """The keys in the bucket and the keys of multipart uploads still open."""
    s3 = S3Storage(storage)
    try:
        client = await s3.client()
        listing = await client.list_objects_v2(Bucket=storage.bucket)
        uploads = await client.list_multipart_uploads(Bucket=storage.bucket)
        return (
            sorted(o["Key"] for o in listing.get("Contents", [])),
            sorted(u["Key"] for u in uploads.get("Uploads", [])),
        )
    finally:
        await s3.close()


async def test_a_direct_upload_becomes_a_ready_asset_and_again_a_duplicate(
    s3_server_app: Server, tmp_path: Path, no_stray_files: None
) -> None:
    server = s3_server_app
    content = big_clip(tmp_path / "clip.avi").read_bytes()
    created = await create(server, content)
    assert created["__typename"] == "CreateDirectUploadSuccess", created
    assert created["upload"]["partCount"] == 2
    assert all(p["url"].startswith("http://localhost:") for p in created["parts"])
    await send_parts(created, content)

    done = await complete(server, created["upload"]["id"])
    assert done["__typename"] == "CompleteDirectUploadSuccess", done
    assert done["isDuplicate"] is False
    assert done["upload"]["status"] == "COMPLETED"
    assert done["asset"]["checksum"] == digest(content)
    assert done["asset"]["name"] == "clip.avi"
    job = await wait_for_job(done["job"]["id"], timeout=90)
    assert job.status is models.JobStatus.SUCCEEDED, job.error_message
    asset = await models.Asset.get(id=done["asset"]["id"])
    assert asset.status is AssetStatus.READY and asset.thumbnail_key
    assert asset.width == 320

    # The same bytes again: the existing asset, and the staging copy is gone.
    again = await create(server, content)
    await send_parts(again, content)
    second = await complete(server, again["upload"]["id"])
    assert second["isDuplicate"] is True
    assert second["asset"]["id"] == done["asset"]["id"]
    assert second["job"] is None
    keys, open_uploads = await bucket(server.settings.storage)
    assert keys == sorted([asset.storage_key, asset.thumbnail_key])
    assert open_uploads == []


@pytest.mark.parametrize("wrong", ["sha256", "size"])
async def test_bytes_that_do_not_match_fail_and_leave_nothing(
    s3_server_app: Server, wrong: str, no_stray_files: None
) -> None:
    server = s3_server_app
    content = b"not what was declared" * 1000
    if wrong == "sha256":
        created = await create(server, content, sha256=digest(b"other"))
    else:
        created = await create(server, content, size=len(content) + 10)
    await send_parts(created, content)
    done = await complete(server, created["upload"]["id"])
    assert done["__typename"] == "InvalidInputError", done
    assert "do not match" in done["message"]
    row = await models.DirectUpload.get(id=created["upload"]["id"])
    assert row.status is DirectUploadStatus.FAILED
    assert row.error_code == "INVALID_INPUT"
    assert await bucket(server.settings.storage) == ([], [])
    assert await models.Asset.all().count() == 0
    # A FAILED upload stays failed.
    again = await complete(server, created["upload"]["id"])
    assert again["__typename"] == "InvalidStateError"


async def test_completing_without_parts_fails_and_leaves_nothing(
    s3_server_app: Server,
) -> None:
    server = s3_server_app
    created = await create(server, b"x" * 100)
    done = await complete(server, created["upload"]["id"])
    assert done["__typename"] == "InvalidInputError", done
    row = await models.DirectUpload.get(id=created["upload"]["id"])
    assert row.status is DirectUploadStatus.FAILED
    assert await bucket(server.settings.storage) == ([], [])


@pytest.mark.parametrize(
    ("changes", "typename"),
    [
        ({"sizeBytes": 0}, "InvalidInputError"),
        ({"sha256": "abc"}, "InvalidInputError"),
        ({"sizeBytes": 10**12}, "TooLargeError"),
        ({"tags": [""]}, "InvalidInputError"),
        ({"contentType": "video/" + "x" * 300}, "InvalidInputError"),
        ({"contentType": "video/mp4\r\nX-Amz-Acl: public-read"}, "InvalidInputError"),
    ],
)
async def test_bad_declarations_are_refused_and_open_nothing(
    s3_server_app: Server, changes: dict[str, Any], typename: str
) -> None:
    server = s3_server_app
    declared = {"sizeBytes": 10, "sha256": "a" * 64, **changes}
    result = (await data(server.url, CREATE, {"input": declared}))["createDirectUpload"]
    assert result["__typename"] == typename, result
    assert await models.DirectUpload.all().count() == 0
    assert await bucket(server.settings.storage) == ([], [])


async def test_another_owner_reads_the_upload_as_unknown(
    s3_server_app: Server,
) -> None:
    server = s3_server_app
    created = await create(server, b"y" * 100)
    with pytest.raises(NotFound):
        await direct.complete(server.runtime, "someone-else", created["upload"]["id"])
    row = await models.DirectUpload.get(id=created["upload"]["id"])
    assert row.status is DirectUploadStatus.PENDING and row.completed_at is None
    unknown = await complete(server, "00000000-0000-0000-0000-000000000000")
    assert unknown["__typename"] == "NotFoundError"


async def test_local_storage_has_no_direct_uploads(server: Server) -> None:
    result = await create(server, b"z" * 10)
    assert result["__typename"] == "InvalidStateError"
    assert "S3" in result["message"]
