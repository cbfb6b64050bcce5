"""Storage keys, built only from server-side values (hashes and ids)."""

import re
import uuid

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def blob_key(sha256: str) -> str:
    """The content-addressed key of a blob: blobs/sha256/ab/cd/<hash>."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
    return f"blobs/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def thumbnail_key(sha256: str, width: int, at_ms: int) -> str:
    """The key of a JPEG thumbnail of a blob, at a width and a time in milliseconds.

    Derived from the content, so two assets with the same bytes share thumbnails
    and regenerating at another time does not overwrite one still in use.
    """
    blob_key(sha256)  # validates
    return f"thumbs/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}/w{width}_t{at_ms}.jpg"


def export_key(generation_id: object, job_id: object) -> str:
    """The key of a generation's ZIP export made by one job: exports/<gen>/<job>.zip."""
    gen, job = uuid.UUID(str(generation_id)), uuid.UUID(str(job_id))  # validates
    return f"exports/{gen}/{job}.zip"
