"""The typed GraphQL context: the request, the runtime, and who it acts for."""

from collections.abc import Iterator
from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension

from gql_media.dataloaders import Loaders
from gql_media.runtime import Runtime
from gql_media.schema.common.live import Sink

LOCAL_OWNER = "local"
# Who acts when no token names a person or service (the embedded, loopback mode).
LOCAL_PRINCIPAL = "local"
ALL_SCOPES = frozenset({"read", "write", "review", "admin"})


@dataclass
class Context:
    request: Request | WebSocket
    runtime: Runtime
    owner_id: str
    # The person or service acting (a token's principal name): the author of a
    # version, the reviewer of a decision, the "saved by" of a revision.
    principal: str = LOCAL_PRINCIPAL
    # What the token may do: read, write, review, admin (all of them without one).
    scopes: frozenset[str] = ALL_SCOPES
    # The token's id (None without a token); WebSockets re-check it while open.
    token_id: str | None = None
    loaders: Loaders = field(default_factory=Loaders)
    # graphql-transport-ws: the connection_init payload (Strawberry sets it).
    connection_params: dict[str, object] | None = None
    # Set by a shared subscription's execution (http/shared_subscriptions.py):
    # where progress answers go without a GraphQL execution (live.deliver).
    live: Sink | None = None


Info = strawberry.Info[Context, None]


class ReleaseLoaders(SchemaExtension):
    """Once an operation is answered, its loaders let go of the rows they read
    (`Loaders.release`). A subscription's loaders are replaced per event."""

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        context = execution.context
        try:
            kind = execution.operation_type.value
        except RuntimeError:  # the document did not parse: nothing was loaded
            return
        if kind != "subscription" and isinstance(context, Context):
            context.loaders.release()
