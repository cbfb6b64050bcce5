"""Read what a media file is with ffprobe, and check it against the limits."""

import asyncio
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from gql_media.errors import MediaError, TooLarge, UnsupportedFormat
from gql_media.media import formats, targa
from gql_media.media.process import ToolResult, run_tool
from gql_media.models.enums import AssetKind
from gql_media.settings import LimitsSettings, MediaSettings

logger = logging.getLogger(__name__)

# "[hls @ 0x55d9...] Format not on whitelist ..." names the demuxer that was refused.
_REFUSED_FORMAT = re.compile(r"\[([\w,]+) @ [^\]]*\] Format not on whitelist")
_SNIFF_BYTES = 4096
_TGA_LINK = "image.tga"
_MP4_BOXES = frozenset({b"ftyp", b"mdat", b"moov", b"free", b"skip", b"wide"})


@dataclass(frozen=True)
class ProbeResult:
    """The facts about a media file that become asset columns."""

    kind: AssetKind
    format_name: str
    duration_seconds: float | None
    width: int | None
    height: int | None
    fps: float | None
    codec: str | None
    audio_codec: str | None
    bitrate: int | None
    aspect_ratio: str | None
    mime_type: str
    color_space: str | None = None


async def probe(
    path: Path,
    settings: MediaSettings,
    *,
    hints: tuple[str | None, ...] = (),
    max_pixels: int | None = None,
) -> ProbeResult:
    """Probe a local file with ffprobe, reading nothing but that file.

    Args:
        hints: what the client called the file (names, URLs, Content-Types); only
            used to recognize a TGA, which has no magic number (`media/targa.py`).
        max_pixels: a TGA announcing more pixels is refused before it is decoded.

    Raises:
        UnsupportedFormat: the container is not on the allowlist.
        MediaError: the file is empty, text, truncated, garbage or has no audio or
            video stream.
        MediaTimeout: ffprobe ran past `settings.probe_timeout_seconds`.
        TooLarge: a TGA with more than `max_pixels` pixels.
    """
    if (await asyncio.to_thread(path.stat)).st_size == 0:
        raise MediaError("the file is empty")
    result = await _ffprobe(settings, formats.file_url(path))
    if result.returncode != 0:
        logger.info("ffprobe refused %s: %s", path, result.stderr[-2000:])
        head = await asyncio.to_thread(_read_head, path)
        error = _explain_failure(head, result.stderr)
        if type(error) is MediaError:  # unreadable, not refused: a TGA?
            header = await asyncio.to_thread(targa.recognize, path, hints)
            if header is not None:
                return await _probe_targa(path, header, settings, max_pixels)
        raise error
    return _summarize(_parse(result.stdout))


async def _ffprobe(settings: MediaSettings, url: str, *input_flags: str) -> ToolResult:
    args = [
        settings.ffprobe_path,
        *formats.COMMON_FLAGS,
        *formats.INPUT_FLAGS,
        *input_flags,
        *("-show_format", "-show_streams", "-of", "json"),
        url,
    ]
    return await run_tool(args, timeout=settings.probe_timeout_seconds)


def _parse(stdout: bytes) -> dict[str, Any]:
    try:
        info: dict[str, Any] = json.loads(stdout)
    except ValueError:
        raise MediaError("ffprobe gave an unreadable answer for the file") from None
    return info


async def _probe_targa(
    path: Path, header: targa.Header, settings: MediaSettings, max_pixels: int | None
) -> ProbeResult:
    """Probe a file recognized as TGA through a ".tga" link to it: the name is
    the only way ffprobe picks the targa decoder."""
    if max_pixels is not None and header.pixels > max_pixels:
        raise TooLarge(
            f"the TGA image is {header.width}x{header.height} ({header.pixels} "
            f"pixels), more than the limit of {max_pixels} pixels",
            limit=max_pixels,
        )
    folder = await asyncio.to_thread(_link_as_tga, path)
    try:
        # Not file_url(link): resolving would follow the link back to the name
        # without the suffix.
        url = f"{formats.file_url(folder)}/{_TGA_LINK}"
        result = await _ffprobe(settings, url, *formats.TGA_PROBE_FLAGS)
    finally:
        # Not in a thread: awaiting while a cancellation unwinds could be cut
        # short, and the folder holds one link.
        shutil.rmtree(folder, ignore_errors=True)
    if result.returncode != 0:
        logger.info("ffprobe refused %s as TGA: %s", path, result.stderr[-2000:])
        raise MediaError("the file is not a readable TGA image")
    probed = _summarize(_parse(result.stdout))
    if probed.codec != "targa" or (probed.width, probed.height) != (
        header.width,
        header.height,
    ):
        raise MediaError("the file is not a readable TGA image")
    return probed


def _link_as_tga(path: Path) -> Path:
    """A new private folder holding a ".tga" symlink to `path`."""
    folder = Path(tempfile.mkdtemp(prefix="gql-media-tga-"))
    try:
        os.symlink(path.resolve(), folder / _TGA_LINK)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def check_limits(result: ProbeResult, limits: LimitsSettings) -> None:
    """Raise TooLarge when a probed file runs too long or has too many pixels."""
    duration = result.duration_seconds
    if duration is not None and duration > limits.max_duration_seconds:
        raise TooLarge(
            f"the media lasts {duration:.1f} s, longer than the limit of "
            f"{limits.max_duration_seconds:g} s",
            limit=limits.max_duration_seconds,
        )
    if result.width and result.height:
        pixels = result.width * result.height
        if pixels > limits.max_pixels:
            raise TooLarge(
                f"the frame is {result.width}x{result.height} ({pixels} pixels), "
                f"more than the limit of {limits.max_pixels} pixels",
                limit=limits.max_pixels,
            )


