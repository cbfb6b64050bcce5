"""Retention: archived assets are deleted N days after they were archived
(`GQL_MEDIA_RETENTION__PURGE_ARCHIVED_AFTER_DAYS`), once a day.

The distributed mode runs it as an arq cron job on the workers (unique: one
worker per day); the embedded mode runs `purge_daily` beside the server.
"""

import asyncio
import logging
from datetime import timedelta

from gql_media import models
from gql_media.kit.clock import now
from gql_media.runtime import Runtime
from gql_media.services.assets import library

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600


async def purge_archived(runtime: Runtime) -> int:
    """Delete (as `deleteAsset` does) the archived assets past their retention;
    returns how many. Does nothing when no retention is set."""
    days = runtime.settings.retention.purge_archived_after_days
    if days is None:
        return 0
    cutoff = now() - timedelta(days=days)
    expired = await models.Asset.filter(
        deleted_at=None, archived_at__isnull=False, archived_at__lt=cutoff
    ).values_list("id", "owner_id")
    for asset_id, owner_id in expired:
        await library.delete(runtime, owner_id, str(asset_id))
        logger.info(
            "retention: deleted asset %s, archived over %d days", asset_id, days
        )
    return len(expired)


async def purge_daily(runtime: Runtime) -> None:
    """The embedded mode's periodic task: purge now, then once a day."""
    while True:
        try:
            await purge_archived(runtime)
        except Exception:
            logger.exception("retention: purge failed; trying again tomorrow")
        await asyncio.sleep(DAY_SECONDS)
