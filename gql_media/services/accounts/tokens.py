"""API tokens: create (the secret shown once), authenticate, list and revoke."""

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import InvalidInput, NotFound
from gql_media.kit import clock
from gql_media.kit.ids import is_uuid

PREFIX = "gqlm_"
# 32 random bytes, base64url: 43 characters after the prefix.
SECRET_BYTES = 32
SCOPES = ("read", "write", "review", "admin")
LOCAL_OWNER = "local"
# lastUsedAt is written at most this often per token, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)
# Anything longer than this is not one of our tokens (checked before hashing).
MAX_TOKEN_CHARS = 128
_TOKEN = re.compile(r"gqlm_[A-Za-z0-9_-]{43,100}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@ -]{0,63}")
_DURATION = re.compile(r"(\d{1,6})([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: the owner, the person or service, its scopes."""

    owner_id: str
    principal: str
    scopes: frozenset[str]
    token_id: str | None = None


LOCAL = Principal(LOCAL_OWNER, "local", frozenset(SCOPES))


def hash_secret(token: str) -> str:
    """The stored form of a token: SHA-256 hex (the secret has 256 random bits,
    so a slow password hash adds nothing but CPU per request)."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return len(token) <= MAX_TOKEN_CHARS and _TOKEN.fullmatch(token) is not None


def parse_scopes(scopes: list[str] | None) -> list[str]:
    """Known scopes, de-duplicated in canonical order; default read + write."""
    chosen = set(scopes or ["read", "write"])
    unknown = chosen - set(SCOPES)
    if unknown:
        raise InvalidInput(
            f"unknown scope {sorted(unknown)[0]!r}; one of {', '.join(SCOPES)}",
            field="scopes",
        )
    return [s for s in SCOPES if s in chosen]


def parse_duration(text: str) -> timedelta:
    """ "30d", "12h", "90m", "45s", "2w" as a timedelta."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        raise InvalidInput(
            f"{text!r} is not a duration like 30d, 12h, 90m or 2w", field="expiresIn"
        )
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def check_name(name: str, field: str) -> str:
    if _NAME.fullmatch(name) is None:
        raise InvalidInput(
            f"{field} must be 1-64 letters, digits or . _ @ - and spaces, starting "
            "with a letter or digit",
            field=field,
        )
    return name


async def create_owner(name: str) -> models.Owner:
    check_name(name, "name")
    if await models.Owner.exists(name=name):
        raise InvalidInput(f"an owner named {name!r} exists already", field="name")
    owner_id = LOCAL_OWNER if name == LOCAL_OWNER else uuid.uuid4().hex
    return await models.Owner.create(id=owner_id, name=name)


async def owner_by_name(name: str) -> models.Owner:
    owner = await models.Owner.get_or_none(name=name)
    if owner is None:
        raise NotFound(f"no owner named {name!r}")
    return owner


async def create_token(
    owner_id: str,
    principal: str,
    scopes: list[str] | None = None,
    expires_in: timedelta | None = None,
) -> tuple[models.ApiToken, str]:
    """A new token and its secret (shown once; only its hash is kept)."""
    check_name(principal, "principal")
    chosen = parse_scopes(scopes)
    secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    async with in_transaction():
        if owner_id == LOCAL_OWNER and not await models.Owner.exists(id=owner_id):
            await models.Owner.create(id=LOCAL_OWNER, name=LOCAL_OWNER)
        elif not await models.Owner.exists(id=owner_id):
            raise NotFound(f"no owner with id {owner_id!r}")
        row = await models.ApiToken.create(
            owner_id=owner_id,
            principal=principal,
            scopes=" ".join(chosen),
            secret_hash=hash_secret(secret),
            expires_at=clock.now() + expires_in if expires_in else None,
        )
    return row, secret


async def list_tokens(owner_id: str | None = None) -> list[models.ApiToken]:
    """Tokens newest first, of one owner or (the CLI) of all."""
    query = models.ApiToken.all().order_by("-created_at")
    if owner_id is not None:
        query = query.filter(owner_id=owner_id)
    return await query


async def revoke_token(
    token_id: object, owner_id: str | None = None
) -> models.ApiToken:
    """Revoke a token (idempotent); another owner's token reads as unknown."""
    row = None
    if is_uuid(token_id):
        query = models.ApiToken.filter(id=token_id)
        if owner_id is not None:
            query = query.filter(owner_id=owner_id)
        row = await query.first()
    if row is None:
        raise NotFound(f"no token with id {token_id!r}")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        await row.save(update_fields=["revoked_at"])
    return row


def is_live(row: models.ApiToken) -> bool:
    now = clock.now()
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)


async def authenticate(token: str) -> Principal | None:
    """Who `token` acts for, or None for a malformed, unknown, expired or revoked
    one (the caller answers all of them the same way)."""
    if not looks_like_token(token):
        return None
    digest = hash_secret(token)
    row = await models.ApiToken.get_or_none(secret_hash=digest)
    # The index finds the row; the comparison of what it holds is constant time.
    if row is None or not hmac.compare_digest(row.secret_hash, digest):
        return None
    if not is_live(row):
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        await models.ApiToken.filter(id=row.id).update(last_used_at=now)
    return Principal(
        row.owner_id, row.principal, frozenset(row.scopes.split()), str(row.id)
    )


async def still_valid(token_id: str) -> bool:
    """Whether a token authenticated earlier is still live (not revoked, expired
    or deleted): asked again during long WebSocket connections."""
    row = await models.ApiToken.get_or_none(id=token_id)
    return row is not None and is_live(row)
