"""Loaders of the publishing domain: an asset's publications, one query per batch."""

from uuid import UUID

from gql_media import models


async def publications_by_asset_id(ids: list[str]) -> list[list[models.Publication]]:
    rows = await models.Publication.filter(
        asset_id__in=[UUID(i) for i in ids]
    ).order_by("platform")
    found: dict[str, list[models.Publication]] = {i: [] for i in ids}
    for row in rows:
        found[str(row.asset_id)].append(row)  # type: ignore[attr-defined]
    return [found[i] for i in ids]
