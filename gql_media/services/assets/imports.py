"""Starting URL imports: refuse bad URLs at once, then queue the download."""

from gql_media import models
from gql_media.media.urls import ParsedUrl, check_url_syntax, resolve_and_check
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
from gql_media.services.assets import quota
from gql_media.services.assets.validation import AssetDetails


async def start_import(
    runtime: Runtime, owner_id: str, url: str, details: AssetDetails
) -> tuple[models.Asset, models.Job]:
    """Check `url` and queue its import; nothing is written for a refused URL.

    The job checks every address again when it connects (DNS may change between
    now and then); this early check gives the client its FORBIDDEN_URL at once.

    Raises:
        ForbiddenUrl: a scheme other than http(s), or an address that is not public
            and not in the allowed networks.
        FetchFailed: the host name does not resolve.
        QuotaExceeded: the owner's storage quota is full.
    """
    await check_url(runtime, url)
    await quota.check(runtime, owner_id, 0)  # the size is known once downloaded
    return await assets.create_for_import(runtime, owner_id, url, details)


async def check_url(runtime: Runtime, url: str) -> ParsedUrl:
    """Refuse a URL before anything is written for it (see `check_hosts`)."""
    parsed = check_url_syntax(url)
    await check_hosts(runtime, [parsed])
    return parsed


async def check_hosts(runtime: Runtime, urls: list[ParsedUrl]) -> None:
    """Resolve each distinct host once and refuse addresses that are not public
    and not in the allowed networks.

    Call outside a transaction: SQLite's holds the process's one connection, so
    a slow DNS answer inside it would stall every request.

    Raises:
        ForbiddenUrl: an address that is not public and not allowed.
        FetchFailed: a host name that does not resolve.
    """
    allowed = runtime.settings.import_.allow_networks
    for host, port in dict.fromkeys((u.host, u.port) for u in urls):
        await resolve_and_check(host, port, allowed)
