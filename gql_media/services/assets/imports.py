"""Starting URL imports: refuse bad URLs at once, then queue the download."""

from gql_media import models
from gql_media.media.urls import check_url_syntax, resolve_and_check
from gql_media.runtime import Runtime
from gql_media.services.assets import library as assets
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
    """
    parsed = check_url_syntax(url)
    await resolve_and_check(
        parsed.host, parsed.port, runtime.settings.import_.allow_networks
    )
    return await assets.create_for_import(runtime, owner_id, url, details)
