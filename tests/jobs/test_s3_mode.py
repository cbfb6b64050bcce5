"""The same pipeline with S3 storage (moto's server over HTTP on loopback)."""

from pathlib import Path

import httpx

from gql_media import models
from gql_media.settings import Settings, StorageSettings
from gql_media.storage import S3Storage
from tests.conftest import Server, make_settings, wait_for_job
from tests.support.graphql import data, upload
from tests.support.http_server import serve_files
from tests.support.media import make_video


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
        async with httpx.AsyncClient() as client:
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
