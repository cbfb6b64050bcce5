"""Inputs of the token mutations."""

import strawberry

from gql_media.schema.accounts.types import Scope


@strawberry.input
class CreateTokenInput:
    principal: str = strawberry.field(
        description="Who uses the token: becomes the author of what it writes."
    )
    scopes: list[Scope] | None = strawberry.field(
        default=None, description="Default: READ and WRITE."
    )
    expires_in: str | None = strawberry.field(
        default=None, description="e.g. 30d, 12h, 2w; default: never expires."
    )
