"""Viewer and ApiToken types, built from the context and token rows."""

from datetime import datetime
from enum import Enum

import strawberry

from gql_media import models


@strawberry.enum(description="What a token may do.")
class Scope(Enum):
    READ = "read"
    WRITE = "write"
    REVIEW = "review"
    ADMIN = "admin"


def scopes_of(names: frozenset[str] | list[str]) -> list[Scope]:
    return [s for s in Scope if s.value in names]


@strawberry.type(description="Who this request acts for.")
class Viewer:
    owner: str = strawberry.field(description="The owner (workspace) id.")
    principal: str = strawberry.field(
        description="The person or service the token names ('local' without one)."
    )
    scopes: list[Scope]


@strawberry.type(description="An API token; its secret is shown only on creation.")
class ApiToken:
    id: strawberry.ID
    principal: str
    scopes: list[Scope]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None = strawberry.field(
        description="Updated at most once a minute."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, row: models.ApiToken) -> "ApiToken":
        return cls(
            id=strawberry.ID(str(row.id)),
            principal=row.principal,
            scopes=scopes_of(row.scopes.split()),
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
            created_at=row.created_at,
        )
