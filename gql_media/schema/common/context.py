"""The typed GraphQL context and the request's owner."""

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.websockets import WebSocket

from gql_media.dataloaders import Loaders
from gql_media.runtime import Runtime
from gql_media.schema.common.live import Sink

LOCAL_OWNER = "local"
# Who acts when no token names a person or service (the embedded, loopback mode).
LOCAL_PRINCIPAL = "local"


def get_owner(request: Request | WebSocket) -> str:
    """Who is asking. The one place authentication plugs in later; for now every
    request acts for the single local owner."""
    return LOCAL_OWNER


@dataclass
class Context:
    request: Request | WebSocket
    runtime: Runtime
    owner_id: str
    # The person or service acting (a token's principal name): the author of a
    # version, the reviewer of a decision, the "saved by" of a revision.
    principal: str = LOCAL_PRINCIPAL
    loaders: Loaders = field(default_factory=Loaders)
    # Set by a shared subscription's execution (http/shared_subscriptions.py):
    # where progress answers go without a GraphQL execution (live.deliver).
    live: Sink | None = None


Info = strawberry.Info[Context, None]
