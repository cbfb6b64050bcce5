"""Formats production studios hand around: OpenEXR images, WMV/ASF video, and
the color space of images; probed, thumbnailed and served like any other."""

import shutil
from pathlib import Path

import pytest

from gql_media import models
from gql_media.media.probe import probe
from gql_media.models.enums import AssetKind
from gql_media.settings import MediaSettings
from tests.conftest import Server, wait_for_job
from tests.support import media
from tests.support.graphql import data, upload

SETTINGS = MediaSettings(probe_timeout_seconds=20)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pro-formats")


def blob(path: Path) -> Path:
    """A copy without the suffix, as a stored blob is kept."""
    dest = path.with_name(path.stem + "_blob")
    shutil.copyfile(path, dest)
    return dest


def exr(path: Path) -> Path:
    media.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=160x90", "-frames:v", "1",
                 "-pix_fmt", "gbrpf32le", str(path))  # fmt: skip
    return path


async def test_an_exr_image_is_a_linear_image(folder: Path) -> None:
    result = await probe(blob(exr(folder / "plate.exr")), SETTINGS)
    assert result.kind is AssetKind.IMAGE
    assert (result.width, result.height) == (160, 90)
    assert result.codec == "exr" and result.format_name == "exr_pipe"
    assert result.mime_type == "image/x-exr"
    assert result.color_space == "linear"


@pytest.mark.parametrize(
    ("codec", "mime"), [("wmv2", "video/x-ms-wmv"), ("mpeg4", "video/x-ms-asf")]
)
async def test_wmv_and_asf_video(folder: Path, codec: str, mime: str) -> None:
    path = folder / f"clip_{codec}.{'wmv' if codec == 'wmv2' else 'asf'}"
    media.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=1",
                 "-c:v", codec, str(path))  # fmt: skip
    result = await probe(blob(path), SETTINGS)
    assert result.kind is AssetKind.VIDEO and result.format_name == "asf"
    assert result.codec == codec and result.mime_type == mime
    assert result.duration_seconds == pytest.approx(1.0, abs=0.2)
    assert result.fps == 25.0


async def test_color_space_of_common_images(folder: Path) -> None:
    png = await probe(blob(media.make_image(folder / "p.png")), SETTINGS)
    assert png.color_space == "srgb"
    jpeg = await probe(blob(media.make_image(folder / "j.jpg")), SETTINGS)
    assert jpeg.color_space in ("bt470bg", "ycbcr")
    gray = folder / "g.png"
    media.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64", "-frames:v", "1",
                 "-pix_fmt", "gray", str(gray))  # fmt: skip
    assert (await probe(blob(gray), SETTINGS)).color_space == "gray"


async def test_an_exr_upload_becomes_ready_with_a_thumbnail(
    server: Server, folder: Path
) -> None:
    uploaded = (await upload(server.url, exr(folder / "up.exr"))).json()["data"]
    job = await wait_for_job(uploaded["uploadAsset"]["job"]["id"])
    assert job.status is models.JobStatus.SUCCEEDED, job.error_message
    asset = (
        await data(
            server.url,
            "query ($id: ID!) { asset(id: $id) { kind status mimeType colorSpace"
            " thumbnailUrl } }",
            {"id": uploaded["uploadAsset"]["asset"]["id"]},
        )
    )["asset"]
    assert asset["kind"] == "IMAGE" and asset["status"] == "READY"
    assert (asset["mimeType"], asset["colorSpace"]) == ("image/x-exr", "linear")
    assert asset["thumbnailUrl"]
