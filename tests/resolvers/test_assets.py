"""The asset contract over real HTTP: upload, dedup, metadata, thumbnail, links."""

import asyncio
from pathlib import Path

import httpx
import pytest

from gql_media import models
from gql_media.media.probe import probe
from tests.conftest import Server, wait_for_job
from tests.support.graphql import data, gql, upload
from tests.support.media import make_video
from tests.support.tls import TLS

ASSET_FIELDS = """
id name kind status checksum sizeBytes durationSeconds width height fps codec
bitrate container aspectRatio sourceType url thumbnailUrl tags metadata
"""


@pytest.fixture(scope="module")
def clip_720p(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "clip.mp4"
    return make_video(path, width=1280, height=720, fps=30, seconds=2.0)


async def test_upload_gives_ready_asset_with_metadata_and_thumbnail(
    server: Server, clip_720p: Path, no_stray_files: None
) -> None:
    response = await upload(
        server.url, clip_720p, input={"tags": ["drama", "ep1"], "metadata": {"a": 1}}
    )
    result = response.json()["data"]["uploadAsset"]
    assert result["__typename"] == "UploadAssetSuccess"
    assert result["isDuplicate"] is False
    assert result["asset"]["status"] == "PENDING"
    job = await wait_for_job(result["job"]["id"])
    assert job.status is models.JobStatus.SUCCEEDED, job.error_message

    asset = (
        await data(
            server.url,
            f"query ($id: ID!) {{ asset(id: $id) {{ {ASSET_FIELDS} }} }}",
            {"id": result["asset"]["id"]},
        )
    )["asset"]
    assert asset["status"] == "READY"
    assert asset["kind"] == "VIDEO"
    assert (asset["width"], asset["height"]) == (1280, 720)
    assert asset["fps"] == 30
    assert asset["codec"] == "h264"
    assert abs(asset["durationSeconds"] - 2.0) <= 0.1
    assert asset["aspectRatio"] == "16:9"
    assert asset["sizeBytes"] == clip_720p.stat().st_size
    assert asset["tags"] == ["drama", "ep1"]
    assert asset["metadata"] == {"a": 1}
    assert "mp4" in asset["container"]

    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        thumb = await client.get(asset["thumbnailUrl"])
        blob = await client.get(asset["url"])
    assert thumb.status_code == 200
    assert thumb.content[:2] == b"\xff\xd8"  # JPEG
    assert blob.status_code == 200
    assert blob.content == clip_720p.read_bytes()
    thumb_path = server.settings.tmp_dir.parent / "thumb-check.jpg"
    thumb_path.write_bytes(thumb.content)
    facts = await probe(thumb_path, server.settings.media)
    assert (facts.width, facts.height) == (320, 180)


async def test_same_bytes_again_is_a_duplicate_and_stored_once(
    server: Server, clip_720p: Path
) -> None:
    first = (await upload(server.url, clip_720p)).json()["data"]["uploadAsset"]
    await wait_for_job(first["job"]["id"])
    again = (await upload(server.url, clip_720p)).json()["data"]["uploadAsset"]
    assert again["isDuplicate"] is True
    assert again["asset"]["id"] == first["asset"]["id"]
    assert again["job"] is None
    blobs = list((server.settings.storage_dir / "blobs").rglob("*"))
    assert len([p for p in blobs if p.is_file()]) == 1
    assert await models.Asset.all().count() == 1


async def test_concurrent_uploads_of_the_same_content_end_with_one_asset(
    server: Server, clip_720p: Path
) -> None:
    responses = await asyncio.gather(*(upload(server.url, clip_720p) for _ in range(4)))
    results = [r.json()["data"]["uploadAsset"] for r in responses]
    assert len({r["asset"]["id"] for r in results}) == 1
    assert sum(not r["isDuplicate"] for r in results) == 1
    assert await models.Asset.all().count() == 1


async def test_upload_without_preflight_header_is_refused(
    server: Server, clip_720p: Path
) -> None:
    response = await upload(server.url, clip_720p, headers=None)
    assert response.status_code == 400
    assert "Preflight" in response.json()["errors"][0]["message"]
    assert await models.Asset.all().count() == 0
    assert list(server.settings.tmp_dir.iterdir()) == []


async def test_upload_over_the_size_cap_is_refused_and_leaves_nothing(
    server: Server, clip_720p: Path
) -> None:
    server.settings.limits.max_upload_bytes = clip_720p.stat().st_size - 1
    response = await upload(server.url, clip_720p)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_LARGE"
    assert await models.Asset.all().count() == 0
    assert list(server.settings.tmp_dir.iterdir()) == []


async def test_unknown_and_malformed_ids(server: Server) -> None:
    found = await data(
        server.url,
        'query { a: asset(id: "00000000-0000-0000-0000-000000000000") { id } '
        'b: asset(id: "nope") { id } }',
    )
    assert found == {"a": None, "b": None}
    result = await data(
        server.url,
        'mutation { deleteAsset(id: "nope") { __typename ... on Error { code } } }',
    )
    assert result["deleteAsset"] == {"__typename": "NotFoundError", "code": "NOT_FOUND"}


async def test_first_over_the_cap_and_malformed_cursor_are_typed_errors(
    server: Server,
) -> None:
    body = await gql(server.url, "{ assets(first: 101) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    body = await gql(server.url, '{ assets(after: "garbage!") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "cursor" in body["errors"][0]["message"]
