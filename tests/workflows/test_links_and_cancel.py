"""Linking videos to nodes (good and bad assets, another owner's ids), and
cancelling an execution, which cancels the stitch job it started and kills its
ffmpeg."""

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gql_media import models
from gql_media.kit.clock import now
from tests.conftest import Server
from tests.support.graphql import data
from tests.support.media import make_image, make_video
from tests.workflows.support import (
    CANCEL,
    FINISH,
    LINK,
    REPORT,
    STITCH,
    counts,
    create,
    node,
    ready_video,
    save,
    start,
    text_graph,
)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("link-media")
    return {
        "clip": make_video(d / "clip.mp4", width=320, height=240, seconds=1.0),
        "image": make_image(d / "still.png"),
    }


async def running(server: Server, definition: Any = None) -> str:
    wf = await create(server)
    await save(server, wf, definition or text_graph(), 0)
    return str((await start(server, wf))["execution"]["id"])


async def link(server: Server, execution: str, node_id: str, **source: Any) -> Any:
    variables = {"id": execution, "node": node_id, "input": source}
    return (await data(server.url, LINK, variables))["linkWorkflowVideo"]


def row(**fields: Any) -> models.Asset:
    values: dict[str, Any] = {
        "owner_id": "local",
        "name": "x",
        "source_type": models.SourceType.UPLOADED,
        "status": models.AssetStatus.READY,
        "kind": models.AssetKind.VIDEO,
        "duration_seconds": 1.0,
    }
    values.update(fields)
    return models.Asset(**values)


async def test_linking_videos_to_nodes(server: Server, media: dict[str, Path]) -> None:
    execution = await running(server)
    clip = await ready_video(server, media["clip"])
    image = await ready_video(server, media["image"])
    done = await link(server, execution, "gen", assetId=clip)
    assert done["link"] == {"nodeId": "gen", "role": "OUTPUT", "asset": {"id": clip}}
    again = await link(server, execution, "gen", assetId=clip)  # made once
    assert again["link"]["asset"]["id"] == clip
    links = await data(
        server.url,
        "query ($id: ID!) { asset(id: $id) { workflowLinks { nodeId role } } }",
        {"id": clip},
    )
    assert links["asset"]["workflowLinks"] == [{"nodeId": "gen", "role": "OUTPUT"}]

    bad = {
        "other owner": row(owner_id="someone-else"),
        "archived": row(archived_at=now()),
        "deleted": row(deleted_at=now()),
        "failed": row(status=models.AssetStatus.FAILED),
    }
    for asset in bad.values():
        await asset.save()
    expected = {
        "other owner": "NOT_FOUND",
        "deleted": "NOT_FOUND",
        "archived": "INVALID_STATE",
        "failed": "INVALID_STATE",
    }
    before = await counts()
    for case, code in expected.items():
        result = await link(server, execution, "gen", assetId=str(bad[case].id))
        assert result["code"] == code, (case, result)
    assert (await link(server, execution, "gen", assetId=image))["code"] == (
        "INVALID_STATE"
    )
    assert (await link(server, execution, "ghost", assetId=clip))["code"] == (
        "NOT_FOUND"
    )
    assert (await link(server, execution, "gen"))["code"] == "INVALID_INPUT"
    both = await link(server, execution, "gen", assetId=clip, url="http://x/a.mp4")
    assert both["code"] == "INVALID_INPUT"
    report = await data(
        server.url,
        REPORT,
        {"id": execution, "node": "gen", "status": "COMPLETED",
         "outputs": {"video": [str(bad["archived"].id)]}},
    )  # fmt: skip
    assert report["reportNodeRun"]["code"] == "INVALID_STATE"
    assert await counts() == before


