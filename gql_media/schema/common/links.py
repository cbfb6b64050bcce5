"""The one place a field turns a storage key into a time-limited link."""

from gql_media.schema.common.context import Info


async def signed_link(
    info: Info, key: str | None, filename: str | None = None
) -> str | None:
    """A link to `key` valid for the configured TTL (None without a key).

    S3 gives a presigned URL, local storage `/files/<key>` with an HMAC-signed
    expiry; `filename` names the download.
    """
    if not key:
        return None
    runtime = info.context.runtime
    return await runtime.storage.url(
        key, runtime.settings.url_ttl_seconds, filename=filename
    )
