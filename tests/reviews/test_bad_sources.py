"""Bad input that arrives with bytes or on the way to a decision: a version
uploaded or imported onto a bad task, a 10 KB note, a path one point too long.
Each gets a typed error and writes nothing: no row, no blob, no temp file, no
connection to the URL."""

from pathlib import Path

import pytest

from gql_media import models
from tests.conftest import Server
from tests.reviews.support import counts, create_version, decide, upload_version
from tests.reviews.test_bad_input import annotate, placed
from tests.support.http_server import serve_files
from tests.support.media import make_video

BAD_TASKS = [("SWA", "ep01/sh020"), ("SWA", "..\\sh020"), ("SWA", "x" * 10_240)]


async def stored(server: Server) -> list[str]:
    return [o.key async for o in server.runtime.storage.list_objects("")]


@pytest.mark.parametrize(("project", "task"), BAD_TASKS)
async def test_an_upload_onto_a_bad_task_stores_nothing(
    server: Server, tmp_path: Path, project: str, task: str, no_stray_files: None
) -> None:
    clip = make_video(tmp_path / "v.mp4", width=160, height=90, seconds=0.5)
    before = await counts()
    result = await upload_version(server.url, clip, project=project, task=task)
    assert result["__typename"] == "InvalidInputError", result
    assert await counts() == before
    assert await stored(server) == []


@pytest.mark.parametrize(("project", "task"), BAD_TASKS)
async def test_an_import_onto_a_bad_task_fetches_nothing(
    server: Server, project: str, task: str
) -> None:
    before = await counts()
    async with serve_files({"/v.mp4": b"never read"}) as source:
        result = await create_version(
            server.url, project=project, task=task, url=source.url("/v.mp4")
        )
        assert source.connections == 0
    assert result["__typename"] == "InvalidInputError", result
    assert await counts() == before


@pytest.mark.parametrize(
    "mutation", ["submitForReview", "approveVersion", "requestChanges"]
)
async def test_a_note_of_10_kb_is_refused(server: Server, mutation: str) -> None:
    asset_id = await placed(server)
    if mutation != "submitForReview":
        submitted = await decide(server.url, "submitForReview", asset_id)
        assert submitted["__typename"] == "ReviewDecisionSuccess", submitted
    before = await counts()
    status = (await models.Asset.get(id=asset_id)).review_status
    result = await decide(server.url, mutation, asset_id, "x" * 10_240)
    assert result["__typename"] == "InvalidInputError", result
    assert await counts() == before
    assert (await models.Asset.get(id=asset_id)).review_status is status


async def test_a_path_of_1001_points_or_a_point_off_the_frame_is_refused(
    server: Server,
) -> None:
    asset_id = await placed(server)
    before = await counts()
    too_long = [{"x": i / 1001, "y": 0.5} for i in range(1001)]
    off_frame = [{"x": 0.5, "y": 0.5}, {"x": 1.2, "y": 0.5}]
    for points, field in ((too_long, "points"), (off_frame, "points.x")):
        result = await annotate(
            server,
            asset_id,
            atSeconds=1.0,
            position={"x": 0.5, "y": 0.5},
            shape={"kind": "PATH", "points": points},
        )
        assert result["__typename"] == "InvalidInputError", result
        assert result["field"] == field
    assert await counts() == before
