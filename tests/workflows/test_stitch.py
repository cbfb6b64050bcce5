"""The STITCH job with real ffmpeg: stream copy when the inputs match, one
re-encode when they differ (sizes, frame rates, a clip without audio), and every
bad input refused before anything is written."""

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gql_media import models
from gql_media.errors import MediaError
from gql_media.jobs import stitch as stitch_job
from gql_media.settings import Settings, StorageSettings
from gql_media.storage import S3Storage
from tests.conftest import Server, wait_for_job
from tests.support.graphql import data
from tests.support.media import make_image, make_video
from tests.workflows.support import STITCH, counts, ready_video


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("stitch-clips")
    wide = {"width": 640, "height": 360, "fps": 30, "audio": True}
    return {
        "a": make_video(d / "a.mp4", seconds=1.0, **wide),  # type: ignore[arg-type]
        "b": make_video(d / "b.mp4", seconds=1.5, **wide),  # type: ignore[arg-type]
        "small": make_video(
            d / "small.mp4", width=320, height=240, fps=25, seconds=1.2
        ),
        "square": make_video(
            d / "square.mp4", width=480, height=480, fps=24, seconds=0.8, audio=True
        ),
        "image": make_image(d / "still.png"),
    }


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_packets", "-show_streams", "-show_format",
         "-of", "json", str(path)],
        check=True, capture_output=True, timeout=30,
    ).stdout  # fmt: skip
    result: dict[str, Any] = json.loads(out)
    return result


async def stitch(server: Server, ids: list[str], **extra: Any) -> dict[str, Any]:
    variables = {"input": {"assetIds": ids, **extra}}
    result: dict[str, Any] = (await data(server.url, STITCH, variables))["stitchVideos"]
    return result


async def stitched(server: Server, ids: list[str]) -> tuple[models.Asset, Path]:
    result = await stitch(server, ids, name="joined", tags=["ep1"])
    assert result["__typename"] == "StitchVideosSuccess", result
    assert result["asset"]["sourceType"] == "STITCHED"
    job = await wait_for_job(result["job"]["id"], timeout=90)
    assert job.status is models.JobStatus.SUCCEEDED, (job.error_code, job.error_message)
    asset = await models.Asset.get(id=job.asset_id)  # type: ignore[attr-defined]
    assert asset.status is models.AssetStatus.READY
    assert asset.thumbnail_key and asset.storage_key and asset.checksum
    path = server.runtime.storage.local_path(asset.storage_key)
    assert path is not None
    return asset, path


async def test_matching_inputs_are_joined_by_stream_copy(
    server: Server, clips: dict[str, Path], no_stray_files: None
) -> None:
    a = await ready_video(server, clips["a"])
    b = await ready_video(server, clips["b"])
    asset, path = await stitched(server, [a, b, a])
    assert asset.generation_params == {"inputs": [a, b, a], "mode": "copy"}
    assert asset.metadata == {"stitchedFrom": [a, b, a]}
    inputs = await models.Asset.filter(id__in=[a, b])
    durations = {str(r.id): r.duration_seconds or 0.0 for r in inputs}
    assert asset.duration_seconds == pytest.approx(
        2 * durations[a] + durations[b], abs=0.1
    )
    probe = ffprobe(path)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 640, 360)
    assert audio["codec_name"] == "aac"
    # A copy keeps every frame of every input: 30 + 45 + 30.
    assert int(video["nb_read_packets"]) == 105
    tags = await models.AssetTag.filter(asset_id=asset.id).values_list("tag", flat=True)
    assert list(tags) == ["ep1"]


async def test_mixed_inputs_are_scaled_padded_and_encoded_once(
    server: Server, clips: dict[str, Path], no_stray_files: None
) -> None:
    ids = [await ready_video(server, clips[name]) for name in ("a", "small", "square")]
    asset, path = await stitched(server, ids)
    assert asset.generation_params == {"inputs": ids, "mode": "encode"}
    inputs = {str(r.id): r for r in await models.Asset.filter(id__in=ids)}
    total = sum(inputs[i].duration_seconds or 0.0 for i in ids)
    assert asset.duration_seconds == pytest.approx(total, abs=0.1)
    probe = ffprobe(path)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = [s for s in probe["streams"] if s["codec_type"] == "audio"]
    # The first input's size and rate; the clip without audio got silence.
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 640, 360)
    assert video["r_frame_rate"] == "30/1"
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac"
    assert float(audio[0]["duration"]) == pytest.approx(total, abs=0.15)
    assert (asset.width, asset.height, asset.fps) == (640, 360, 30.0)


