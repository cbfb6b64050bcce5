"""hash: our streaming SHA-256 (`HashingWriter`, used by uploads and imports)
over a 1 GB file, against `hashlib.sha256` over the same bytes in large blocks.

HashingWriter hashes *and* writes the received bytes to a file (then fsyncs it):
that is its job, reading each byte once. So besides the issue's baseline (hash
only) a second baseline does the same I/O by hand (hashlib + write + fsync); the
first ratio is the price of keeping the bytes, the second our own overhead.
"""

import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import (
    CACHE,
    MiB,
    Report,
    Sample,
    check,
    interleave,
    log,
    main,
    median,
    megabytes,
    p95,
    ratio,
    scaled,
    secs,
    times,
)
from bench.media import Clip, video
from gql_media.media.hashing import HashingWriter

SIZE_MB = scaled(1000, 10)
REPS = scaled(5, 3)
# httpcore hands an import's body over in chunks of up to 64 KiB; the baseline
# reads in the large blocks the issue asks for.
STREAM_CHUNK = 64 * 1024
BLOCK = 4 * MiB


def _chunks(path: Path, size: int) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(size):
            yield chunk


def ours(item: Clip, dest: Path) -> tuple[float, str]:
    dest.unlink(missing_ok=True)
    started = time.perf_counter()
    with HashingWriter(dest, max_bytes=item.size) as sink:
        for chunk in _chunks(item.path, STREAM_CHUNK):
            sink.write(chunk)
    seconds = time.perf_counter() - started
    check(dest.stat().st_size == item.size, "HashingWriter's copy has the wrong size")
    dest.unlink()
    return seconds, sink.sha256


def hash_only(item: Clip) -> tuple[float, str]:
    started = time.perf_counter()
    digest = hashlib.sha256()
    for block in _chunks(item.path, BLOCK):
        digest.update(block)
    return time.perf_counter() - started, digest.hexdigest()


def hash_write_fsync(item: Clip, dest: Path) -> tuple[float, str]:
    dest.unlink(missing_ok=True)
    started = time.perf_counter()
    digest = hashlib.sha256()
    with dest.open("xb") as out:
        for block in _chunks(item.path, BLOCK):
            digest.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    seconds = time.perf_counter() - started
    dest.unlink()
    return seconds, digest.hexdigest()


def coreutils(item: Clip) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        ["sha256sum", str(item.path)], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, done.stdout.split()[0]


def _checked(item: Clip, timed: tuple[float, str]) -> Sample:
    seconds, digest = timed
    check(digest == item.sha256, f"digest {digest} != sha256sum's {item.sha256}")
    return {"seconds": seconds}


async def run(report: Report) -> None:
    item = video(SIZE_MB)
    dest = CACHE / "hash-copy"
    log(f"reading {item.name} once so every variant starts from the page cache")
    for _ in _chunks(item.path, BLOCK):
        pass
    variants = {
        "HashingWriter": lambda: _checked(item, ours(item, dest)),
        "hashlib": lambda: _checked(item, hash_only(item)),
        "hashlib+write+fsync": lambda: _checked(item, hash_write_fsync(item, dest)),
        "sha256sum": lambda: _checked(item, coreutils(item)),
    }
    samples = await interleave(variants, REPS, warmup=1)
    seconds = {name: s["seconds"] for name, s in samples.items()}
    size = megabytes(item.size)
    table = report.table(
        f"hash: SHA-256 of a {size} file (page cache warm)",
        "variant", "median", "p95", "MB/s", "ours / this",
    )  # fmt: skip
    described = {
        "HashingWriter": f"HashingWriter, {STREAM_CHUNK // 1024} KiB chunks "
        "(hash + write + fsync)",
        "hashlib": f"hashlib.sha256, {BLOCK // MiB} MiB blocks (hash only)",
        "hashlib+write+fsync": f"hashlib.sha256 + write + fsync, {BLOCK // MiB} MiB",
        "sha256sum": "sha256sum (coreutils), for reference",
    }
    for name, values in seconds.items():
        table.add(
            described[name], secs(median(values)), secs(p95(values)),
            f"{item.size / 1e6 / median(values):.0f}",
            times(ratio(seconds["HashingWriter"], values)),
        )  # fmt: skip
    report.ratio(
        "hash: HashingWriter / hashlib (hash only)",
        ratio(seconds["HashingWriter"], seconds["hashlib"]),
        "time; includes writing and fsyncing the copy the baseline does not make",
    )
    report.ratio(
        "hash: HashingWriter / hashlib + write + fsync",
        ratio(seconds["HashingWriter"], seconds["hashlib+write+fsync"]),
        "time for the same work; 1.00 means no overhead of our own",
    )
    report.config = {"size": item.size, "reps": REPS, "warmup": 1}
    report.samples = seconds
    report.notes.append(
        "Every digest is compared with sha256sum's; the copy's size is checked."
    )


if __name__ == "__main__":
    main("hash", run)
