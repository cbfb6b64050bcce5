"""Mutation results of the reviews domain: a success type unioned with errors."""

from typing import Annotated

import strawberry

from gql_media.schema.assets.types import Asset
from gql_media.schema.common.errors import (
    ForbiddenError,
    ForbiddenUrlError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    TooLargeError,
)
from gql_media.schema.jobs.types import Job
from gql_media.schema.reviews.types import Annotation


@strawberry.type
class CreateAssetVersionSuccess:
    asset: Asset = strawberry.field(description="The new version, on its task.")
    job: Job | None = strawberry.field(
        description="The upload's processing or the URL's import; null otherwise."
    )


@strawberry.type
class VersionSuccess:
    asset: Asset


@strawberry.type
class PlaceAssetOnTaskSuccess(VersionSuccess):
    pass


@strawberry.type
class ReviewDecisionSuccess(VersionSuccess):
    pass


@strawberry.type
class AnnotationSuccess:
    annotation: Annotation


@strawberry.type
class DeleteAnnotationSuccess:
    deleted_id: strawberry.ID


CreateAssetVersionResult = Annotated[
    CreateAssetVersionSuccess
    | InvalidInputError
    | InvalidStateError
    | NotFoundError
    | ForbiddenUrlError
    | TooLargeError
    | ForbiddenError,
    strawberry.union("CreateAssetVersionResult"),
]
PlaceAssetOnTaskResult = Annotated[
    PlaceAssetOnTaskSuccess
    | InvalidInputError
    | InvalidStateError
    | NotFoundError
    | ForbiddenError,
    strawberry.union("PlaceAssetOnTaskResult"),
]
ReviewDecisionResult = Annotated[
    ReviewDecisionSuccess
    | InvalidInputError
    | InvalidStateError
    | NotFoundError
    | ForbiddenError,
    strawberry.union("ReviewDecisionResult"),
]
AnnotationResult = Annotated[
    AnnotationSuccess
    | InvalidInputError
    | InvalidStateError
    | NotFoundError
    | ForbiddenError,
    strawberry.union("AnnotationResult"),
]
DeleteAnnotationResult = Annotated[
    DeleteAnnotationSuccess | InvalidStateError | NotFoundError | ForbiddenError,
    strawberry.union("DeleteAnnotationResult"),
]