def _read_head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(_SNIFF_BYTES)


def _explain_failure(head: bytes, stderr: str) -> MediaError:
    # Messages are our own: stderr may quote whatever the file contains.
    refused = _REFUSED_FORMAT.search(stderr)
    if refused:
        return UnsupportedFormat(
            f"the file is in the {refused.group(1)} format, which is not accepted "
            "(playlists, concat scripts and network formats are refused)"
        )
    if _looks_like_text(head):
        return MediaError("the file is text, not audio, video or an image")
    # Only a file that starts like an MP4 is a truncated one; random bytes named
    # .mp4 make ffprobe miss the moov atom too.
    if head[4:8] in _MP4_BOXES and "moov atom not found" in stderr:
        return MediaError(
            "the MP4/MOV file is truncated or incomplete (its moov index is missing)"
        )
    return MediaError("the file is not readable audio, video or an image")


def _looks_like_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # Only a multi-byte character cut at the end of the sample is forgiven.
        if error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    return bool(text) and all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def _summarize(info: dict[str, Any]) -> ProbeResult:
    fmt = info.get("format") or {}
    format_name = str(fmt.get("format_name", ""))
    if not formats.is_allowed(format_name):
        # The whitelist should have refused it already; this is the second lock.
        raise UnsupportedFormat(
            f"the {format_name or 'unknown'} format is not accepted"
        )
    streams = info.get("streams") or []
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        # Cover art in a music file is a picture, not a video track.
        and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    video = videos[0] if videos else None
    audio = audios[0] if audios else None
    if video is None and audio is None:
        raise MediaError("the file has no audio or video stream")
    kind = _kind(format_name, video)
    width = height = None
    aspect = None
    if video is not None:
        width, height = _positive(video.get("width")), _positive(video.get("height"))
        aspect = _aspect(video, width, height)
        if _rotation(video) in (90, 270) and width and height:
            width, height = height, width
            aspect = ":".join(reversed(aspect.split(":"))) if aspect else None
    codecs = [str(s.get("codec_name")) for s in (video, audio) if s is not None]
    still = kind is AssetKind.IMAGE
    return ProbeResult(
        kind=kind,
        format_name=format_name,
        duration_seconds=None if still else _number(fmt.get("duration")),
        width=width,
        height=height,
        fps=None if still or video is None else _fps(video),
        codec=codecs[0] if codecs else None,
        audio_codec=audio.get("codec_name") if audio is not None else None,
        bitrate=None if still else _positive(fmt.get("bit_rate")),
        aspect_ratio=aspect,
        color_space=_color_space(video) if video is not None else None,
        mime_type=formats.guess_mime(
            format_name,
            codecs=codecs,
            brand=(fmt.get("tags") or {}).get("major_brand"),
            has_video=video is not None,
        ),
    )


def _color_space(video: dict[str, Any]) -> str | None:
    """The stream's tagged color space (bt709, ...), else the pixel format's
    family: float RGB is scene-linear (EXR), other RGB is taken as sRGB."""
    tagged = str(video.get("color_space") or "")
    if tagged and tagged != "unknown":
        return tagged
    pix = str(video.get("pix_fmt") or "")
    if not pix:
        return None
    if pix.startswith(("gray", "ya", "monow", "monob")):
        return "gray"
    if pix.startswith(("yuv", "yuvj", "nv", "uyvy", "yuyv")):
        return "ycbcr"
    if "f32" in pix or "f16" in pix:
        return "linear"
    if pix.startswith(("rgb", "bgr", "gbr", "argb", "abgr", "pal8", "0rgb", "rgb0")):
        return "srgb"
    return None


def _kind(format_name: str, video: dict[str, Any] | None) -> AssetKind:
    if video is None:
        return AssetKind.AUDIO
    if format_name in ("gif", "gif_pipe"):
        # An animated GIF is a (silent) video; a single-frame one is a picture.
        frames = _positive(video.get("nb_frames"))
        return AssetKind.VIDEO if frames and frames > 1 else AssetKind.IMAGE
    if format_name in formats.IMAGE_DEMUXERS:
        return AssetKind.IMAGE
    return AssetKind.VIDEO


def _aspect(video: dict[str, Any], width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    stored = Fraction(width, height)
    dar = _ratio(video.get("display_aspect_ratio"))
    # Anamorphic pixels (DV, some broadcast files) stretch the picture a little; a
    # display ratio far from the frame's own is a broken or hostile header.
    if dar is None or not Fraction(1, 2) <= dar / stored <= 2:
        dar = stored
    return f"{dar.numerator}:{dar.denominator}"


def _fps(video: dict[str, Any]) -> float | None:
    for key in ("avg_frame_rate", "r_frame_rate"):
        rate = _ratio(video.get(key))
        # Above 1000 fps is a timebase misread as a frame rate, not a real rate.
        if rate is not None and rate <= 1000:
            return round(float(rate), 3)
    return None


def _rotation(video: dict[str, Any]) -> int:
    for side_data in video.get("side_data_list") or []:
        if "rotation" in side_data:
            return int(_number(side_data["rotation"]) or 0) % 360
    return int(_number((video.get("tags") or {}).get("rotate")) or 0) % 360


def _ratio(value: object) -> Fraction | None:
    """Parse ffprobe's "16:9" or "30000/1001"; None for "0:1", "0/0" or "N/A"."""
    parts = re.fullmatch(r"(\d+)[:/](\d+)", str(value or ""))
    if not parts or int(parts[1]) == 0 or int(parts[2]) == 0:
        return None
    return Fraction(int(parts[1]), int(parts[2]))


def _number(value: object) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _positive(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number > 0 else None
