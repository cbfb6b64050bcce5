"""Token mutation results: a success type unioned with its error types."""

from typing import Annotated

import strawberry

from gql_media.schema.accounts.types import ApiToken
from gql_media.schema.common.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)


@strawberry.type
class CreateTokenSuccess:
    token: ApiToken
    secret: str = strawberry.field(
        description="The token to send as `Authorization: Bearer ...`; shown "
        "only here, never again."
    )


@strawberry.type
class RevokeTokenSuccess:
    token: ApiToken


CreateTokenResult = Annotated[
    CreateTokenSuccess | InvalidInputError | ForbiddenError,
    strawberry.union("CreateTokenResult"),
]
RevokeTokenResult = Annotated[
    RevokeTokenSuccess | NotFoundError | ForbiddenError,
    strawberry.union("RevokeTokenResult"),
]
