"""GraphQL enums, mirroring the model enums."""

from enum import Enum

import strawberry

from gql_media.models import (
    AssetKind,
    AssetStatus,
    GenerationSourceType,
    GenerationStatus,
    JobKind,
    JobStatus,
    MetadataKind,
    SceneStatus,
    SourceType,
)

# The model enums are the GraphQL enums: `strawberry.enum` marks the class in
# place, so a type checker sees the real class (a variable would not be a type).
strawberry.enum(AssetKind, description="What a media file holds.")
strawberry.enum(AssetStatus, description="PENDING -> PROCESSING -> READY or FAILED.")
strawberry.enum(SourceType, description="How an asset arrived.")
strawberry.enum(JobKind, description="What a job does.")
strawberry.enum(
    JobStatus, description="QUEUED -> RUNNING -> SUCCEEDED, FAILED or CANCELED."
)


@strawberry.enum(description="Sort orders of the assets list.")
class AssetOrder(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    SIZE_DESC = "size_desc"
    SIZE_ASC = "size_asc"
    DURATION_DESC = "duration_desc"
    DURATION_ASC = "duration_asc"
    NAME_ASC = "name_asc"


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
    "AssetKind",
    "AssetOrder",
    "AssetStatus",
    "GenerationOrder",
    "GenerationSourceType",
    "GenerationStatus",
    "JobKind",
    "JobStatus",
    "MetadataKind",
    "SceneStatus",
    "SourceType",
]
