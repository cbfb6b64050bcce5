"""Mutation results: a success type per mutation, unioned with its error types."""

from typing import Annotated

import strawberry

from gql_media.schema.assets.types import Asset
from gql_media.schema.common.errors import (
    FetchFailedError,
    ForbiddenError,
    ForbiddenUrlError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    TooLargeError,
)
from gql_media.schema.jobs.types import Job


@strawberry.type
class UploadAssetSuccess:
    asset: Asset
    job: Job | None = strawberry.field(description="Null when isDuplicate.")
    is_duplicate: bool = strawberry.field(
        description="The owner already had these bytes; `asset` is that asset."
    )


@strawberry.type
class ImportAssetSuccess:
    asset: Asset = strawberry.field(
        description="The new PENDING asset; if the download turns out to be a "
        "duplicate, `job.asset` becomes the existing asset."
    )
    job: Job


@strawberry.type
class AssetSuccess:
    asset: Asset


@strawberry.type
class UpdateAssetSuccess(AssetSuccess):
    pass


@strawberry.type
class ArchiveAssetSuccess(AssetSuccess):
    pass


@strawberry.type
class RestoreAssetSuccess(AssetSuccess):
    pass


@strawberry.type
class DeleteAssetSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class RegenerateThumbnailSuccess:
    asset: Asset
    job: Job


UploadAssetResult = Annotated[
    UploadAssetSuccess | InvalidInputError | TooLargeError | ForbiddenError,
    strawberry.union("UploadAssetResult"),
]
ImportAssetResult = Annotated[
    ImportAssetSuccess
    | InvalidInputError
    | ForbiddenUrlError
    | FetchFailedError
    | TooLargeError
    | ForbiddenError,
    strawberry.union("ImportAssetResult"),
]
UpdateAssetResult = Annotated[
    UpdateAssetSuccess | NotFoundError | InvalidInputError | ForbiddenError,
    strawberry.union("UpdateAssetResult"),
]
ArchiveAssetResult = Annotated[
    ArchiveAssetSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("ArchiveAssetResult"),
]
RestoreAssetResult = Annotated[
    RestoreAssetSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("RestoreAssetResult"),
]
DeleteAssetResult = Annotated[
    DeleteAssetSuccess | NotFoundError | ForbiddenError,
    strawberry.union("DeleteAssetResult"),
]
RegenerateThumbnailResult = Annotated[
    RegenerateThumbnailSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | ForbiddenError,
    strawberry.union("RegenerateThumbnailResult"),
]


@strawberry.type
class CleanupStorageSuccess:
    job: Job = strawberry.field(description="The CLEANUP_STORAGE job.")


CleanupStorageResult = Annotated[
    CleanupStorageSuccess | InvalidStateError | ForbiddenError,
    strawberry.union("CleanupStorageResult"),
]
