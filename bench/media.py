"""Generated media for the benchmarks, made once with ffmpeg and cached in
bench/.cache (git-ignored), so repeated runs time the same bytes."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.common import CACHE, MB, log

MEDIA = CACHE / "media"
_QUIET = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
# Clips up to this size are encoded; larger ones repeat a 100 MB clip (stream copy),
# which takes seconds instead of minutes and is still one valid H.264 MP4.
_ENCODE_LIMIT = 200


def clip(megabytes: int) -> Path:
    """A 1280x720 H.264 MP4 of about `megabytes` MB (10**6 bytes).

    Ten seconds of noisy testsrc2: noise keeps x264 from compressing the clip below
    the bitrate that sets its size. Larger files loop the 100 MB clip.
    """
    path = MEDIA / f"clip-{megabytes}mb.mp4"
    if path.exists():
        return path
    MEDIA.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    log(f"generating {path.name} with ffmpeg (cached for later runs)")
    if megabytes <= _ENCODE_LIMIT:
        seconds = 10
        rate = f"{megabytes * 8000 // seconds}k"
        source = f"testsrc2=s=1280x720:r=30:d={seconds},noise=alls=60:allf=t+u"
        args = ["-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "ultrafast"]
        args += ["-b:v", rate, "-maxrate", rate, "-bufsize", rate, "-g", "30"]
        args += ["-pix_fmt", "yuv420p"]
    else:
        loops = max(1, round(megabytes / 100))
        args = ["-stream_loop", str(loops - 1), "-i", str(clip(100)), "-c", "copy"]
    args += ["-movflags", "+faststart", "-f", "mp4", str(partial)]
    subprocess.run([*_QUIET, *args], check=True, timeout=600)
    partial.rename(path)  # only a complete file ever carries the final name
    return path


def sha256_of(path: Path) -> str:
    """The reference checksum, by `sha256sum` (not our code), cached per file."""
    stamp = path.with_suffix(path.suffix + ".sha256")
    if stamp.exists() and stamp.stat().st_mtime >= path.stat().st_mtime:
        return stamp.read_text().strip()
    done = subprocess.run(
        ["sha256sum", str(path)], capture_output=True, text=True, check=True
    )
    digest = done.stdout.split()[0]
    stamp.write_text(digest + "\n")
    return digest


def size_mb(path: Path) -> float:
    return path.stat().st_size / MB


@dataclass(frozen=True)
class Clip:
    """A generated file with its reference checksum (by sha256sum) and size."""

    path: Path
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def video(megabytes: int) -> Clip:
    """`clip(megabytes)` with its checksum and size."""
    path = clip(megabytes)
    return Clip(path, sha256_of(path), path.stat().st_size)
