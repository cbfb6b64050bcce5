"""stitch: our STITCH job (stitchVideos -> asset READY) against the same ffmpeg
command run by hand, for both of the job's ways: stream copy (three matching
clips) and one re-encode (three clips of different sizes and frame rates, one
without audio).

Ours runs the embedded runtime in this process (SQLite, local files, the
in-process queue): the service call that the mutation makes, then the job until
its row is SUCCEEDED, which includes reading the inputs' layouts, ffmpeg,
hashing, probing, the thumbnail and storing. The baseline runs the very
argument list the job builds (`media/stitch.py`) with subprocess, and nothing
else, so the ratio is the price of the job around ffmpeg.
"""

import asyncio
import hashlib
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import (
    Report,
    Sample,
    check,
    interleave,
    log,
    main,
    median,
    p95,
    ratio,
    scaled,
    secs,
    times,
    work_dir,
)
from bench.media import MEDIA
from gql_media import db, models
from gql_media.media import stitch as media
from gql_media.runtime import Runtime
from gql_media.services.assets import library
from gql_media.services.assets.validation import AssetDetails, ReceivedFile
from gql_media.services.workflows import stitching
from gql_media.settings import Settings
from gql_media.wiring import wire

REPS = scaled(3, 1)
SECONDS = scaled(6, 2)
_QUIET = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
# (name, width, height, fps, audio): the copy set matches, the encode set does not.
COPY_SET = [("copy-a", 1280, 720, 30, True), ("copy-b", 1280, 720, 30, True),
            ("copy-c", 1280, 720, 30, True)]  # fmt: skip
ENCODE_SET = [("mix-a", 960, 540, 30, True), ("mix-b", 640, 480, 25, False),
              ("mix-c", 540, 540, 24, True)]  # fmt: skip


def make_clip(name: str, width: int, height: int, fps: int, audio: bool) -> Path:
    """A cached H.264 (+ AAC) clip; testsrc2 with noise so it is not trivial."""
    path = MEDIA / f"stitch-{name}-{SECONDS}s.mp4"
    if path.exists():
        return path
    MEDIA.mkdir(parents=True, exist_ok=True)
    source = f"testsrc2=s={width}x{height}:r={fps}:d={SECONDS},noise=alls=20:allf=t"
    args = ["-f", "lavfi", "-i", source]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", "aac", "-shortest"]
    partial = path.with_suffix(".partial.mp4")
    subprocess.run([*_QUIET, *args, "-movflags", "+faststart", str(partial)],
                   check=True, timeout=600)  # fmt: skip
    partial.rename(path)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


async def _wait(job_id: Any) -> models.Job:
    async with asyncio.timeout(600):
        while True:
            job = await models.Job.get(id=job_id)
            if job.status.is_terminal:
                return job
            await asyncio.sleep(0.02)


async def _ready(runtime: Runtime, path: Path) -> models.Asset:
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    digest = await asyncio.to_thread(_sha256, path)
    received = ReceivedFile(path, digest, size, path.name, None)
    asset, job, _ = await library.create_from_upload(
        runtime, "bench", received, AssetDetails()
    )
    if job is not None:
        done = await _wait(job.id)
        check(done.status is models.JobStatus.SUCCEEDED, f"upload failed: {done}")
    return await models.Asset.get(id=asset.id)


def _duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
         "default=nw=1:nk=1", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(out.strip())


async def _ours(
    runtime: Runtime, inputs: list[models.Asset], mode: str, total: float
) -> Sample:
    request = stitching.StitchRequest([str(a.id) for a in inputs])
    started = time.perf_counter()
    asset, job = await stitching.start(runtime, "bench", request)
    done = await _wait(job.id)
    seconds = time.perf_counter() - started
    check(
        done.status is models.JobStatus.SUCCEEDED,
        f"stitch failed: {done.error_message}",
    )
    row = await models.Asset.get(id=asset.id)
    check(row.status is models.AssetStatus.READY, "the stitched asset is not READY")
    check((row.generation_params or {}).get("mode") == mode, f"not the {mode} branch")
    check(abs((row.duration_seconds or 0) - total) < 0.2, "wrong stitched duration")
    # The next repetition must not find it as a duplicate of this one.
    await library.delete(runtime, "bench", str(row.id))
    return {"seconds": seconds}


