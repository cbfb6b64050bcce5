"""Turn a local media file into asset columns: probe, check, thumbnail, store."""

import logging
from math import floor
from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.errors import MediaError
from gql_media.media.probe import ProbeResult, check_limits, probe
from gql_media.media.thumbnail import make_thumbnail
from gql_media.models import AssetKind
from gql_media.runtime import Runtime
from gql_media.storage.keys import thumbnail_key

logger = logging.getLogger(__name__)


async def inspect(
    runtime: Runtime,
    asset: models.Asset,
    path: Path,
    hints: tuple[str | None, ...] = (),
) -> tuple[ProbeResult, dict[str, Any]]:
    """Probe `path` and check it against the limits and the declared kind.

    Args:
        hints: what the client called the file (name, URL, Content-Type), for
            formats without a signature (TGA).

    Returns:
        The probe result and the asset columns it fills.
    """
    result = await probe(
        path,
        runtime.settings.media,
        hints=hints,
        max_pixels=runtime.settings.limits.max_pixels,
    )
    check_limits(result, runtime.settings.limits)
    if asset.kind is not None and asset.kind != result.kind:
        raise MediaError(
            f"the file is {result.kind.value.lower()}, "
            f"not the declared {asset.kind.value.lower()}"
        )
    columns = {
        "kind": result.kind,
        "duration_seconds": result.duration_seconds,
        "width": result.width,
        "height": result.height,
        "fps": result.fps,
        "codec": result.codec,
        "audio_codec": result.audio_codec,
        "bitrate": result.bitrate,
        "container": result.format_name,
        "aspect_ratio": result.aspect_ratio,
        "mime_type": result.mime_type,
        "color_space": result.color_space,
    }
    return result, columns


async def store_thumbnail(
    runtime: Runtime,
    path: Path,
    work_dir: Path,
    *,
    sha256: str,
    kind: AssetKind,
    duration: float | None,
    at_seconds: float = 0.0,
    codec: str | None = None,
) -> str | None:
    """Make the JPEG thumbnail of a file and store it; None for audio.

    The key is derived from the content, width and time, so an existing thumbnail
    is reused rather than made again (a job that runs twice does the work once).
    """
    if kind is AssetKind.AUDIO:
        return None
    width = runtime.settings.thumbnail_width
    if duration:
        at_seconds = min(at_seconds, max(duration - 0.001, 0.0))
    key = thumbnail_key(sha256, width, floor(max(at_seconds, 0.0) * 1000))
    if await runtime.storage.exists(key):
        return key
    dest = work_dir / "thumbnail.jpg"
    await make_thumbnail(
        path,
        dest,
        kind=kind,
        width=width,
        at_seconds=at_seconds,
        duration=duration,
        settings=runtime.settings.media,
        codec=codec,
    )
    await runtime.storage.put_file(key, dest, "image/jpeg")
    dest.unlink(missing_ok=True)
    return key
