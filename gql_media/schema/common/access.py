"""The `read` scope: queries and subscriptions need it (mutations check their own
declared scope in `@mutation`)."""

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gql_media import errors

READ = "read"


class RequireReadScope(SchemaExtension):
    """Refuses a query or subscription whose token lacks `read` with FORBIDDEN,
    before any resolver runs."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        # Strawberry's OperationType, compared by value ("query", "subscription").
        if ctx.operation_type.value in ("query", "subscription"):
            scopes = getattr(ctx.context, "scopes", None)
            if scopes is not None and READ not in scopes:
                # Raised before execution, the error does not pass through the
                # error-code extension: it carries its code itself.
                raise GraphQLError(
                    "this token lacks the 'read' scope queries and subscriptions need",
                    extensions={"code": errors.Forbidden.code, "scope": READ},
                )
        yield
