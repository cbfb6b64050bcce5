"""URL imports end to end: GraphQL mutation, download job, live progress."""

from pathlib import Path

import pytest

from gql_media import models
from tests.conftest import Server, wait_for_job
from tests.support.graphql import data, subscribe
from tests.support.http_server import serve_files
from tests.support.media import make_video

IMPORT = """
mutation ($input: ImportAssetInput!) {
  importAsset(input: $input) {
    __typename
    ... on ImportAssetSuccess { asset { id status sourceType } job { id status } }
    ... on Error { code message }
  }
}
"""

PROGRESS = """
subscription ($id: ID!) {
  jobProgress(jobId: $id) {
    status stage progress message isDuplicate
    asset { id status width height checksum }
  }
}
"""


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("served")
    make_video(folder / "clip.mp4", width=640, height=360, fps=25, seconds=1.0)
    return folder


async def test_import_streams_progress_and_succeeds(
    server: Server, clips: Path, no_stray_files: None
) -> None:
    async with serve_files(clips) as source:
        result = (
            await data(
                server.url,
                IMPORT,
                {"input": {"url": source.url("/clip.mp4"), "tags": ["cdn"]}},
            )
        )["importAsset"]
        assert result["__typename"] == "ImportAssetSuccess"
        assert result["asset"]["sourceType"] == "IMPORTED"
        events = [
            e["data"]["jobProgress"]
            async for e in subscribe(server.url, PROGRESS, {"id": result["job"]["id"]})
        ]
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress), progress
    assert events[-1]["status"] == "SUCCEEDED"
    assert events[-1]["progress"] == 1.0
    assert "download" in {e["stage"] for e in events}
    asset = events[-1]["asset"]
    assert asset["status"] == "READY"
    assert (asset["width"], asset["height"]) == (640, 360)


async def test_importing_known_content_points_the_job_at_the_existing_asset(
    server: Server, clips: Path
) -> None:
    async with serve_files(clips) as source:
        url = source.url("/clip.mp4")
        first = (await data(server.url, IMPORT, {"input": {"url": url}}))["importAsset"]
        await wait_for_job(first["job"]["id"])
        second = (await data(server.url, IMPORT, {"input": {"url": url}}))[
            "importAsset"
        ]
        job = await wait_for_job(second["job"]["id"])
    assert job.status is models.JobStatus.SUCCEEDED
    assert job.is_duplicate
    assert str(job.asset_id) == first["asset"]["id"]  # type: ignore[attr-defined]
    # The placeholder made by the second importAsset is gone: one asset remains.
    assert await models.Asset.all().count() == 1
    late = [
        e["data"]["jobProgress"]
        async for e in subscribe(server.url, PROGRESS, {"id": second["job"]["id"]})
    ]
    assert late[-1]["isDuplicate"] is True
    assert late[-1]["asset"]["id"] == first["asset"]["id"]


async def test_late_subscriber_gets_the_outcome_at_once(
    server: Server, clips: Path
) -> None:
    async with serve_files(clips) as source:
        result = (
            await data(server.url, IMPORT, {"input": {"url": source.url("/clip.mp4")}})
        )["importAsset"]
        await wait_for_job(result["job"]["id"])
    events = [
        e["data"]["jobProgress"]
        async for e in subscribe(server.url, PROGRESS, {"id": result["job"]["id"]})
    ]
    assert [e["status"] for e in events] == ["SUCCEEDED"]


async def test_subscribing_to_an_unknown_job_is_an_error(server: Server) -> None:
    payloads = [
        p
        async for p in subscribe(
            server.url, PROGRESS, {"id": "00000000-0000-0000-0000-000000000000"}
        )
    ]
    assert len(payloads) == 1
    assert payloads[0]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
