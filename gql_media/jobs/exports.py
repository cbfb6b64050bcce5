"""export_generation: zip a generation's scene videos and thumbnails into storage.

The archive is laid out as `<generation>/<variant>/scene_<n>.mp4` with
`scene_<n>_thumb.jpg` beside each video and a `manifest.json` at the top. Folder
names come from user text (names, variant types), so they are slugs: lowercase
letters, digits and '-', never '/' or '..'.
"""

import asyncio
import json
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.jobs.base import Outcome
from gql_media.models import SceneStatus
from gql_media.runtime import Runtime
from gql_media.services.generations.validation import slug
from gql_media.services.jobs.lifecycle import Reporter
from gql_media.storage.keys import export_key

logger = logging.getLogger(__name__)

ZIP_SHARE = 0.9  # of the progress bar; storing the archive takes the rest
_EXTENSIONS = {
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
}
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    name: str  # path inside the archive
    key: str  # storage key of the bytes
    size: int | None  # None when unknown (thumbnails)


async def export_generation(
    runtime: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
) -> Outcome:
    generation = await _generation(job)
    key = export_key(generation.id, job.id)
    if job.payload.get("result_key") == key and await runtime.storage.exists(key):
        return Outcome(None)  # an earlier run finished the work
    entries, manifest = await _plan(generation)
    if not entries:
        raise InvalidState("the generation has no READY scene to export")
    await reporter.stage("zip", 0.0, f"{len(entries)} files")
    dest = work_dir / "export.zip"
    archive = await asyncio.to_thread(zipfile.ZipFile, dest, "w", zipfile.ZIP_STORED)
    try:
        await _in_thread(archive.writestr, manifest.name, manifest.data)
        total = sum(e.size or 0 for e in entries) or 1
        done = 0
        for number, entry in enumerate(entries, 1):
            done += await _add(runtime, archive, entry)
            await reporter.progress(
                ZIP_SHARE * done / total, f"{number} of {len(entries)} files"
            )
    finally:
        await _in_thread(archive.close)
    await reporter.stage("store", ZIP_SHARE, "storing the archive")
    await runtime.storage.put_file(key, dest, "application/zip")
    if not await models.Generation.exists(id=generation.id):
        # Deleted while we zipped: its export must not outlive it.
        await runtime.storage.delete(key)
        raise InvalidState("the generation was deleted")
    payload = {**job.payload, "result_key": key}
    await models.Job.filter(id=job.id).update(payload=payload)
    logger.info("job %s: generation %s exported to %s", job.id, generation.id, key)
    return Outcome(None)


async def _generation(job: models.Job) -> models.Generation:
    generation = await models.Generation.get_or_none(
        id=job.payload.get("generation_id"), owner_id=job.owner_id
    )
    if generation is None:
        raise InvalidState("the generation was deleted")
    return generation


@dataclass(frozen=True)
class _Manifest:
    name: str
    data: str


async def _plan(generation: models.Generation) -> tuple[list[Entry], _Manifest]:
    """The files of the archive, in variant and scene order, and its manifest."""
    variants = await models.Variant.filter(generation_id=generation.id).order_by(
        "position"
    )
    scenes = await models.Scene.filter(
        variant__generation_id=generation.id, status=SceneStatus.READY
    ).order_by("number")
    videos = {
        a.id: a
        for a in await models.Asset.filter(
            id__in=[s.asset_id for s in scenes],  # type: ignore[attr-defined]
            deleted_at=None,
            storage_key__isnull=False,
        )
    }
    root = f"{slug(generation.name, 'generation')}-{str(generation.id)[:8]}"
    entries: list[Entry] = []
    listed: list[dict[str, Any]] = []
    folders: set[str] = set()
    for variant in variants:
        folder = slug(variant.variant_type, "variant")
        if folder in folders:  # two names with the same slug
            folder = f"{folder}-{variant.position + 1}"
        folders.add(folder)
        for scene in (s for s in scenes if s.variant_id == variant.id):  # type: ignore[attr-defined]
            video = videos.get(scene.asset_id)  # type: ignore[attr-defined]
            if video is None or video.storage_key is None:
                continue
            ext = _EXTENSIONS.get(video.mime_type or "", "mp4")
            base = f"{root}/{folder}/scene_{scene.number}"
            entries.append(Entry(f"{base}.{ext}", video.storage_key, video.size_bytes))
            if video.thumbnail_key:
                entries.append(Entry(f"{base}_thumb.jpg", video.thumbnail_key, None))
            listed.append(
                {
                    "variant": variant.variant_type,
                    "scene": scene.number,
                    "file": f"{base}.{ext}",
                    "prompt": scene.prompt,
                    "asset_id": str(video.id),
                    "duration_seconds": video.duration_seconds,
                    "width": video.width,
                    "height": video.height,
                    "size_bytes": video.size_bytes,
                }
            )
    manifest = {
        "generation_id": str(generation.id),
        "name": generation.name,
        "source_url": generation.source_url,
        "status": generation.status.value,
        "variant_types": generation.variant_types,
        "cost_estimate": _text(generation.cost_estimate),
        "actual_cost": _text(generation.actual_cost),
        "scenes": listed,
    }
    return entries, _Manifest(f"{root}/manifest.json", json.dumps(manifest, indent=2))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


async def _add(runtime: Runtime, archive: zipfile.ZipFile, entry: Entry) -> int:
    """Stream one stored object into the archive; returns the bytes written."""
    info = zipfile.ZipInfo(entry.name)
    info.compress_type = zipfile.ZIP_STORED  # videos and JPEGs are compressed
    large = entry.size is None or entry.size >= zipfile.ZIP64_LIMIT
    out = await _in_thread(archive.open, info, "w", force_zip64=large)
    written = 0
    try:
        async for chunk in runtime.storage.open(entry.key):
            await _in_thread(out.write, chunk)
            written += len(chunk)
    finally:
        await _in_thread(out.close)
    return written


async def _in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn` in a thread. If we are cancelled meanwhile, wait for the thread
    to end first, so the archive is never used by two threads at once."""
    task = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise
