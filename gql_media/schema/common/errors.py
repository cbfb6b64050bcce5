"""Typed errors returned by mutations: each implements `Error { code message }`."""

import strawberry

from gql_media import errors
from gql_media.schema.common.scalars import BigInt


@strawberry.interface(description="A failure a client can act on.")
class Error:
    code: str = strawberry.field(description="Stable, machine-readable code.")
    message: str = strawberry.field(description="Human-readable explanation.")


@strawberry.type(description="No such object for this owner (or a malformed id).")
class NotFoundError(Error):
    pass


@strawberry.type(description="An argument failed validation.")
class InvalidInputError(Error):
    field: str | None = strawberry.field(description="The offending input field.")


@strawberry.type(description="The object is not in a state that allows this.")
class InvalidStateError(Error):
    pass


@strawberry.type(description="A newer change won: re-read the object and try again.")
class ConflictError(Error):
    current_revision: int | None = strawberry.field(
        description="The revision that is current now."
    )


@strawberry.type(description="The URL's scheme or address is refused for imports.")
class ForbiddenUrlError(Error):
    pass


@strawberry.type(
    description="The source could not be fetched: its host does not resolve, or "
    "it answered with an error."
)
class FetchFailedError(Error):
    pass


@strawberry.type(description="The token does not carry the scope this operation needs.")
class ForbiddenError(Error):
    scope: str | None = strawberry.field(description="The scope it needs.")


@strawberry.type(description="Over a size, pixel or duration limit.")
class TooLargeError(Error):
    limit: BigInt | None


def to_error(exc: errors.GqlMediaError) -> Error:
    """The GraphQL error object for a service error."""
    match exc:
        case errors.NotFound():
            return NotFoundError(code=exc.code, message=exc.message)
        case errors.InvalidInput():
            return InvalidInputError(
                code=exc.code, message=exc.message, field=exc.field
            )
        case errors.Conflict():
            return ConflictError(
                code=exc.code, message=exc.message, current_revision=exc.current
            )
        case errors.ForbiddenUrl():
            return ForbiddenUrlError(code=exc.code, message=exc.message)
        case errors.FetchFailed():
            return FetchFailedError(code=exc.code, message=exc.message)
        case errors.Forbidden():
            return ForbiddenError(code=exc.code, message=exc.message, scope=exc.scope)
        case errors.TooLarge():
            limit = BigInt(int(exc.limit)) if exc.limit is not None else None
            return TooLargeError(code=exc.code, message=exc.message, limit=limit)
        case _:
            return InvalidStateError(code=exc.code, message=exc.message)