def _by_hand(args: list[str], dest: Path, total: float) -> Sample:
    dest.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(args, check=True, timeout=600, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    check(
        abs(_duration(dest) - total) < 0.2, "the hand-run output has the wrong duration"
    )
    return {"seconds": seconds}


async def _case(
    runtime: Runtime, spec: list[tuple[str, int, int, int, bool]], mode: str, work: Path
) -> dict[str, list[float]]:
    paths = [make_clip(*item) for item in spec]
    inputs = [await _ready(runtime, p) for p in paths]
    local = [runtime.storage.local_path(a.storage_key or "") for a in inputs]
    stored = [p for p in local if p is not None]
    layouts = [await media.layout(p, runtime.settings.media) for p in stored]
    check(media.can_copy(layouts) == (mode == "copy"), f"the inputs do not take {mode}")
    total = sum(a.duration_seconds or 0 for a in inputs)
    dest = work / f"by-hand-{mode}.mp4"
    if mode == "copy":
        script = work / "inputs.ffconcat"
        media.write_script(stored, script)
        args = media.copy_args(script, dest, runtime.settings.media, audio=True)
    else:
        durations = [a.duration_seconds or 0 for a in inputs]
        args = media.encode_args(
            stored, layouts, durations, dest, runtime.settings.media
        )
    log(f"{mode}: {len(inputs)} clips, {total:.1f} s in all, {REPS} reps")
    samples = await interleave(
        {
            "ours": lambda: _ours(runtime, inputs, mode, total),
            "ffmpeg": lambda: _by_hand(args, dest, total),
        },
        REPS,
        warmup=1,
    )
    return {name: s["seconds"] for name, s in samples.items()}


async def run(report: Report) -> None:
    work = work_dir("stitch")
    url = f"sqlite://{work / 'bench.sqlite3'}"
    settings = Settings(data_dir=work / "data", database_url=url, secret_key="bench")  # type: ignore[call-arg]
    await db.migrate(url)
    await db.connect(url)
    runtime = wire(settings)
    await runtime.queue.start()
    try:
        results = {
            "copy": await _case(runtime, COPY_SET, "copy", work),
            "encode": await _case(runtime, ENCODE_SET, "encode", work),
        }
    finally:
        await runtime.close()
        await db.close()
    table = report.table(
        f"stitch: 3 clips of {SECONDS} s, stitchVideos -> READY against the same "
        "ffmpeg command by hand (embedded, local files)",
        "branch", "gql-media median", "p95", "ffmpeg by hand median", "p95", "ratio",
    )  # fmt: skip
    for mode, seconds in results.items():
        table.add(
            {"copy": "stream copy (matching clips)",
             "encode": "re-encode (mixed sizes, rates, one silent)"}[mode],
            secs(median(seconds["ours"])), secs(p95(seconds["ours"])),
            secs(median(seconds["ffmpeg"])), secs(p95(seconds["ffmpeg"])),
            times(ratio(seconds["ours"], seconds["ffmpeg"])),
        )  # fmt: skip
        report.ratio(
            f"stitch ({mode}): job / ffmpeg by hand",
            ratio(seconds["ours"], seconds["ffmpeg"]),
            "time; the job adds reading layouts, hashing, probe, thumbnail, store",
        )
    report.config = {"reps": REPS, "clip_seconds": SECONDS, "warmup": 1}
    report.samples = results
    report.notes.append(
        "Each run checks READY, the branch taken and the duration; the hand-run "
        "output's duration is checked with ffprobe."
    )
    shutil.rmtree(work / "data" / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main("stitch", run)
