"""The one mechanism that turns service errors into the union members a mutation
declares: `@mutation(description=...)` instead of `@strawberry.mutation`."""

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
from gql_media.schema.common.errors import to_error


class ErrorsAsResults(FieldExtension):
    """Returns a service error as the member of the field's result union that
    stands for it; an error the union does not list is raised again, so it
    reaches the client as a GraphQL error with its code in `extensions`.

    The one place mutations turn errors into results (no try/except in them).
    """

    def __init__(self, scope: str = "write") -> None:
        super().__init__()
        self.scope = scope

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
            if self.scope not in info.context.scopes:
                raise errors.Forbidden(
                    f"this token lacks the {self.scope!r} scope this mutation needs",
                    scope=self.scope,
                )
            return await next_(source, info, **kwargs)
        except errors.GqlMediaError as exc:
            error = to_error(exc)
            if type(error) in self._members:
                return error
            raise


# The scopes a token may carry; every mutation declares the one it needs.
SCOPES = ("read", "write", "review", "admin")


def mutation(*, description: str, scope: str = "write") -> Any:
    """`strawberry.mutation` whose service errors become union members.

    Args:
        description: the field's description in the schema.
        scope: the token scope the mutation needs ("write" unless declared
            otherwise: "review" for review decisions, "admin" for housekeeping);
            checked before the resolver runs: a token without it gets
            FORBIDDEN (the union's ForbiddenError, or a GraphQL error).
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; one of {SCOPES}")
    return strawberry.mutation(
        description=description,
        extensions=[ErrorsAsResults(scope)],
        metadata={"scope": scope},
    )
