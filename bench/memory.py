"""memory: peak RSS of the worker process importing a 1 GB file, against the same
worker importing 10 MB and 100 MB files in the same run; it must not grow with the
file size (bytes stream through in chunks, never whole in memory).

Both workers: `gql-media serve` in the embedded mode (local files) and the arq
worker of the distributed mode (S3 multipart upload to moto).
"""

from functools import partial

from bench.common import (
    MB,
    MiB,
    Report,
    Sample,
    check,
    interleave,
    log,
    main,
    median,
    megabytes,
    ratio,
    scaled,
    secs,
    times,
    work_dir,
)
from bench.gql import delete_asset, import_until_ready
from bench.media import MEDIA, Clip, video
from bench.services import (
    Deployment,
    distributed,
    embedded,
    moto_s3,
    peak_rss,
    reset_peak_rss,
    rss,
)
from tests.support.http_server import serve_files

SIZES_MB = scaled([10, 100, 1000], [1, 10])
REPS = scaled(2, 2)
# The largest import may raise the worker's peak this much over the smallest:
# ~6% of 1 GB, several 8 MiB S3 parts and read buffers, far below the file.
ALLOWED_GROWTH = 64 * MiB


async def measure(deployment: Deployment, url: str, item: Clip) -> Sample:
    pid = deployment.worker.popen.pid
    reset_peak_rss(pid)
    before = rss(pid)
    imported = await import_until_ready(deployment, url, item.sha256, item.size)
    peak = peak_rss(pid)
    await delete_asset(deployment, imported.asset_id, item.sha256)
    return {"peak": peak, "before": before, "seconds": imported.seconds}


async def run(report: Report) -> None:
    work = work_dir("memory")
    clips = [video(mb) for mb in SIZES_MB]
    table = report.table(
        "memory: worker peak RSS by imported file size",
        "worker", "file", "RSS before", "peak RSS", "peak - before",
        "import time", "peak / smallest file's",
    )  # fmt: skip
    async with (
        serve_files(MEDIA) as source,
        moto_s3(work) as s3,
        embedded(work) as local,
        distributed(work, s3) as dist,
    ):
        for deployment in (local, dist):
            log(f"memory: {deployment.name}")
            # One untimed import of the smallest file first: the first job of a
            # process imports modules and grows pools, which is not about size.
            await measure(deployment, source.url("/" + clips[0].name), clips[0])
            samples = await interleave(
                {
                    c.name: partial(measure, deployment, source.url("/" + c.name), c)
                    for c in clips
                },
                REPS,
            )
            smallest = samples[clips[0].name]["peak"]
            for item in clips:
                s = samples[item.name]
                growth = median(s["peak"]) - median(s["before"])
                table.add(
                    deployment.name, megabytes(item.size),
                    megabytes(median(s["before"])), megabytes(median(s["peak"])),
                    megabytes(growth), secs(median(s["seconds"])),
                    times(ratio(s["peak"], smallest)),
                )  # fmt: skip
            largest = samples[clips[-1].name]["peak"]
            for base in clips[:-1]:
                report.ratio(
                    f"memory {deployment.name}: peak importing "
                    f"{megabytes(clips[-1].size)} / {megabytes(base.size)}",
                    ratio(largest, samples[base.name]["peak"]),
                    "1.00 means the peak does not grow with the file",
                )
            grew = median(largest) - median(smallest)
            check(
                grew < ALLOWED_GROWTH,
                f"{deployment.name}: the peak grew by {grew / MB:.0f} MB from "
                f"{megabytes(clips[0].size)} to {megabytes(clips[-1].size)}",
            )
            report.samples[deployment.name] = samples
    report.config = {"sizes": [c.size for c in clips], "reps": REPS}
    report.notes += [
        "Peak RSS: VmHWM of the worker process, reset (clear_refs) before each "
        "import; the embedded worker is the API process too. ffmpeg/ffprobe "
        "children are separate processes and not counted.",
        "S3 files from 16 MiB up go as multipart uploads of 8 MiB parts, 4 in "
        "flight, each streamed from the file: compare 1 GB with 100 MB (both "
        "multipart) for growth with size, with 10 MB (one PUT) for the "
        "multipart buffers.",
        f"Checked: each import READY with sha256sum's checksum and the stored "
        f"size; the largest file's peak within {ALLOWED_GROWTH // MiB} MiB of the "
        "smallest's.",
    ]


if __name__ == "__main__":
    main("memory", run)