async def test_bad_stitch_inputs_are_refused_and_nothing_is_written(
    server: Server, clips: dict[str, Path]
) -> None:
    a = await ready_video(server, clips["a"])
    b = await ready_video(server, clips["b"])
    image = await ready_video(server, clips["image"])

    def twin(**fields: Any) -> models.Asset:
        values: dict[str, Any] = {
            "owner_id": "local",
            "name": "x",
            "source_type": models.SourceType.UPLOADED,
            "status": models.AssetStatus.READY,
            "kind": models.AssetKind.VIDEO,
            "duration_seconds": 1.0,
            "storage_key": "blobs/none",
        }
        values.update(fields)
        return models.Asset(**values)

    from gql_media.kit.clock import now

    rows = {
        "other owner": twin(owner_id="someone-else"),
        "archived": twin(archived_at=now()),
        "deleted": twin(deleted_at=now()),
        "failed": twin(status=models.AssetStatus.FAILED),
        "pending": twin(status=models.AssetStatus.PENDING),
    }
    for row in rows.values():
        await row.save()
    cases: dict[str, tuple[list[str], str]] = {
        "one input": ([a], "INVALID_INPUT"),
        "no input": ([], "INVALID_INPUT"),
        "101 inputs": ([a, b] * 50 + [a], "INVALID_INPUT"),
        "unknown": ([a, "00000000-0000-0000-0000-000000000000"], "NOT_FOUND"),
        "malformed": ([a, "nope"], "NOT_FOUND"),
        "other owner": ([a, str(rows["other owner"].id)], "NOT_FOUND"),
        "deleted": ([a, str(rows["deleted"].id)], "NOT_FOUND"),
        "archived": ([a, str(rows["archived"].id)], "INVALID_STATE"),
        "failed": ([a, str(rows["failed"].id)], "INVALID_STATE"),
        "pending": ([a, str(rows["pending"].id)], "INVALID_STATE"),
        "not a video": ([a, image], "INVALID_STATE"),
    }
    before = await counts()
    for case, (ids, code) in cases.items():
        result = await stitch(server, ids)
        assert result.get("code") == code, (case, result)
        assert await counts() == before, case

    # A total over the limit is refused before any work.
    server.settings.limits.max_stitch_seconds = 2.0
    result = await stitch(server, [a, b])
    assert result["code"] == "TOO_LARGE" and result["limit"] == 2
    assert await counts() == before


async def test_inputs_are_read_a_few_at_a_time_in_order() -> None:
    running, most = 0, 0

    async def step(i: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001 * (10 - i))  # later ones finish first
        running -= 1
        return 2 * i

    assert await stitch_job._each(list(range(10)), step) == [2 * i for i in range(10)]
    assert most == stitch_job.AT_ONCE


async def test_a_failed_input_read_stops_the_others() -> None:
    started: list[int] = []
    cancelled: list[int] = []

    async def step(i: int) -> int:
        started.append(i)
        if i == 2:
            raise MediaError("ffprobe could not read an input of the stitch")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(i)
            raise
        return i

    with pytest.raises(MediaError, match="could not read"):  # itself, not a group
        async with asyncio.timeout(5):
            await stitch_job._each(list(range(10)), step)
    # The slot the failure freed may start one more before the cancellation.
    assert len(started) <= stitch_job.AT_ONCE + 1  # the rest never started
    assert sorted(cancelled) == sorted(set(started) - {2})


async def test_stitched_from_s3_each_stored_file_fetched_once(
    settings: Settings,
    s3_settings: StorageSettings,
    clips: dict[str, Path],
    no_stray_files: None,
) -> None:
    """With S3 the job downloads its inputs: an input listed twice is fetched
    once and joined twice."""
    server = Server(settings.model_copy(update={"storage": s3_settings}))
    await server.start()
    try:
        a = await ready_video(server, clips["a"])
        b = await ready_video(server, clips["b"])
        storage = server.runtime.storage
        assert isinstance(storage, S3Storage)
        fetched: list[str] = []
        client = await storage.client()
        client.meta.events.register(
            "before-call.s3.GetObject",
            lambda params, **_: fetched.append(params["url_path"].rsplit("/", 1)[-1]),
        )
        result = await stitch(server, [a, b, a])
        assert result["__typename"] == "StitchVideosSuccess", result
        job = await wait_for_job(result["job"]["id"], timeout=90)
        assert job.status is models.JobStatus.SUCCEEDED, job.error_message
        asset = await models.Asset.get(id=job.asset_id)  # type: ignore[attr-defined]
        inputs = {str(r.id): r for r in await models.Asset.filter(id__in=[a, b])}
        assert sorted(fetched) == sorted(
            (inputs[a].checksum or "", inputs[b].checksum or "")
        )
        assert asset.generation_params == {"inputs": [a, b, a], "mode": "copy"}
        durations = {i: r.duration_seconds or 0.0 for i, r in inputs.items()}
        assert asset.duration_seconds == pytest.approx(
            2 * durations[a] + durations[b], abs=0.1
        )
        assert asset.storage_key is not None
        assert await storage.size(asset.storage_key) == asset.size_bytes
    finally:
        await server.stop()
