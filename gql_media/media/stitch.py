"""ffmpeg commands that join videos end to end, and the facts that choose one.

Two ways, both built as argument lists with ffmpeg-python:

- Stream copy, when every input shares codec, size, frame rate, pixel format and
  audio layout: the concat *demuxer* reading a script that the server writes into
  the job's private temp dir. The script holds only `file:` URLs of files the
  server stored or copied (content-addressed paths, checked to hold no quote or
  newline); nothing a user sent ends up in it. It is read with `-safe 0` (the
  paths are absolute `file:` URLs) and the protocol allowlist `file`, and the
  format allowlist admits `concat` for the script plus the usual video demuxers
  for the files it names (the allowlists pass down to them).
- Re-encoding otherwise: each input scaled and padded to the first input's size,
  set to its frame rate, given silence (`anullsrc`, a server-written source) when
  it has no audio, then joined by the concat *filter* and encoded once (libx264,
  AAC).

Both report progress with `-progress pipe:1`.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from gql_media.errors import MediaError
from gql_media.media import formats
from gql_media.media.process import run_tool
from gql_media.settings import MediaSettings

# Codecs an MP4 holds, so a stream copy into MP4 is valid.
COPY_VIDEO_CODECS = frozenset({"h264", "hevc"})
COPY_AUDIO_CODECS = frozenset({"aac"})
AUDIO_RATE = 48000


@dataclass(frozen=True)
class Layout:
    """What must match for a stream copy."""

    video_codec: str
    width: int
    height: int
    frame_rate: str  # ffprobe's r_frame_rate, e.g. "30/1"
    pix_fmt: str | None
    audio_codec: str | None
    sample_rate: str | None
    channels: int | None


async def layout(path: Path, settings: MediaSettings) -> Layout:
    """The first video and audio stream of a local file."""
    args = [
        settings.ffprobe_path,
        *formats.COMMON_FLAGS,
        *formats.INPUT_FLAGS,
        "-show_streams",
        "-of",
        "json",
        formats.file_url(path),
    ]
    result = await run_tool(args, timeout=settings.probe_timeout_seconds)
    if result.returncode != 0:
        raise MediaError("ffprobe could not read an input of the stitch")
    streams = json.loads(result.stdout or b"{}").get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None:
        raise MediaError("an input of the stitch has no video stream")
    return Layout(
        video_codec=video.get("codec_name", ""),
        width=int(video.get("width", 0)),
        height=int(video.get("height", 0)),
        frame_rate=video.get("r_frame_rate", "0/0"),
        pix_fmt=video.get("pix_fmt"),
        audio_codec=audio.get("codec_name") if audio else None,
        sample_rate=audio.get("sample_rate") if audio else None,
        channels=int(audio["channels"]) if audio and "channels" in audio else None,
    )


def can_copy(layouts: list[Layout]) -> bool:
    """Whether the inputs can be joined without re-encoding."""
    first = layouts[0]
    return (
        all(item == first for item in layouts)
        and first.video_codec in COPY_VIDEO_CODECS
        and (first.audio_codec is None or first.audio_codec in COPY_AUDIO_CODECS)
    )


def write_script(paths: list[Path], script: Path) -> None:
    """The concat demuxer's script, naming server-built paths only."""
    lines = ["ffconcat version 1.0"]
    for path in paths:
        url = formats.file_url(path)
        if any(c in url for c in "'\n\r\\"):
            raise ValueError(f"refusing a stitch input path {url!r}")
        lines.append(f"file '{url}'")
    script.write_text("\n".join(lines) + "\n")


def copy_args(
    script: Path, dest: Path, settings: MediaSettings, *, audio: bool
) -> list[str]:
    """Join by stream copy through the concat demuxer (see the module doc)."""
    source = ffmpeg.input(
        formats.file_url(script),
        f="concat",
        safe=0,
        protocol_whitelist="file",
        format_whitelist=f"concat,{formats.FORMAT_WHITELIST}",
    )
    streams = [source.video, source.audio] if audio else [source.video]
    stream = ffmpeg.output(
        *streams, formats.file_url(dest), c="copy", f="mp4", movflags="+faststart"
    )
    return _command(stream, settings)


def encode_args(
    paths: list[Path],
    layouts: list[Layout],
    durations: list[float],
    dest: Path,
    settings: MediaSettings,
) -> list[str]:
    """Scale and pad each input to the first one's size and frame rate, give
    silence to inputs without audio, join with the concat filter, encode once."""
    width, height = layouts[0].width, layouts[0].height
    rate = layouts[0].frame_rate
    parts = []
    for path, item, duration in zip(paths, layouts, durations, strict=True):
        source = ffmpeg.input(formats.file_url(path), **formats.INPUT_OPTIONS)
        video = (
            source.video.filter(
                "scale", width, height, force_original_aspect_ratio="decrease"
            )
            .filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2")
            .filter("setsar", 1)
            .filter("fps", fps=rate)
            .filter("format", "yuv420p")
        )
        if item.audio_codec is not None:
            audio = source.audio
        else:
            # A server-written lavfi source (no file, no user text): silence.
            audio = ffmpeg.input(
                f"anullsrc=r={AUDIO_RATE}:cl=stereo", f="lavfi", t=f"{duration:.3f}"
            ).audio
        audio = (
            audio.filter("aresample", AUDIO_RATE)
            .filter("aformat", sample_fmts="fltp", channel_layouts="stereo")
            .filter("apad")
            .filter("atrim", end=f"{duration:.3f}")
        )
        parts += [video, audio]
    joined = ffmpeg.concat(*parts, v=1, a=1, n=len(paths)).node
    stream = ffmpeg.output(
        joined[0],
        joined[1],
        formats.file_url(dest),
        vcodec="libx264",
        preset="veryfast",
        crf=20,
        pix_fmt="yuv420p",
        acodec="aac",
        audio_bitrate="128k",
        f="mp4",
        movflags="+faststart",
    )
    return _command(stream, settings)


def _command(stream: ffmpeg.nodes.OutputStream, settings: MediaSettings) -> list[str]:
    # Global options go first: ffmpeg ignores options after the last output.
    args: list[str] = stream.get_args()
    progress = ("-y", "-progress", "pipe:1", "-nostats")
    return [settings.ffmpeg_path, *formats.FFMPEG_FLAGS, *progress, *args]


class ProgressParser:
    """Reads `-progress` key=value lines; `seconds` is the time written so far."""

    def __init__(self) -> None:
        self._pending = b""
        self.seconds = 0.0

    def feed(self, chunk: bytes) -> None:
        lines = (self._pending + chunk).split(b"\n")
        self._pending = lines.pop()
        for line in lines:
            key, _, value = line.strip().partition(b"=")
            if key == b"out_time_us" and value.strip(b"-").isdigit():
                self.seconds = max(self.seconds, int(value) / 1_000_000)
