"""The storage cleanup's report, as a CLEANUP_STORAGE job returns it."""

from typing import Any

import strawberry

from gql_media.schema.common.scalars import BigInt


@strawberry.type(description="What a storage cleanup found (and removed unless dry).")
class CleanupReport:
    dry_run: bool = strawberry.field(description="True: nothing was changed.")
    stray_blobs: int = strawberry.field(description="Blobs no live asset uses.")
    stray_blob_bytes: BigInt
    stray_thumbnails: int = strawberry.field(
        description="Thumbnails no live asset uses."
    )
    stray_thumbnail_bytes: BigInt
    missing_files: int = strawberry.field(
        description="READY assets whose blob was missing (marked FAILED, MISSING_FILE)."
    )
    temp_dirs: int = strawberry.field(description="Temp directories of dead jobs.")
    temp_bytes: BigInt
    skipped_young: int = strawberry.field(
        description="Unreferenced objects inside the grace period (left alone)."
    )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CleanupReport":
        return cls(
            dry_run=bool(data["dry_run"]),
            stray_blobs=int(data["stray_blobs"]),
            stray_blob_bytes=BigInt(int(data["stray_blob_bytes"])),
            stray_thumbnails=int(data["stray_thumbnails"]),
            stray_thumbnail_bytes=BigInt(int(data["stray_thumbnail_bytes"])),
            missing_files=int(data["missing_files"]),
            temp_dirs=int(data["temp_dirs"]),
            temp_bytes=BigInt(int(data["temp_bytes"])),
            skipped_young=int(data["skipped_young"]),
        )
