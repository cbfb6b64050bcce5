"""The per-owner storage quota (GQL_MEDIA_LIMITS__OWNER_QUOTA_BYTES), checked
before any byte of a new file is stored.

Uploads that send their bytes later (tus, presigned S3 parts) are checked when
they are opened, counting the owner's other open uploads as already spent, so
parallel uploads cannot together pass the quota; they are checked again when
they complete, against what is stored by then.
"""

from tortoise.functions import Sum

from gql_media import models
from gql_media.errors import QuotaExceeded
from gql_media.kit.clock import now
from gql_media.models import DirectUploadStatus
from gql_media.runtime import Runtime


async def used_bytes(owner_id: str) -> int:
    """Bytes of the owner's stored files: one live asset per content (the dedup
    index), so each blob counts once."""
    row = (
        await models.Asset.filter(
            owner_id=owner_id, deleted_at=None, storage_key__isnull=False
        )
        .annotate(total=Sum("size_bytes"))
        .first()
        .values("total")
    )
    return int((row or {}).get("total") or 0)


async def open_direct_bytes(owner_id: str) -> int:
    """Bytes declared by the owner's presigned uploads still open (PENDING, with
    part links not yet expired)."""
    row = (
        await models.DirectUpload.filter(
            owner_id=owner_id,
            status=DirectUploadStatus.PENDING,
            expires_at__gt=now(),
        )
        .annotate(total=Sum("size_bytes"))
        .first()
        .values("total")
    )
    return int((row or {}).get("total") or 0)


def enabled(runtime: Runtime) -> bool:
    """Whether a quota is set (else nothing needs counting)."""
    return runtime.settings.limits.owner_quota_bytes is not None


async def check(
    runtime: Runtime, owner_id: str, adding: int, *, pending: int = 0
) -> None:
    """QuotaExceeded when storing `adding` more bytes would pass the quota (a
    URL of unknown size is refused only once the quota is full).

    Args:
        pending: bytes of the owner's open uploads, counted as stored.
    """
    quota = runtime.settings.limits.owner_quota_bytes
    if quota is None:
        return
    used = await used_bytes(owner_id)
    if used + pending + adding > quota or used >= quota:
        in_flight = f", {pending} in uploads still open" if pending else ""
        raise QuotaExceeded(
            f"the storage quota is full: {used} of {quota} bytes used{in_flight}, "
            f"{adding} more asked for",
            limit=quota,
        )
