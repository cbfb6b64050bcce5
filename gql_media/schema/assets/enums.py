"""The asset enums: the model enums themselves, and the list's sort orders.

`strawberry.enum` marks a model enum in place, so a type checker sees the real
class (a variable holding a wrapped copy would not be a type).
"""

from enum import Enum

import strawberry

from gql_media.models import AssetKind, AssetStatus, SourceType

strawberry.enum(AssetKind, description="What a media file holds.")
strawberry.enum(AssetStatus, description="PENDING -> PROCESSING -> READY or FAILED.")
strawberry.enum(SourceType, description="How an asset arrived.")


@strawberry.enum(
    description="Sort orders of the assets list. RELEVANCE (best match first) "
    "applies to a `text` search, and is its default."
)
class AssetOrder(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    SIZE_DESC = "size_desc"
    SIZE_ASC = "size_asc"
    DURATION_DESC = "duration_desc"
    DURATION_ASC = "duration_asc"
    NAME_ASC = "name_asc"
    RELEVANCE = "relevance"


__all__ = ["AssetKind", "AssetOrder", "AssetStatus", "SourceType"]
