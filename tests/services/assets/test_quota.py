"""The per-owner storage quota: QUOTA_EXCEEDED on upload or import before any
byte is stored, and nothing left behind."""

from pathlib import Path

import pytest

from gql_media import models
from gql_media.settings import Settings
from tests.conftest import Server, wait_for_job
from tests.support.graphql import data, upload
from tests.support.http_server import serve_files
from tests.support.media import make_video

IMPORT = """
mutation ($url: String!) { importAsset(input: {url: $url}) {
  __typename ... on ImportAssetSuccess { asset { id } job { id } }
  ... on Error { code message } } }
"""
UPLOAD = """
mutation ($file: Upload!) { uploadAsset(file: $file) {
  __typename ... on UploadAssetSuccess { isDuplicate asset { id } job { id } }
  ... on TooLargeError { code limit } ... on Error { code message } } }
"""


async def blobs(server: Server) -> set[str]:
    return {o.key async for o in server.runtime.storage.list_objects("blobs/")}


@pytest.fixture
def clips(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "served"
    folder.mkdir()
    return [
        make_video(folder / f"c{i}.mp4", width=160, height=90, seconds=s)
        for i, s in ((1, 1.0), (2, 2.0))
    ]


async def test_uploads_and_imports_stop_at_the_quota(
    settings: Settings, clips: list[Path]
) -> None:
    first, second = clips
    settings.limits.owner_quota_bytes = first.stat().st_size + 100
    server = Server(settings)
    await server.start()
    try:
        ok = (await upload(server.url, first, query=UPLOAD)).json()["data"]
        await wait_for_job(ok["uploadAsset"]["job"]["id"])
        before = (await models.Asset.all().count(), await blobs(server))

        refused = (await upload(server.url, second, query=UPLOAD)).json()["data"]
        assert refused["uploadAsset"]["code"] == "QUOTA_EXCEEDED", refused
        assert int(refused["uploadAsset"]["limit"]) == first.stat().st_size + 100
        # A duplicate costs nothing: it is still accepted.
        again = (await upload(server.url, first, query=UPLOAD)).json()["data"]
        assert again["uploadAsset"]["isDuplicate"] is True
        assert (await models.Asset.all().count(), await blobs(server)) == before

        # An import of a file that does not fit fails in its job, before storing.
        settings.limits.owner_quota_bytes = first.stat().st_size + 200
        async with serve_files(second.parent) as cdn:
            started = await data(server.url, IMPORT, {"url": cdn.url("/c2.mp4")})
            job = await wait_for_job(started["importAsset"]["job"]["id"])
        assert job.status is models.JobStatus.FAILED
        assert job.error_code == "QUOTA_EXCEEDED"
        assert await blobs(server) == before[1]
        thumbs = [o async for o in server.runtime.storage.list_objects("thumbs/")]
        assert len(thumbs) == 1  # the first upload's only

        # Once the quota is full, an import is refused at once: no rows.
        settings.limits.owner_quota_bytes = first.stat().st_size
        rows = await models.Asset.all().count()
        full = await data(server.url, IMPORT, {"url": "http://127.0.0.1:9/x.mp4"})
        assert full["importAsset"]["code"] == "QUOTA_EXCEEDED", full
        assert await models.Asset.all().count() == rows
    finally:
        await server.stop()
