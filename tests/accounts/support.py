"""Owners with tokens for access tests."""

from dataclasses import dataclass

from gql_media.services.accounts import tokens


@dataclass(frozen=True)
class Account:
    owner_id: str
    name: str
    token: str


async def make_account(name: str, scopes: list[str] | None = None) -> Account:
    """A new owner with one token of `scopes` (default: all four)."""
    owner = await tokens.create_owner(name)
    _, secret = await tokens.create_token(
        owner.id, f"{name}-bot", scopes or list(tokens.SCOPES)
    )
    return Account(owner.id, name, secret)


async def token_for(
    account: Account, scopes: list[str], principal: str = "someone"
) -> str:
    """Another token of the same owner with other scopes."""
    _, secret = await tokens.create_token(account.owner_id, principal, scopes)
    return secret