async def test_another_owners_execution_reads_and_acts_as_unknown(
    server: Server, media: dict[str, Path]
) -> None:
    mine = await running(server)
    clip = await ready_video(server, media["clip"])
    execution = await models.WorkflowExecution.get(id=mine)
    # The same rows, moved to another owner: every mutation must say NOT_FOUND.
    theirs = await models.WorkflowExecution.create(
        owner_id="someone-else",
        workflow_id=execution.workflow_id,  # type: ignore[attr-defined]
        revision_id=execution.revision_id,  # type: ignore[attr-defined]
        revision_number=1,
    )
    await models.NodeRun.create(
        execution_id=theirs.id, node_id="gen", node_type="VideoGeneration"
    )
    tid = str(theirs.id)
    before = await counts()
    results = [
        (await link(server, tid, "gen", assetId=clip)),
        (await data(server.url, CANCEL, {"id": tid}))["cancelWorkflowExecution"],
        (await data(server.url, FINISH, {"id": tid}))["finishWorkflowExecution"],
        (
            await data(
                server.url,
                REPORT,
                {"id": tid, "node": "gen", "status": "RUNNING", "outputs": None},
            )
        )["reportNodeRun"],
        (
            await data(
                server.url,
                STITCH,
                {"input": {"assetIds": [clip, clip], "workflowExecutionId": tid,
                           "nodeId": "gen"}},
            )
        )["stitchVideos"],
    ]  # fmt: skip
    assert [r["code"] for r in results] == ["NOT_FOUND"] * 5, results
    assert await counts() == before
    fresh = await models.WorkflowExecution.get(id=theirs.id)
    assert fresh.status is models.ExecutionStatus.RUNNING
    query = "query ($id: ID!) { workflowExecution(id: $id) { id } }"
    assert (await data(server.url, query, {"id": tid}))["workflowExecution"] is None


async def test_cancelling_an_execution_cancels_its_stitch_job(
    server: Server, tmp_path: Path, no_stray_files: None
) -> None:
    # Long, mismatched inputs, so the re-encode is still running when cancelled.
    big = make_video(tmp_path / "big.mp4", width=1280, height=720, seconds=20.0)
    small = make_video(tmp_path / "small.mp4", width=640, height=480, fps=25,
                       seconds=20.0, audio=True)  # fmt: skip
    ids = [await ready_video(server, big), await ready_video(server, small)]
    definition = {
        "nodes": [
            node("gen", "VideoGeneration", provider="p", model="m"),
            node("gen2", "VideoGeneration", provider="p", model="m"),
            node("stitch", "VideoStitcher"),
        ],
        "connections": [
            {"from": "gen:video", "to": "stitch:videos"},
            {"from": "gen2:video", "to": "stitch:videos"},
        ],
    }
    execution = await running(server, definition)
    for node_id, asset_id in (("gen", ids[0]), ("gen2", ids[1])):
        variables = {"id": execution, "node": node_id, "status": "COMPLETED",
                     "outputs": {"video": [asset_id]}}  # fmt: skip
        result = (await data(server.url, REPORT, variables))["reportNodeRun"]
        assert result["node"]["status"] == "COMPLETED", result
    stitcher = await models.NodeRun.get(execution_id=execution, node_id="stitch")
    assert stitcher.status is models.NodeRunStatus.RUNNING
    job_id = stitcher.job_id  # type: ignore[attr-defined]
    async with asyncio.timeout(60):
        while (await models.Job.get(id=job_id)).stage != "stitch":
            await asyncio.sleep(0.05)
    cancelled = await data(server.url, CANCEL, {"id": execution})
    assert cancelled["cancelWorkflowExecution"]["execution"]["status"] == "CANCELED"
    async with asyncio.timeout(30):
        while not (job := await models.Job.get(id=job_id)).status.is_terminal:
            await asyncio.sleep(0.05)
    assert job.status is models.JobStatus.CANCELED
    stitcher = await models.NodeRun.get(id=stitcher.id)
    assert stitcher.status is models.NodeRunStatus.CANCELED
    asset = await models.Asset.get(id=job.asset_id)  # type: ignore[attr-defined]
    assert asset.status is models.AssetStatus.FAILED
