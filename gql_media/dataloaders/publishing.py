"""Loaders of the publishing domain: an asset's publications, one query per batch."""

from gql_media import models
from gql_media.dataloaders.batch import rows_grouped_by

publications_by_asset_id = rows_grouped_by(models.Publication, "asset_id", "platform")
