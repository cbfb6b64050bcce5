"""The same pipeline with S3 storage (moto's server over HTTP on loopback)."""

from pathlib import Path

import httpx

from gql_media import models
from gql_media.settings import Settings, StorageSettings
from gql_media.storage import S3Storage
from tests.conftest import Server, make_settings, wait_for_job
from tests.support.graphql import data, upload
from tests.support.http_server import serve_files
from tests.support.media import make_undecodable_mp4, make_video
from tests.support.tls import TLS

MiB = 1024 * 1024


async def _objects(storage: StorageSettings) -> list[str]:
    s3 = S3Storage(storage)
    try:
        client = await s3.client()
        listing = await client.list_objects_v2(Bucket=storage.bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))
    finally:
        await s3.close()


async def test_upload_and_import_store_one_blob_in_s3(
    settings: Settings, s3_settings: StorageSettings, tmp_path: Path
) -> None:
    s3_mode = make_settings(
        settings.data_dir,
        settings.db_url,
        storage=s3_settings,
        gql_media_import={"allow_networks": "127.0.0.1/32"},
    )
    server = Server(s3_mode)
    await server.start()
    try:
        (tmp_path / "served").mkdir()
        clip = make_video(tmp_path / "served" / "c.mp4", seconds=1.0)
        uploaded = (await upload(server.url, clip)).json()["data"]["uploadAsset"]
        job = await wait_for_job(uploaded["job"]["id"])
        assert job.status is models.JobStatus.SUCCEEDED, job.error_message
        async with serve_files(tmp_path / "served") as source:
            imported = (
                await data(
                    server.url,
                    "mutation ($u: String!) { importAsset(input: {url: $u}) "
                    "{ ... on ImportAssetSuccess { job { id } } } }",
                    {"u": source.url("/c.mp4")},
                )
            )["importAsset"]
            job = await wait_for_job(imported["job"]["id"])
        assert job.is_duplicate  # same bytes as the upload
        asset = (
            await data(
                server.url,
                "query ($id: ID!) { asset(id: $id) { status url thumbnailUrl } }",
                {"id": uploaded["asset"]["id"]},
            )
        )["asset"]
        assert asset["status"] == "READY"
        assert "X-Amz-Signature" in asset["url"]
        async with httpx.AsyncClient(verify=TLS) as client:
            blob = await client.get(asset["url"])
            thumb = await client.get(asset["thumbnailUrl"])
        assert blob.content == clip.read_bytes()
        assert thumb.content[:2] == b"\xff\xd8"
        keys = await _objects(s3_settings)
        assert len([k for k in keys if k.startswith("blobs/")]) == 1
        assert len([k for k in keys if k.startswith("thumbs/")]) == 1
        await data(
            server.url,
            "mutation ($id: ID!) { deleteAsset(id: $id) { __typename } }",
            {"id": uploaded["asset"]["id"]},
        )
        assert await _objects(s3_settings) == []
        assert list(s3_mode.tmp_dir.iterdir()) == []
    finally:
        await server.stop()


async def test_an_import_whose_thumbnail_fails_leaves_nothing_in_the_bucket(
    settings: Settings, s3_settings: StorageSettings, tmp_path: Path
) -> None:
    """The blob's parts go up while the thumbnail is made; the thumbnail fails
    (the frames do not decode), so the upload is aborted: no object, no parts."""
    small_parts = s3_settings.model_copy(
        update={"multipart_threshold_bytes": 5 * MiB, "part_size_bytes": 5 * MiB}
    )
    s3_mode = make_settings(
        settings.data_dir,
        settings.db_url,
        storage=small_parts,
        gql_media_import={"allow_networks": "127.0.0.1/32"},
    )
    (tmp_path / "served").mkdir()
    clip = make_undecodable_mp4(tmp_path / "served" / "zeroed.mp4")
    assert clip.stat().st_size > 5 * MiB  # a multipart upload
    server = Server(s3_mode)
    await server.start()
    try:
        async with serve_files(tmp_path / "served") as source:
            imported = (
                await data(
                    server.url,
                    "mutation ($u: String!) { importAsset(input: {url: $u}) "
                    "{ ... on ImportAssetSuccess { job { id } } } }",
                    {"u": source.url("/zeroed.mp4")},
                )
            )["importAsset"]
            job = await wait_for_job(imported["job"]["id"])
        assert job.status is models.JobStatus.FAILED
        assert job.error_code == "INVALID_MEDIA", job.error_message
        assert await _objects(s3_settings) == []
        s3 = S3Storage(s3_settings)
        try:
            client = await s3.client()
            uploads = await client.list_multipart_uploads(Bucket=s3_settings.bucket)
            assert uploads.get("Uploads", []) == []
        finally:
            await s3.close()
    finally:
        await server.stop()
