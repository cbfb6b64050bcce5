"""Make a JPEG thumbnail of a video frame or an image with ffmpeg."""

import asyncio
import logging
from pathlib import Path

import ffmpeg

from gql_media.errors import MediaError
from gql_media.media import formats
from gql_media.media.process import run_tool
from gql_media.models.enums import AssetKind
from gql_media.settings import MediaSettings

logger = logging.getLogger(__name__)

# A seek past the last frame yields nothing, and the last frame starts one frame
# interval before the end, so a time at or past the end backs off by this much.
_END_MARGIN_SECONDS = 0.5
# When a seek near the end still finds no frame (a low frame rate), try this much
# earlier, then the first frame.
_RETRY_STEP_SECONDS = 1.0


async def make_thumbnail(
    path: Path,
    dest: Path,
    *,
    kind: AssetKind,
    width: int,
    at_seconds: float = 0.0,
    duration: float | None,
    settings: MediaSettings,
    codec: str | None = None,
) -> None:
    """Write a JPEG of the frame at `at_seconds`, `width` pixels wide, to `dest`.

    Args:
        path: the local video or image.
        dest: where the JPEG goes; replaced if it exists.
        kind: VIDEO or IMAGE (audio has no thumbnail).
        width: the thumbnail width; the height keeps the aspect ratio (made even).
        at_seconds: the time of the frame; clamped into the video's duration.
        duration: the probed duration, used for the clamping; None if unknown.
        settings: the ffmpeg path and the timeout.
        codec: the probed video codec; a TGA ("targa") needs its decoder named.

    Raises:
        ValueError: `kind` is AUDIO.
        MediaError: ffmpeg failed or produced no picture.
        MediaTimeout: ffmpeg ran past `settings.thumbnail_timeout_seconds`.
    """
    if kind is AssetKind.AUDIO:
        raise ValueError("audio has no thumbnail")
    await asyncio.to_thread(dest.unlink, missing_ok=True)
    try:
        for seek in _seek_times(kind, at_seconds, duration):
            args = _ffmpeg_args(
                path, dest, width=width, seek=seek, settings=settings, codec=codec
            )
            result = await run_tool(args, timeout=settings.thumbnail_timeout_seconds)
            if result.returncode != 0:
                logger.info("ffmpeg failed on %s: %s", path, result.stderr[-2000:])
                raise MediaError("ffmpeg could not decode a picture from the file")
            if await asyncio.to_thread(_has_content, dest):
                return
        raise MediaError("ffmpeg found no frame to make a thumbnail from")
    except BaseException:
        # No half-written thumbnail is left behind, whatever went wrong. Not in a
        # thread: awaiting while a cancellation unwinds could be cut short.
        dest.unlink(missing_ok=True)  # noqa: ASYNC240
        raise


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _seek_times(kind: AssetKind, at: float, duration: float | None) -> list[float]:
    if kind is AssetKind.IMAGE:
        return [0.0]
    at = max(at, 0.0)
    if duration is not None and duration > 0 and at >= duration:
        at = max(duration - _END_MARGIN_SECONDS, 0.0)
    times = [at]
    if at > 0:
        times.append(max(at - _RETRY_STEP_SECONDS, 0.0))
    if times[-1] > 0:
        times.append(0.0)
    return times


def _ffmpeg_args(
    path: Path,
    dest: Path,
    *,
    width: int,
    seek: float,
    settings: MediaSettings,
    codec: str | None = None,
) -> list[str]:
    input_options: dict[str, object] = {
        **formats.INPUT_OPTIONS,
        **formats.input_options_for(codec),
    }
    if seek > 0:
        # An input option: ffmpeg seeks in the container instead of decoding
        # every frame up to the time.
        input_options["ss"] = f"{seek:.3f}"
    stream = (
        ffmpeg.input(formats.file_url(path), **input_options)
        .video.filter("scale", width, -2)
        .output(
            formats.file_url(dest),
            format="image2",
            vcodec="mjpeg",
            # One picture, written as named: `update` stops image2 from reading
            # the name as a numbered sequence pattern.
            update=1,
            **{"frames:v": 1, "q:v": 2},
        )
    )
    args: list[str] = stream.get_args(overwrite_output=True)
    return [settings.ffmpeg_path, *formats.FFMPEG_FLAGS, *args]
