"""Typed errors returned by mutations (each implements `Error { code message }`),
and the one mechanism that turns service errors into them."""

from functools import cached_property
from typing import Any

import strawberry
from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    FieldExtension,
)
from strawberry.types import Info
from strawberry.types.field import StrawberryField
from strawberry.types.union import StrawberryUnion

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


@strawberry.type(description="The URL's scheme or address is refused for imports.")
class ForbiddenUrlError(Error):
    pass


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
        case errors.FetchFailed():
            # Only a URL's early check reaches a mutation with this: the host
            # does not resolve, which is the client's input to fix.
            return InvalidInputError(
                code=errors.InvalidInput.code, message=exc.message, field="url"
            )
        case errors.ForbiddenUrl():
            return ForbiddenUrlError(code=exc.code, message=exc.message)
        case errors.TooLarge():
            limit = BigInt(int(exc.limit)) if exc.limit is not None else None
            return TooLargeError(code=exc.code, message=exc.message, limit=limit)
        case _:
            return InvalidStateError(code=exc.code, message=exc.message)


class ErrorsAsResults(FieldExtension):
    """Returns a service error as the member of the field's result union that
    stands for it; an error the union does not list is raised again, so it
    reaches the client as a GraphQL error with its code in `extensions`.

    The one place mutations turn errors into results (no try/except in them).
    """

    def apply(self, field: StrawberryField) -> None:
        self._field = field

    @cached_property
    def _members(self) -> tuple[type, ...]:
        union = self._field.type
        if not isinstance(union, StrawberryUnion):
            raise TypeError(f"{self._field.name}: the result must be a union")
        return tuple(t for t in union.types if isinstance(t, type))

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except errors.GqlMediaError as exc:
            error = to_error(exc)
            if type(error) in self._members:
                return error
            raise


def mutation(*, description: str) -> Any:
    """`strawberry.mutation` whose service errors become union members."""
    return strawberry.mutation(description=description, extensions=[ErrorsAsResults()])
