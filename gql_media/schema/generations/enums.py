"""The generation enums: the model enums themselves (see schema/assets/enums.py),
and the list's sort orders."""

from enum import Enum

import strawberry

from gql_media.models import (
    GenerationSourceType,
    GenerationStatus,
    MetadataKind,
    SceneStatus,
)

strawberry.enum(
    GenerationSourceType, description="Where a generation's source video is."
)
strawberry.enum(
    GenerationStatus,
    description="Of a generation and of a variant: PENDING -> PROCESSING -> "
    "COMPLETED or FAILED.",
)
strawberry.enum(SceneStatus, description="PENDING -> PROCESSING -> READY or FAILED.")
strawberry.enum(
    MetadataKind,
    description="The JSON documents kept per generation, one of each kind.",
)


@strawberry.enum(description="Sort orders of the generations list.")
class GenerationOrder(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"
    NAME_ASC = "name_asc"


__all__ = [
    "GenerationOrder",
    "GenerationSourceType",
    "GenerationStatus",
    "MetadataKind",
    "SceneStatus",
]
