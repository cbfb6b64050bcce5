"""The one place a field turns a storage key into a time-limited link.

A key is signed once per request (`Loaders.links`): a tree that shows one video in
ten places signs it once, and a field whose link was signed ahead (a tree read signs
its thumbnails as a batch) answers without a coroutine of its own. A signed link is
reused for a minute at most (half the TTL if that is shorter), so a subscription
whose context outlives many events still sends fresh links.
"""

import logging
import time
from collections.abc import Iterable

from gql_media.schema.common.context import Info
from gql_media.schema.common.reads import deferred

logger = logging.getLogger(__name__)

REUSE_SECONDS = 60.0


async def signed_link(
    info: Info, key: str | None, filename: str | None = None
) -> str | None:
    """A link to `key` valid for the configured TTL (None without a key).

    S3 gives a presigned URL, local storage `/files/<key>` with an HMAC-signed
    expiry; `filename` names the download.
    """
    if not key:
        return None
    link = _reusable(info, key, filename)
    if link is None:
        runtime = info.context.runtime
        link = await runtime.storage.url(
            key, runtime.settings.url_ttl_seconds, filename=filename
        )
        info.context.loaders.links[key, filename] = (link, time.monotonic())
    return link


def link_now(info: Info, key: str | None, filename: str | None = None) -> str | None:
    """`signed_link` for a plain resolver: the link itself when this request has
    signed it already, else an awaitable that signs it."""
    if not key:
        return None
    link = _reusable(info, key, filename)
    if link is not None:
        return link
    return deferred(signed_link(info, key, filename))


async def sign_ahead(info: Info, keys: Iterable[str | None]) -> None:
    """Sign the links of `keys` (file name None) now, so `link_now` finds them.

    Best effort: if the storage fails, the fields sign for themselves and each
    reports the error where it would have without this.
    """
    try:
        for key in keys:
            await signed_link(info, key)
    except Exception:
        logger.debug("signing links ahead failed; the fields sign", exc_info=True)


def _reusable(info: Info, key: str, filename: str | None) -> str | None:
    signed = info.context.loaders.links.get((key, filename))
    if signed is None:
        return None
    link, at = signed
    ttl = info.context.runtime.settings.url_ttl_seconds
    if time.monotonic() - at >= min(REUSE_SECONDS, ttl / 2):
        return None
    return link
