"""The per-owner storage quota (GQL_MEDIA_LIMITS__OWNER_QUOTA_BYTES), checked
before any byte of a new file is stored."""

from tortoise.functions import Sum

from gql_media import models
from gql_media.errors import QuotaExceeded
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


async def check(runtime: Runtime, owner_id: str, adding: int) -> None:
    """QuotaExceeded when storing `adding` more bytes would pass the quota (a
    URL of unknown size is refused only once the quota is full)."""
    quota = runtime.settings.limits.owner_quota_bytes
    if quota is None:
        return
    used = await used_bytes(owner_id)
    if used + adding > quota or used >= quota:
        raise QuotaExceeded(
            f"the storage quota is full: {used} of {quota} bytes used, "
            f"{adding} more asked for",
            limit=quota,
        )
