"""Tokens in the service: the secret's form, hashing, expiry, revocation and
the throttled lastUsedAt, on both databases."""

from datetime import timedelta

import pytest

from gql_media import models
from gql_media.errors import InvalidInput, NotFound
from gql_media.kit import clock
from gql_media.services.accounts import tokens


@pytest.fixture
async def owner(clean_db: str) -> models.Owner:
    return await tokens.create_owner("acme")


async def test_a_token_is_prefixed_random_and_stored_only_as_its_hash(
    owner: models.Owner,
) -> None:
    row, secret = await tokens.create_token(owner.id, "ci", ["read"])
    _, other = await tokens.create_token(owner.id, "ci", ["read"])
    assert secret.startswith("gqlm_") and len(secret) >= 5 + 43  # 32+ bytes
    assert secret != other
    assert row.secret_hash == tokens.hash_secret(secret) != secret
    stored = await models.ApiToken.get(id=row.id)
    assert secret not in str(stored.__dict__)
    assert str(row) == f"ApiToken({row.id}, ci)"


async def test_authenticate_names_owner_principal_and_scopes(
    owner: models.Owner,
) -> None:
    _, secret = await tokens.create_token(owner.id, "ana", ["read", "review"])
    who = await tokens.authenticate(secret)
    assert who is not None
    assert (who.owner_id, who.principal) == (owner.id, "ana")
    assert who.scopes == frozenset({"read", "review"})


@pytest.mark.parametrize(
    "token",
    [
        "",
        "gqlm_",
        "gqlm_" + "A" * 43,  # well formed, unknown
        "ghp_" + "A" * 43,
        "gqlm_" + "A" * 42 + "\x00",
        "gqlm_" + "A" * 2000,
    ],
)
async def test_unknown_or_malformed_tokens_authenticate_no_one(
    owner: models.Owner, token: str
) -> None:
    assert await tokens.authenticate(token) is None


async def test_expired_and_revoked_tokens_authenticate_no_one(
    owner: models.Owner,
) -> None:
    row, secret = await tokens.create_token(owner.id, "ci", None, timedelta(hours=1))
    assert await tokens.authenticate(secret) is not None
    await models.ApiToken.filter(id=row.id).update(
        expires_at=clock.now() - timedelta(seconds=1)
    )
    assert await tokens.authenticate(secret) is None
    assert not await tokens.still_valid(str(row.id))

    row, secret = await tokens.create_token(owner.id, "ci")
    revoked = await tokens.revoke_token(str(row.id), owner_id=owner.id)
    assert revoked.revoked_at is not None
    assert await tokens.authenticate(secret) is None
    again = await tokens.revoke_token(str(row.id))  # idempotent
    assert again.revoked_at == revoked.revoked_at


async def test_revoking_another_owners_token_reads_as_unknown(
    owner: models.Owner,
) -> None:
    other = await tokens.create_owner("other")
    row, secret = await tokens.create_token(owner.id, "ci")
    with pytest.raises(NotFound) as theirs:
        await tokens.revoke_token(str(row.id), owner_id=other.id)
    with pytest.raises(NotFound) as unknown:
        await tokens.revoke_token("00000000-0000-0000-0000-000000000000", other.id)
    assert theirs.value.message.replace(
        str(row.id), "X"
    ) == unknown.value.message.replace("00000000-0000-0000-0000-000000000000", "X")
    assert await tokens.authenticate(secret) is not None


async def test_last_used_at_is_written_at_most_once_a_minute(
    owner: models.Owner,
) -> None:
    row, secret = await tokens.create_token(owner.id, "ci")
    assert row.last_used_at is None
    await tokens.authenticate(secret)
    first = (await models.ApiToken.get(id=row.id)).last_used_at
    assert first is not None
    await tokens.authenticate(secret)
    assert (await models.ApiToken.get(id=row.id)).last_used_at == first
    earlier = clock.now() - tokens.LAST_USED_EVERY - timedelta(seconds=1)
    await models.ApiToken.filter(id=row.id).update(last_used_at=earlier)
    await tokens.authenticate(secret)
    assert (await models.ApiToken.get(id=row.id)).last_used_at > earlier


async def test_bad_names_scopes_and_durations_are_invalid_input(
    owner: models.Owner,
) -> None:
    with pytest.raises(InvalidInput):
        await tokens.create_token(owner.id, "", None)
    with pytest.raises(InvalidInput):
        await tokens.create_token(owner.id, "x\x00y", None)
    with pytest.raises(InvalidInput):
        await tokens.create_token(owner.id, "ci", ["superuser"])
    with pytest.raises(InvalidInput):
        await tokens.create_owner("acme")  # taken
    for bad in ("30", "0d", "1y", "-1d", "99999999d"):
        with pytest.raises(InvalidInput):
            tokens.parse_duration(bad)
    assert tokens.parse_duration("30d") == timedelta(days=30)
    assert tokens.parse_duration("12h") == timedelta(hours=12)
    assert await models.ApiToken.all().count() == 0  # nothing left behind
