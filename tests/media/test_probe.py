"""probe() and check_limits() on real clips, broken files and hostile inputs."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from gql_media.errors import MediaError, TooLarge, UnsupportedFormat
from gql_media.media import formats
from gql_media.media.probe import ProbeResult, _aspect, check_limits, probe
from gql_media.media.process import run_tool
from gql_media.models.enums import AssetKind
from gql_media.settings import LimitsSettings, MediaSettings
from tests.support import media

SETTINGS = MediaSettings(probe_timeout_seconds=20)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("probe")


@pytest.fixture(scope="module")
def landscape(clips: Path) -> Path:
    return media.make_video(clips / "landscape.mp4", audio=True)


async def test_landscape_h264_clip(landscape: Path) -> None:
    result = await probe(landscape, SETTINGS)
    assert result.kind is AssetKind.VIDEO
    assert (result.width, result.height) == (1280, 720)
    assert result.fps == 30.0
    assert result.codec == "h264"
    assert result.audio_codec == "aac"
    assert result.duration_seconds == pytest.approx(2.0, abs=0.1)
    assert result.aspect_ratio == "16:9"
    assert "mp4" in result.format_name
    assert result.mime_type == "video/mp4"
    assert result.bitrate and result.bitrate > 10_000


async def test_portrait_ntsc_clip(clips: Path) -> None:
    path = media.make_video(
        clips / "portrait.mp4", width=360, height=640, fps="30000/1001", seconds=1
    )
    result = await probe(path, SETTINGS)
    assert (result.width, result.height, result.aspect_ratio) == (360, 640, "9:16")
    assert result.fps == 29.97
    assert result.audio_codec is None


async def test_rotated_clip_reports_display_orientation(
    clips: Path, landscape: Path
) -> None:
    rotated = clips / "rotated.mp4"
    media.ffmpeg("-i", str(landscape), "-c", "copy", "-metadata:s:v", "rotate=90",
                 str(rotated))  # fmt: skip
    result = await probe(rotated, SETTINGS)
    assert (result.width, result.height, result.aspect_ratio) == (720, 1280, "9:16")


async def test_webm_clip(clips: Path) -> None:
    path = media.make_video(
        clips / "clip.webm", width=160, height=90, seconds=0.5, codec="libvpx"
    )
    result = await probe(path, SETTINGS)
    assert (result.kind, result.codec) == (AssetKind.VIDEO, "vp8")
    assert result.mime_type == "video/webm"


@pytest.mark.parametrize(
    ("name", "mime"), [("still.png", "image/png"), ("still.jpg", "image/jpeg")]
)
async def test_image(clips: Path, name: str, mime: str) -> None:
    path = media.make_image(clips / name, 640, 480)
    result = await probe(path, SETTINGS)
    assert result.kind is AssetKind.IMAGE
    assert (result.width, result.height, result.aspect_ratio) == (640, 480, "4:3")
    assert result.mime_type == mime
    assert result.duration_seconds is None and result.fps is None


async def test_gif_still_is_an_image_and_animated_gif_a_video(clips: Path) -> None:
    still = await probe(media.make_image(clips / "still.gif", 64, 64), SETTINGS)
    assert (still.kind, still.mime_type, still.width) == (
        AssetKind.IMAGE,
        "image/gif",
        64,
    )
    animated = clips / "animated.gif"
    media.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=64x64:r=10:d=1", str(animated))
    moving = await probe(animated, SETTINGS)
    assert (moving.kind, moving.fps) == (AssetKind.VIDEO, 10.0)


@pytest.mark.parametrize(
    ("name", "codec", "mime"),
    [("tone.mp3", "mp3", "audio/mpeg"), ("tone.wav", "pcm_s16le", "audio/wav")],
)
async def test_audio(clips: Path, name: str, codec: str, mime: str) -> None:
    result = await probe(media.make_audio(clips / name, 1.0), SETTINGS)
    assert result.kind is AssetKind.AUDIO
    assert result.width is None and result.height is None and result.fps is None
    assert (result.codec, result.audio_codec, result.mime_type) == (codec, codec, mime)
    assert result.duration_seconds == pytest.approx(1.0, abs=0.1)


async def test_cover_art_does_not_make_music_a_video(clips: Path) -> None:
    tone = media.make_audio(clips / "bare.mp3")
    cover = media.make_image(clips / "cover.png")
    path = clips / "with_cover.mp3"
    media.ffmpeg("-i", str(tone), "-i", str(cover), "-map", "0", "-map", "1",
                 "-c", "copy", "-disposition:v", "attached_pic", str(path))  # fmt: skip
    result = await probe(path, SETTINGS)
    assert (result.kind, result.width, result.codec) == (AssetKind.AUDIO, None, "mp3")


@pytest.mark.parametrize("name", ["concat:clip.mp4", "-i.mp4", "http:x.mp4"])
async def test_odd_names_are_files_not_options_or_protocols(
    clips: Path, landscape: Path, name: str
) -> None:
    path = shutil.copyfile(landscape, clips / name)
    assert (await probe(path, SETTINGS)).kind is AssetKind.VIDEO


def _empty(directory: Path) -> Path:
    (directory / "empty.mp4").write_bytes(b"")
    return directory / "empty.mp4"


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "text": (lambda d: media.make_text_as_mp4(d / "text.mp4"), "text"),
    "noise.mp4": (lambda d: media.make_random_bytes(d / "n.mp4"), "not readable"),
    "noise.bin": (lambda d: media.make_random_bytes(d / "n.bin", 4096), "readable"),
    "subtitles": (lambda d: media.make_subtitles_only(d / "s.mkv"), "no audio or"),
    "empty": (_empty, "empty"),
}


@pytest.mark.parametrize("case", BAD_FILES)
async def test_bad_files(clips: Path, case: str) -> None:
    make, words = BAD_FILES[case]
    with pytest.raises(MediaError) as caught:
        await probe(make(clips), SETTINGS)
    assert type(caught.value) is MediaError and caught.value.code == "INVALID_MEDIA"
    assert words in caught.value.message


async def test_truncated_mp4(clips: Path) -> None:
    whole = media.make_video(clips / "whole.mp4", width=320, height=180,
                             faststart=False)  # fmt: skip
    with pytest.raises(MediaError, match="truncated") as caught:
        await probe(media.make_truncated_mp4(whole, clips / "half.mp4"), SETTINGS)
    assert caught.value.code == "INVALID_MEDIA"


async def _plain_ffprobe(path: Path) -> tuple[int, bytes]:
    """ffprobe without our flags: shows that an attack file works when unguarded."""
    args = ["ffprobe", "-loglevel", "error", "-show_streams", "-of", "json", str(path)]
    result = await run_tool(args, timeout=20)
    return result.returncode, result.stdout


async def test_hls_playlist_is_refused(clips: Path, landscape: Path) -> None:
    segment = clips / "segment.ts"
    media.ffmpeg("-i", str(landscape), "-c", "copy", str(segment))
    control = media.make_hls_playlist_attack(clips / "control.m3u8", [str(segment)])
    returncode, stdout = await _plain_ffprobe(control)
    assert returncode == 0 and b"h264" in stdout  # unguarded, it reads local files
    for name in ("control.m3u8", "passwd.mp4"):
        path = clips / name
        if name != "control.m3u8":
            media.make_hls_playlist_attack(path)
        with pytest.raises(UnsupportedFormat) as caught:
            await probe(path, SETTINGS)
        assert caught.value.code == "UNSUPPORTED_FORMAT"
        assert "hls" in caught.value.message
        assert "root:" not in caught.value.message


async def test_ffconcat_script_is_refused(clips: Path, landscape: Path) -> None:
    shutil.copyfile(landscape, clips / "part.mp4")
    control = media.make_ffconcat_attack(clips / "control.ffconcat", ["part.mp4"])
    returncode, stdout = await _plain_ffprobe(control)
    assert returncode == 0 and b"h264" in stdout  # unguarded, it reads other files
    for path in (control, media.make_ffconcat_attack(clips / "passwd.mp4")):
        with pytest.raises(UnsupportedFormat, match="concat") as caught:
            await probe(path, SETTINGS)
        assert "root:" not in caught.value.message


async def test_concat_protocol_is_refused() -> None:
    args = ["ffprobe", *formats.COMMON_FLAGS, *formats.INPUT_FLAGS, "-show_format",
            "-of", "json", "concat:/etc/passwd|/etc/hostname"]  # fmt: skip
    result = await run_tool(args, timeout=20)
    assert result.returncode != 0
    assert "not on whitelist" in result.stderr
    assert b"root:" not in result.stdout and "root:" not in result.stderr


def test_file_url_is_absolute_and_refuses_patterns(tmp_path: Path) -> None:
    assert formats.file_url(Path("-i")) == f"file:{Path.cwd() / '-i'}"
    with pytest.raises(ValueError, match="%"):
        formats.file_url(tmp_path / "frame%03d.png")


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        ({"display_aspect_ratio": "16:9"}, "16:9"),
        ({"display_aspect_ratio": "0:1"}, "40:27"),  # unset: the frame's own ratio
        ({"display_aspect_ratio": "N/A"}, "40:27"),
        ({"display_aspect_ratio": "1000:1"}, "40:27"),  # absurd: ignored
        ({}, "40:27"),
    ],
)
def test_aspect_ratio_of_a_720x486_frame(stream: dict[str, str], expected: str) -> None:
    assert _aspect(stream, 720, 486) == expected


def _result(width: int | None, height: int | None, duration: float) -> ProbeResult:
    return ProbeResult(
        kind=AssetKind.VIDEO, format_name="mov,mp4,m4a,3gp,3g2,mj2",
        duration_seconds=duration, width=width, height=height, fps=30.0,
        codec="h264", audio_codec=None, bitrate=1, aspect_ratio="16:9",
        mime_type="video/mp4",
    )  # fmt: skip


def test_check_limits() -> None:
    limits = LimitsSettings(max_duration_seconds=60, max_pixels=1920 * 1080)
    check_limits(_result(1920, 1080, 60.0), limits)  # exactly at both limits
    check_limits(_result(None, None, 1.0), limits)
    with pytest.raises(TooLarge, match="pixels") as caught:
        check_limits(_result(3840, 2160, 1.0), limits)
    assert (caught.value.code, caught.value.limit) == ("TOO_LARGE", 1920 * 1080)
    with pytest.raises(TooLarge, match="longer") as caught:
        check_limits(_result(640, 360, 60.5), limits)
    assert caught.value.limit == 60
