"""TGA (Truevision Targa) images, recognized by a checked header.

TGA has no magic number, so ffprobe finds one only by a ".tga" file name, and a
stored blob or a job's temp file has none. A file ffprobe cannot read is taken for
a TGA when its 18-byte header is coherent (an image type ffmpeg decodes, a real
size and depth, no interleaving, enough bytes for the pixels it announces) and
either the client said TGA (a file name, a URL path or a Content-Type) or the file
ends with the TGA 2.0 footer. Random bytes named .tga fail the header check and
stay refused like any unreadable file.
"""

import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

HEADER_BYTES = 18
FOOTER = b"TRUEVISION-XFILE.\0"
_FOOTER_BYTES = 26  # two 4-byte offsets, then the signature
SUFFIXES = (".tga", ".tpic", ".icb", ".vda", ".vst")
MIME_TYPES = frozenset(
    {
        "image/x-tga",
        "image/tga",
        "image/x-targa",
        "image/targa",
        "application/tga",
        "application/x-tga",
        "application/x-targa",
    }
)
# Image types ffmpeg's targa decoder reads: color-mapped, true-color and
# grayscale, each plain (1, 2, 3) or run-length encoded (+8).
_COLOR_MAPPED = frozenset({1, 9})
_TRUE_COLOR = frozenset({2, 10})
_GRAY = frozenset({3, 11})
_DEPTHS = {1: {8}, 2: {15, 16, 24, 32}, 3: {8}}
_MAP_ENTRY_BITS = frozenset({15, 16, 24, 32})
_RLE_RUN = 128  # pixels one RLE packet can hold at most


@dataclass(frozen=True)
class Header:
    """What a checked TGA header announces."""

    image_type: int
    width: int
    height: int
    depth: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def is_claimed(hints: tuple[str | None, ...]) -> bool:
    """Whether any hint (a file name, a URL, a Content-Type) says TGA."""
    for hint in hints:
        text = (hint or "").strip().lower()
        if not text:
            continue
        if text.split(";")[0].strip() in MIME_TYPES:
            return True
        if "://" in text:
            text = urlsplit(text).path
        if text.endswith(SUFFIXES):
            return True
    return False


def has_footer(tail: bytes) -> bool:
    return len(tail) >= _FOOTER_BYTES and tail.endswith(FOOTER)


def parse_header(head: bytes, size: int) -> Header | None:
    """The header of a plausible TGA file of `size` bytes, or None."""
    if len(head) < HEADER_BYTES or size <= HEADER_BYTES:
        return None
    (id_length, map_type, image_type, map_first, map_length, map_bits) = (
        struct.unpack_from("<BBBHHB", head, 0)
    )
    width, height, depth, descriptor = struct.unpack_from("<HHBB", head, 12)
    family = 1 if image_type in _COLOR_MAPPED else 2 if image_type in _TRUE_COLOR else 3
    if image_type not in _COLOR_MAPPED | _TRUE_COLOR | _GRAY or map_type not in (0, 1):
        return None
    if not width or not height or depth not in _DEPTHS[family]:
        return None
    # Bits 6-7: interleaving, which ffmpeg does not read; bits 0-3: alpha depth.
    if descriptor & 0xC0 or (descriptor & 0x0F) > 8:
        return None
    map_bytes = 0
    if map_type == 1:
        if map_bits not in _MAP_ENTRY_BITS or not map_length:
            return None
        map_bytes = map_length * ((map_bits + 7) // 8)
        if family == 1 and map_first + map_length > 256:
            return None  # more colors than 8-bit indexes can name
    elif family == 1:
        return None  # color-mapped without a color map
    data = size - HEADER_BYTES - id_length - map_bytes
    pixel_bytes = (depth + 7) // 8
    pixels = width * height
    if image_type < 8:
        needed = pixels * pixel_bytes
    else:
        needed = -(-pixels // _RLE_RUN) * (1 + pixel_bytes)
    if data < needed:
        return None
    return Header(image_type=image_type, width=width, height=height, depth=depth)


def recognize(path: Path, hints: tuple[str | None, ...]) -> Header | None:
    """The TGA header of the file at `path` when it is taken for a TGA (see the
    module docstring), else None. Reads 18 bytes and the last 26."""
    with path.open("rb") as file:
        head = file.read(HEADER_BYTES)
        size = file.seek(0, 2)
        header = parse_header(head, size)
        if header is None:
            return None
        if is_claimed(hints):
            return header
        file.seek(max(size - _FOOTER_BYTES, 0))
        return header if has_footer(file.read(_FOOTER_BYTES)) else None
