"""The one place a field turns a storage key into a time-limited link.

A key is signed once per request (`Loaders.links`): a tree that shows one video in
ten places signs it once, and a field whose link was signed ahead (a tree read signs
its thumbnails as a batch) answers without a coroutine of its own.
"""

import logging
from collections.abc import Iterable

from gql_media.schema.common.context import Info
from gql_media.schema.common.reads import deferred

logger = logging.getLogger(__name__)


async def signed_link(
    info: Info, key: str | None, filename: str | None = None
) -> str | None:
    """A link to `key` valid for the configured TTL (None without a key).

    S3 gives a presigned URL, local storage `/files/<key>` with an HMAC-signed
    expiry; `filename` names the download.
    """
    if not key:
        return None
    links = info.context.loaders.links
    link = links.get((key, filename))
    if link is None:
        runtime = info.context.runtime
        link = links[key, filename] = await runtime.storage.url(
            key, runtime.settings.url_ttl_seconds, filename=filename
        )
    return link


def link_now(info: Info, key: str | None, filename: str | None = None) -> str | None:
    """`signed_link` for a plain resolver: the link itself when this request has
    signed it already, else an awaitable that signs it."""
    if not key:
        return None
    link = info.context.loaders.links.get((key, filename))
    if link is not None:
        return link
    return deferred(signed_link(info, key, filename))


async def sign_ahead(info: Info, keys: Iterable[str | None]) -> None:
    """Sign the links of `keys` (file name None) now, so `link_now` finds them.

    Best effort: if the storage fails, the fields sign for themselves and each
    reports the error where it would have without this.
    """
    links = info.context.loaders.links
    try:
        for key in keys:
            if key and (key, None) not in links:
                await signed_link(info, key)
    except Exception:
        logger.debug("signing links ahead failed; the fields sign", exc_info=True)
