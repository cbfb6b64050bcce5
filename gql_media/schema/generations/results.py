"""Results of the generation mutations: a success type each, unioned with errors."""

from typing import Annotated

import strawberry

from gql_media.schema.common.errors import (
    FetchFailedError,
    ForbiddenError,
    ForbiddenUrlError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    TooLargeError,
)
from gql_media.schema.generations.types import Generation, GenerationMetadata, Scene
from gql_media.schema.jobs.types import Job


@strawberry.type
class GenerationSuccess:
    generation: Generation


@strawberry.type
class CreateGenerationSuccess(GenerationSuccess):
    pass


@strawberry.type
class SetGenerationCostSuccess(GenerationSuccess):
    pass


@strawberry.type
class MarkGenerationFailedSuccess(GenerationSuccess):
    pass


@strawberry.type
class SaveGenerationMetadataSuccess(GenerationSuccess):
    metadata: GenerationMetadata


@strawberry.type
class DeleteGenerationSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class ExportGenerationSuccess:
    job: Job = strawberry.field(
        description="The export job; its `downloadUrl` is the ZIP once SUCCEEDED."
    )


@strawberry.type
class AttachSceneVideoSuccess:
    scene: Scene
    job: Job | None = strawberry.field(
        description="The job bringing the video; null when it was READY already."
    )
    is_duplicate: bool = strawberry.field(
        description="The uploaded bytes were already yours; the scene shows that asset."
    )


@strawberry.type
class RetrySceneSuccess:
    scene: Scene
    job: Job


@strawberry.type
class UpdateSceneSuccess:
    scene: Scene


CreateGenerationResult = Annotated[
    CreateGenerationSuccess | InvalidInputError | ForbiddenError,
    strawberry.union("CreateGenerationResult"),
]
SetGenerationCostResult = Annotated[
    SetGenerationCostSuccess | NotFoundError | InvalidInputError | ForbiddenError,
    strawberry.union("SetGenerationCostResult"),
]
MarkGenerationFailedResult = Annotated[
    MarkGenerationFailedSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | ForbiddenError,
    strawberry.union("MarkGenerationFailedResult"),
]
SaveGenerationMetadataResult = Annotated[
    SaveGenerationMetadataSuccess | NotFoundError | InvalidInputError | ForbiddenError,
    strawberry.union("SaveGenerationMetadataResult"),
]
DeleteGenerationResult = Annotated[
    DeleteGenerationSuccess | NotFoundError | ForbiddenError,
    strawberry.union("DeleteGenerationResult"),
]
ExportGenerationResult = Annotated[
    ExportGenerationSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("ExportGenerationResult"),
]
AttachSceneVideoResult = Annotated[
    AttachSceneVideoSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | ForbiddenUrlError
    | FetchFailedError
    | TooLargeError
    | ForbiddenError,
    strawberry.union("AttachSceneVideoResult"),
]
RetrySceneResult = Annotated[
    RetrySceneSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("RetrySceneResult"),
]
UpdateSceneResult = Annotated[
    UpdateSceneSuccess | NotFoundError | InvalidInputError | ForbiddenError,
    strawberry.union("UpdateSceneResult"),
]
