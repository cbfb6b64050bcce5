"""The container formats we accept and the flags that keep ffmpeg/ffprobe local."""

from pathlib import Path

# Demuxer names exactly as ffmpeg spells them (and as ffprobe reports `format_name`).
# Each reads one self-contained local file. Left out on purpose: hls, dash and
# every other playlist or network demuxer (they open further URLs named inside the
# file), concat/ffconcat (scripts that name other files), tty (renders any text),
# lavfi and devices (synthesize or capture input), and anything else not listed.
VIDEO_DEMUXERS = frozenset(
    {
        "mov,mp4,m4a,3gp,3g2,mj2",
        "matroska,webm",
        "avi",
        "mpegts",
        "mpeg",
        "flv",
        "ogg",
        "asf",  # WMV and ASF (Windows Media)
    }
)
AUDIO_DEMUXERS = frozenset({"wav", "aiff", "mp3", "aac", "flac"})
# Demuxers that read one still picture (a GIF may also be animated).
IMAGE_DEMUXERS = frozenset(
    {
        "image2",
        "png_pipe",
        "jpeg_pipe",
        "webp_pipe",
        "bmp_pipe",
        "tiff_pipe",
        "gif",
        "gif_pipe",
        "exr_pipe",  # OpenEXR, the VFX interchange format
    }
)
DEMUXERS = VIDEO_DEMUXERS | AUDIO_DEMUXERS | IMAGE_DEMUXERS

# `-format_whitelist` matches comma-separated names one by one, so joining the full
# demuxer names admits exactly these demuxers and no others.
FORMAT_WHITELIST = ",".join(sorted(DEMUXERS))
PROTOCOL_WHITELIST = "file,pipe"

# Before any input or output. ffprobe has no -nostdin; run_tool gives it /dev/null.
COMMON_FLAGS = ("-hide_banner", "-loglevel", "error")
FFMPEG_FLAGS = ("-nostdin", *COMMON_FLAGS)
# AVFormatContext options, given as input options: they apply to the input and to
# anything a demuxer tries to open from inside it.
INPUT_OPTIONS = {
    "protocol_whitelist": PROTOCOL_WHITELIST,
    "format_whitelist": FORMAT_WHITELIST,
}
INPUT_FLAGS = tuple(
    part for name, value in INPUT_OPTIONS.items() for part in (f"-{name}", value)
)

# TGA has no magic number (`media/targa.py`): a file recognized as one is read by
# the image2 demuxer, with no file-name pattern. ffprobe then picks the targa
# decoder by a ".tga" name; ffmpeg can be told the decoder outright.
TGA_PROBE_FLAGS = ("-f", "image2", "-pattern_type", "none")
_TGA_INPUT_OPTIONS = {"f": "image2", "pattern_type": "none", "c:v": "targa"}


def input_options_for(codec: str | None) -> dict[str, str]:
    """Input options ffmpeg needs to read a file it cannot recognize by itself,
    given the codec the probe found (so far only TGA)."""
    return dict(_TGA_INPUT_OPTIONS) if codec == "targa" else {}


_MIME_BY_DEMUXER = {
    "avi": "video/x-msvideo",
    "mpegts": "video/mp2t",
    "mpeg": "video/mpeg",
    "flv": "video/x-flv",
    "wav": "audio/wav",
    "aiff": "audio/aiff",
    "mp3": "audio/mpeg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "png_pipe": "image/png",
    "jpeg_pipe": "image/jpeg",
    "webp_pipe": "image/webp",
    "bmp_pipe": "image/bmp",
    "tiff_pipe": "image/tiff",
    "gif": "image/gif",
    "gif_pipe": "image/gif",
    "exr_pipe": "image/x-exr",
}
_MIME_BY_IMAGE_CODEC = {
    "mjpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "gif": "image/gif",
    "exr": "image/x-exr",
    "targa": "image/x-tga",
}
_WEBM_CODECS = frozenset({"vp8", "vp9", "av1", "opus", "vorbis"})


def file_url(path: Path) -> str:
    """Name a local file so that ffmpeg can only read it as a plain file.

    The `file:` prefix and an absolute path keep a name such as `-i`, `concat:a|b`
    or `http://x` from being taken as an option or another protocol.

    Raises:
        ValueError: the path contains `%`, which the image2 demuxer and muxer
            would expand into a sequence of sibling files. Paths are built by the
            server, so this is a bug rather than bad input.
    """
    absolute = str(path.resolve())
    if "%" in absolute:
        raise ValueError(f"refusing a media path with '%' in it: {absolute!r}")
    return f"file:{absolute}"


def is_allowed(format_name: str) -> bool:
    """Whether a demuxer name reported by ffprobe is on the allowlist."""
    return format_name in DEMUXERS


def guess_mime(
    format_name: str, *, codecs: list[str], brand: str | None, has_video: bool
) -> str:
    """Guess the MIME type from the demuxer, the stream codecs and the MP4 brand."""
    if format_name == "mov,mp4,m4a,3gp,3g2,mj2":
        brand = (brand or "").strip().lower()
        if brand == "qt":
            return "video/quicktime"
        if brand.startswith("3g"):
            return "video/3gpp" if has_video else "audio/3gpp"
        return "video/mp4" if has_video else "audio/mp4"
    if format_name == "matroska,webm":
        flavour = "webm" if codecs and set(codecs) <= _WEBM_CODECS else "x-matroska"
        return f"video/{flavour}" if has_video else f"audio/{flavour}"
    if format_name == "asf":
        windows_media = any(c.startswith("wmv") for c in codecs)
        return "video/x-ms-wmv" if windows_media else "video/x-ms-asf"
    if format_name == "ogg":
        return "video/ogg" if has_video else "audio/ogg"
    if format_name == "image2":
        return next(
            (_MIME_BY_IMAGE_CODEC[c] for c in codecs if c in _MIME_BY_IMAGE_CODEC),
            "application/octet-stream",
        )
    return _MIME_BY_DEMUXER.get(format_name, "application/octet-stream")
