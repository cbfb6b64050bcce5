"""Make small media files, good and hostile, with the real ffmpeg at test time."""

import atexit
import hashlib
import random
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

FFMPEG = "ffmpeg"
_QUIET = ("-nostdin", "-hide_banner", "-loglevel", "error", "-y")
# Generated clips by their ffmpeg arguments, made once per test process: ffmpeg
# is deterministic for these synthetic sources, so a copy is the same file a new
# run would make, and the suite stops encoding the same clip dozens of times.
_MADE = Path(tempfile.mkdtemp(prefix="gql-media-test-media-"))
atexit.register(shutil.rmtree, _MADE, ignore_errors=True)


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly (overwriting outputs) and fail on a non-zero exit."""
    subprocess.run([FFMPEG, *_QUIET, *args], check=True, timeout=60)


def _generated(args: Sequence[str], path: Path) -> Path:
    """`ffmpeg *args path` of a synthetic source, made once and copied to `path`."""
    key = hashlib.sha256("\0".join([*args, path.suffix]).encode()).hexdigest()
    made = _MADE / f"{key}{path.suffix}"
    if not made.exists():
        partial = made.with_name(f"partial-{key}{path.suffix}")
        ffmpeg(*args, str(partial))
        partial.rename(made)
    shutil.copyfile(made, path)
    return path


def make_video(
    path: Path,
    *,
    width: int = 1280,
    height: int = 720,
    fps: int | str = 30,
    seconds: float = 2.0,
    codec: str = "libx264",
    audio: bool = False,
    faststart: bool = True,
) -> Path:
    """A testsrc2 clip, with a sine tone when `audio`, in the suffix's container."""
    args = ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", codec, "-pix_fmt", "yuv420p"]
    if codec == "libx264":
        args += ["-preset", "ultrafast"]
    if audio:
        args += ["-c:a", "aac" if path.suffix in (".mp4", ".mov") else "libopus"]
        args += ["-shortest"]
    if faststart and path.suffix in (".mp4", ".mov"):
        args += ["-movflags", "+faststart"]
    return _generated(args, path)


def make_image(path: Path, width: int = 320, height: int = 180) -> Path:
    """One testsrc2 frame as PNG or JPEG, chosen by the suffix."""
    args = ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}", "-frames:v", "1",
            "-update", "1"]  # fmt: skip
    return _generated(args, path)


def make_audio(path: Path, seconds: float = 1.0) -> Path:
    """A sine tone as MP3 or WAV, chosen by the suffix."""
    args = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    return _generated(args, path)


def make_hls_playlist_attack(
    path: Path, segments: Sequence[str] = ("file:///etc/passwd", "/etc/passwd")
) -> Path:
    """An HLS playlist (whatever the file is named) whose segments are local files."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10"]
    lines.append("#EXT-X-MEDIA-SEQUENCE:0")
    for segment in segments:
        lines += ["#EXTINF:2.0,", segment]
    lines.append("#EXT-X-ENDLIST")
    path.write_text("\n".join(lines) + "\n")
    return path


def make_ffconcat_attack(
    path: Path, entries: Sequence[str] = ("/etc/passwd", "/etc/hostname")
) -> Path:
    """An ffconcat script that names other files (absolute paths by default)."""
    body = "".join(f"file '{entry}'\n" for entry in entries)
    path.write_text("ffconcat version 1.0\n" + body)
    return path


def make_truncated_mp4(src: Path, dest: Path) -> Path:
    """The first half of an MP4 whose moov index is at the end, so it is lost."""
    data = src.read_bytes()
    if data.find(b"moov") < data.find(b"mdat"):
        raise ValueError(f"{src} has moov first; make it with faststart=False")
    dest.write_bytes(data[: len(data) // 2])
    return dest


def make_undecodable_mp4(path: Path, *, seconds: float = 3.0) -> Path:
    """A faststart MP4 whose index is whole but whose frames are zeroed: ffprobe
    reads it (a 1280x720 H.264 video), ffmpeg decodes no picture from it. Lossless,
    so a few seconds make several MiB (a multipart upload with the smallest parts).
    """
    whole = path.with_name(path.stem + "-whole.mp4")
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=30:d={seconds}",
           "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0",
           "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(whole))  # fmt: skip
    data = bytearray(whole.read_bytes())
    whole.unlink()
    start = data.find(b"mdat") + 4
    data[start:] = bytes(len(data) - start)
    path.write_bytes(data)
    return path


def make_subtitles_only(path: Path) -> Path:
    """A Matroska file with a subtitle stream and no audio or video."""
    srt = path.with_suffix(".srt")
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhello\n")
    ffmpeg("-i", str(srt), "-c:s", "srt", str(path))
    srt.unlink()
    return path


def make_text_as_mp4(path: Path) -> Path:
    """A plain text file with a video name."""
    path.write_text("This is not a video.\nJust some words in a file.\n" * 20)
    return path


def make_random_bytes(path: Path, n: int = 64 * 1024, *, seed: int = 7) -> Path:
    """`n` pseudo-random bytes, the same every run so a test cannot flake."""
    path.write_bytes(random.Random(seed).randbytes(n))
    return path


TGA_FOOTER_BYTES = 26


def make_tga(
    path: Path,
    *,
    pix_fmt: str = "bgr24",
    rle: bool = True,
    footer: bool = True,
    width: int = 160,
    height: int = 90,
) -> Path:
    """One testsrc2 frame as a TGA. ffmpeg writes the 2.0 footer
    ("TRUEVISION-XFILE."); without `footer` it is cut off, as in a TGA 1.0 file,
    which then has nothing but its header to be recognized by."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=s={width}x{height}", "-frames:v", "1",
           "-pix_fmt", pix_fmt, "-rle", "1" if rle else "0", "-f", "image2",
           "-c:v", "targa", "-update", "1", str(path))  # fmt: skip
    if not footer:
        data = path.read_bytes()
        assert data.endswith(b"TRUEVISION-XFILE.\0"), "ffmpeg wrote no TGA footer"
        path.write_bytes(data[:-TGA_FOOTER_BYTES])
    return path


def make_forged_tga(path: Path, *, image_type: int = 10, extra: int = 500) -> Path:
    """A coherent TGA header (160x90, 24 bits, no footer) over random bytes: what
    a hostile client makes to pass the header check."""
    header = bytes([0, 0, image_type, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    header += (160).to_bytes(2, "little") + (90).to_bytes(2, "little") + b"\x18\x00"
    pixels = 0 if image_type >= 8 else 160 * 90 * 3
    path.write_bytes(header + random.Random(11).randbytes(pixels + extra))
    return path
