"""The Owner aggregate: a workspace, and the API tokens that act for it."""

from tortoise import fields
from tortoise.models import Model


class Owner(Model):
    """A workspace: the owner_id of every other row is one of these ids.

    The id is what rows store (`local` for the loopback owner), the name what
    people type on the command line.
    """

    id = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    tokens: fields.ReverseRelation["ApiToken"]

    class Meta:
        table = "owner"

    def __str__(self) -> str:
        return f"Owner({self.id}, {self.name})"


class ApiToken(Model):
    """An API token acting for one owner as one principal, with scopes.

    Only the SHA-256 of the secret is stored (`secret_hash`): the secret is 32+
    random bytes, so a fast hash cannot be brute-forced, and the lookup by hash
    needs no per-row salt.
    """

    id = fields.UUIDField(primary_key=True)
    owner: fields.ForeignKeyRelation[Owner] = fields.ForeignKeyField(
        "models.Owner", related_name="tokens", on_delete=fields.CASCADE
    )
    owner_id: str
    # The person or service using the token: the author of what it writes.
    principal = fields.CharField(max_length=128)
    # Space-separated, from read, write, review, admin.
    scopes = fields.CharField(max_length=64)
    secret_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_token"

    def __str__(self) -> str:  # never the hash
        return f"ApiToken({self.id}, {self.principal})"
