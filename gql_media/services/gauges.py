"""The metrics read from the database when /metrics is scraped: jobs by kind and
status, the queue's depth and oldest job, assets by status, stored bytes."""

from tortoise import Tortoise
from tortoise.functions import Count, Min

from gql_media import models
from gql_media.kit.clock import now
from gql_media.kit.metrics import (
    ASSETS,
    JOBS,
    QUEUE_DEPTH,
    QUEUE_OLDEST_SECONDS,
    STORAGE_BYTES,
)

# Each blob counted once, however many live assets share it.
_STORED_BYTES = (
    "SELECT COALESCE(SUM(size_bytes), 0) AS total FROM ("
    "SELECT DISTINCT storage_key, size_bytes FROM asset "
    "WHERE deleted_at IS NULL AND storage_key IS NOT NULL AND size_bytes IS NOT NULL"
    ") AS blobs"
)


async def refresh() -> None:
    """Set the database gauges to what the rows say now (a few aggregate queries)."""
    counts = {
        (row["kind"], row["status"]): row["n"]
        for row in await models.Job.annotate(n=Count("id"))
        .group_by("kind", "status")
        .values("kind", "status", "n")
    }
    for kind in models.JobKind:
        for status in models.JobStatus:
            JOBS.labels(kind.value, status.value).set(counts.get((kind, status), 0))
    queued = (
        await models.Job.filter(status=models.JobStatus.QUEUED)
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .first()
        .values("n", "oldest")
    )
    QUEUE_DEPTH.set(queued["n"] if queued else 0)
    oldest = queued["oldest"] if queued else None
    QUEUE_OLDEST_SECONDS.set((now() - oldest).total_seconds() if oldest else 0.0)
    assets = {
        row["status"]: row["n"]
        for row in await models.Asset.filter(deleted_at=None)
        .annotate(n=Count("id"))
        .group_by("status")
        .values("status", "n")
    }
    for asset_status in models.AssetStatus:
        ASSETS.labels(asset_status.value).set(assets.get(asset_status, 0))
    rows = await Tortoise.get_connection("default").execute_query_dict(_STORED_BYTES)
    STORAGE_BYTES.set(int(rows[0]["total"]) if rows else 0)
