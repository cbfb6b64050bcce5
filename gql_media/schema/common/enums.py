"""GraphQL enums, mirroring the model enums."""

from enum import Enum

import strawberry

from gql_media import models

AssetKind = strawberry.enum(models.AssetKind, description="What a media file holds.")
AssetStatus = strawberry.enum(
    models.AssetStatus, description="PENDING -> PROCESSING -> READY or FAILED."
)
SourceType = strawberry.enum(models.SourceType, description="How an asset arrived.")
JobKind = strawberry.enum(models.JobKind, description="What a job does.")
JobStatus = strawberry.enum(
    models.JobStatus, description="QUEUED -> RUNNING -> SUCCEEDED, FAILED or CANCELED."
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


GenerationSourceType = strawberry.enum(
    models.GenerationSourceType, description="Where a generation's source video is."
)
GenerationStatus = strawberry.enum(
    models.GenerationStatus,
    description="Of a generation and of a variant: PENDING -> PROCESSING -> "
    "COMPLETED or FAILED.",
)
SceneStatus = strawberry.enum(
    models.SceneStatus, description="PENDING -> PROCESSING -> READY or FAILED."
)
MetadataKind = strawberry.enum(
    models.MetadataKind,
    description="The JSON documents kept per generation, one of each kind.",
)


@strawberry.enum(description="Sort orders of the generations list.")
class GenerationOrder(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"
    NAME_ASC = "name_asc"
