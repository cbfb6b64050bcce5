"""make_thumbnail() on real clips and images."""

import asyncio
from pathlib import Path

import pytest

from gql_media.errors import MediaError
from gql_media.media import formats
from gql_media.media.probe import probe
from gql_media.media.thumbnail import _ffmpeg_args, make_thumbnail
from gql_media.models.enums import AssetKind
from gql_media.settings import MediaSettings
from tests.support import media

SETTINGS = MediaSettings(probe_timeout_seconds=20, thumbnail_timeout_seconds=20)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media.make_video(tmp_path_factory.mktemp("thumb") / "clip.mp4")


async def _thumb(
    path: Path, dest: Path, *, kind: AssetKind = AssetKind.VIDEO, **kwargs: float
) -> tuple[bytes, int | None, int | None]:
    """Make a thumbnail and return its bytes and its dimensions read back."""
    kwargs.setdefault("duration", 2.0)
    await make_thumbnail(path, dest, kind=kind, width=320, settings=SETTINGS, **kwargs)
    probed = await probe(dest, SETTINGS)
    return await asyncio.to_thread(dest.read_bytes), probed.width, probed.height


async def test_video_thumbnail_is_a_small_jpeg(clip: Path, tmp_path: Path) -> None:
    data, width, height = await _thumb(clip, tmp_path / "t.jpg")
    assert data[:2] == b"\xff\xd8"
    assert (width, height) == (320, 180)


async def test_seek_picks_another_frame(clip: Path, tmp_path: Path) -> None:
    first, *_ = await _thumb(clip, tmp_path / "a.jpg", at_seconds=0.0)
    later, *_ = await _thumb(clip, tmp_path / "b.jpg", at_seconds=1.0)
    assert later[:2] == b"\xff\xd8"
    # testsrc2 moves over time, so a frame a second later differs.
    assert later != first


@pytest.mark.parametrize("at", [1.99, 2.0, 30.0])
async def test_time_at_or_past_the_end_still_gives_a_frame(
    clip: Path, tmp_path: Path, at: float
) -> None:
    # 1.99 lies after the last frame (1.967) but before the end: the retry finds one.
    data, width, _ = await _thumb(clip, tmp_path / "end.jpg", at_seconds=at)
    assert data[:2] == b"\xff\xd8" and width == 320


async def test_unknown_duration(clip: Path, tmp_path: Path) -> None:
    data, *_ = await _thumb(clip, tmp_path / "t.jpg", at_seconds=0.5, duration=None)
    assert data[:2] == b"\xff\xd8"


async def test_image_thumbnail(tmp_path: Path) -> None:
    image = media.make_image(tmp_path / "picture.png", 640, 480)
    data, width, height = await _thumb(
        image, tmp_path / "t.jpg", kind=AssetKind.IMAGE, duration=None
    )
    assert data[:2] == b"\xff\xd8"
    assert (width, height) == (320, 240)


async def test_audio_has_no_thumbnail(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="audio"):
        await make_thumbnail(
            tmp_path / "x.mp3", tmp_path / "t.jpg", kind=AssetKind.AUDIO,
            width=320, duration=1.0, settings=SETTINGS,
        )  # fmt: skip


async def test_garbage_fails_and_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "t.jpg"
    dest.write_bytes(b"stale")
    with pytest.raises(MediaError):
        await make_thumbnail(
            media.make_random_bytes(tmp_path / "noise.mp4"), dest,
            kind=AssetKind.VIDEO, width=320, duration=None, settings=SETTINGS,
        )  # fmt: skip
    assert not dest.exists()


def test_arguments_seek_before_input_and_carry_the_safety_flags(
    tmp_path: Path,
) -> None:
    args = _ffmpeg_args(
        tmp_path / "in.mp4", tmp_path / "out.jpg", width=320, seek=1.5,
        settings=SETTINGS,
    )  # fmt: skip
    assert args[:2] == ["ffmpeg", "-nostdin"]
    before_input = args[: args.index("-i")]
    assert before_input[before_input.index("-ss") + 1] == "1.500"
    assert before_input[before_input.index("-format_whitelist") + 1] == (
        formats.FORMAT_WHITELIST
    )
    assert before_input[before_input.index("-protocol_whitelist") + 1] == "file,pipe"
    assert args[args.index("-i") + 1] == f"file:{tmp_path / 'in.mp4'}"
    assert "scale=320:-2" in " ".join(args)
    assert args[-2:] == [f"file:{tmp_path / 'out.jpg'}", "-y"]
