"""Results of the job mutations: a success type each, unioned with errors."""

from typing import Annotated

import strawberry

from gql_media.schema.common.errors import (
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
)
from gql_media.schema.jobs.types import Job


@strawberry.type
class CancelJobSuccess:
    job: Job


@strawberry.type
class RetryJobSuccess:
    job: Job


CancelJobResult = Annotated[
    CancelJobSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("CancelJobResult"),
]
RetryJobResult = Annotated[
    RetryJobSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("RetryJobResult"),
]
