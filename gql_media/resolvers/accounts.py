"""Accounts root fields: the viewer, the owner's tokens, create and revoke."""

import strawberry

from gql_media.errors import Forbidden
from gql_media.schema.accounts import results
from gql_media.schema.accounts.inputs import CreateTokenInput
from gql_media.schema.accounts.types import ApiToken, Viewer, scopes_of
from gql_media.schema.common.context import Info
from gql_media.schema.common.mutations import mutation
from gql_media.services.accounts import tokens

ADMIN = "admin"


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Who this request acts for.")
    async def viewer(self, info: Info) -> Viewer:
        ctx = info.context
        return Viewer(
            owner=ctx.owner_id, principal=ctx.principal, scopes=scopes_of(ctx.scopes)
        )

    @strawberry.field(
        description="The owner's API tokens, newest first (never their secrets); "
        "needs the ADMIN scope."
    )
    async def tokens(self, info: Info) -> list[ApiToken]:
        if ADMIN not in info.context.scopes:
            raise Forbidden("listing tokens needs the 'admin' scope", scope=ADMIN)
        rows = await tokens.list_tokens(info.context.owner_id)
        return [ApiToken.from_model(row) for row in rows]


@strawberry.type
class AccountMutation:
    @mutation(
        description="Create an API token for this owner; the secret is in the "
        "answer only.",
        scope=ADMIN,
    )
    async def create_token(
        self, info: Info, input: CreateTokenInput
    ) -> results.CreateTokenResult:
        expires = tokens.parse_duration(input.expires_in) if input.expires_in else None
        scopes = [s.value for s in input.scopes] if input.scopes else None
        row, secret = await tokens.create_token(
            info.context.owner_id, input.principal, scopes, expires
        )
        return results.CreateTokenSuccess(token=ApiToken.from_model(row), secret=secret)

    @mutation(
        description="Revoke one of this owner's tokens; requests with it get 401 "
        "and its WebSockets close.",
        scope=ADMIN,
    )
    async def revoke_token(
        self, info: Info, id: strawberry.ID
    ) -> results.RevokeTokenResult:
        row = await tokens.revoke_token(id, owner_id=info.context.owner_id)
        return results.RevokeTokenSuccess(token=ApiToken.from_model(row))
