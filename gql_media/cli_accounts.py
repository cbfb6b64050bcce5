"""`gql-media owner ...` and `gql-media token ...`: workspaces and API tokens."""

import argparse
import json
import logging
from typing import Any

from gql_media import db, models
from gql_media.services.accounts import tokens
from gql_media.settings import Settings


def add_commands(commands: Any) -> None:
    """Add the `owner` and `token` commands to the CLI's subparsers."""
    owner = commands.add_parser("owner", help="create and list owners (workspaces)")
    owner_cmds = owner.add_subparsers(dest="action", required=True)
    create = owner_cmds.add_parser("create", help="create an owner")
    create.add_argument("name")
    owner_cmds.add_parser("list", help="list owners")

    token = commands.add_parser("token", help="create, list and revoke API tokens")
    token_cmds = token.add_subparsers(dest="action", required=True)
    create = token_cmds.add_parser("create", help="create a token (printed once)")
    create.add_argument("--owner", required=True, help="the owner's name")
    create.add_argument("--name", required=True, help="the principal: who uses it")
    create.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        choices=tokens.SCOPES,
        help="repeat for several; default read and write",
    )
    create.add_argument("--expires-in", help="e.g. 30d, 12h, 2w; default never")
    listing = token_cmds.add_parser("list", help="list tokens (never the secret)")
    listing.add_argument("--owner", help="only this owner's tokens")
    revoke = token_cmds.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one owner or token command against the settings' database."""
    # The output is the answer (JSON lines, the secret); migrations and
    # connections are not news here.
    for name in ("tortoise", "gql_media.db"):
        logging.getLogger(name).setLevel(logging.WARNING)
    await db.migrate(settings.db_url)
    await db.connect(settings.db_url)
    try:
        return await _run(args)
    finally:
        await db.close()


async def _run(args: argparse.Namespace) -> int:
    match args.command, args.action:
        case "owner", "create":
            owner = await tokens.create_owner(args.name)
            print(json.dumps(_owner(owner)))
        case "owner", "list":
            for owner in await models.Owner.all().order_by("created_at"):
                print(json.dumps(_owner(owner)))
        case "token", "create":
            owner = await _owner_named(args.owner)
            expires = (
                tokens.parse_duration(args.expires_in) if args.expires_in else None
            )
            row, secret = await tokens.create_token(
                owner.id, args.name, args.scopes, expires
            )
            print(json.dumps(_token(row, owner.name)))
            # The only time the secret is shown: last, alone on its line.
            print(secret)
        case "token", "list":
            owner_id = (await _owner_named(args.owner)).id if args.owner else None
            names = {o.id: o.name for o in await models.Owner.all()}
            for row in await tokens.list_tokens(owner_id):
                print(json.dumps(_token(row, names.get(row.owner_id, ""))))
        case "token", "revoke":
            row = await tokens.revoke_token(args.id)
            print(json.dumps(_token(row, "")))
    return 0


async def _owner_named(name: str) -> models.Owner:
    if name == tokens.LOCAL_OWNER and not await models.Owner.exists(name=name):
        return await tokens.create_owner(name)
    return await tokens.owner_by_name(name)


def _owner(owner: models.Owner) -> dict[str, Any]:
    return {"id": owner.id, "name": owner.name, "createdAt": str(owner.created_at)}


def _token(row: models.ApiToken, owner_name: str) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "owner": owner_name or row.owner_id,
        "principal": row.principal,
        "scopes": row.scopes.split(),
        "expiresAt": str(row.expires_at) if row.expires_at else None,
        "revokedAt": str(row.revoked_at) if row.revoked_at else None,
        "lastUsedAt": str(row.last_used_at) if row.last_used_at else None,
    }
