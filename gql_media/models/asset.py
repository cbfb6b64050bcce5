"""The Asset aggregate: one stored media file and its tags."""

from tortoise import fields
from tortoise.models import Model

from gql_media.models.enums import AssetKind, AssetStatus, ReviewStatus, SourceType


class Asset(Model):
    """A media file owned by an owner, whose bytes live in storage under storage_key.

    `dedup_key` holds the SHA-256 while the asset is live (not FAILED, not deleted)
    and is NULL otherwise. The unique (owner_id, dedup_key) index is what makes
    concurrent uploads of the same content end with one asset.
    """

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    name = fields.CharField(max_length=255, default="")
    kind = fields.CharEnumField(AssetKind, max_length=16, null=True)
    status = fields.CharEnumField(
        AssetStatus, max_length=16, default=AssetStatus.PENDING, db_index=True
    )
    checksum = fields.CharField(max_length=64, null=True, db_index=True)
    dedup_key = fields.CharField(max_length=64, null=True)
    size_bytes = fields.BigIntField(null=True)
    mime_type = fields.CharField(max_length=128, null=True)
    original_filename = fields.CharField(max_length=255, null=True)
    storage_key = fields.CharField(max_length=255, null=True, db_index=True)
    thumbnail_key = fields.CharField(max_length=255, null=True, db_index=True)

    # Probe results.
    duration_seconds = fields.FloatField(null=True)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    fps = fields.FloatField(null=True)
    codec = fields.CharField(max_length=64, null=True)
    audio_codec = fields.CharField(max_length=64, null=True)
    bitrate = fields.BigIntField(null=True)
    container = fields.CharField(max_length=128, null=True)
    aspect_ratio = fields.CharField(max_length=16, null=True)
    color_space = fields.CharField(max_length=32, null=True)

    source_type = fields.CharEnumField(SourceType, max_length=16, db_index=True)
    source_url = fields.TextField(null=True)
    metadata: dict = fields.JSONField(default=dict)

    # Generation provenance: where an AI-generated asset came from and what it cost.
    provider = fields.CharField(max_length=128, null=True)
    provider_model = fields.CharField(max_length=255, null=True)
    prompt = fields.TextField(null=True)
    generation_params: dict | None = fields.JSONField(null=True)
    external_job_id = fields.CharField(max_length=255, null=True)
    cost = fields.DecimalField(max_digits=14, decimal_places=6, null=True)
    generated_at = fields.DatetimeField(null=True)

    # Publishing: let this asset go out again to a platform where it already has
    # a post (duplicate prevention is on by default).
    # db_default: existing rows get false when the column is added.
    allow_duplicate_publish = fields.BooleanField(default=False, db_default=False)
    # Versions (the reviews domain): a version `version` of `task` in `project`,
    # unique per owner; all NULL for an asset on no task.
    project = fields.CharField(max_length=32, null=True)
    task = fields.CharField(max_length=128, null=True)
    version = fields.IntField(null=True)
    author = fields.CharField(max_length=255, null=True)
    description = fields.TextField(null=True)
    review_status = fields.CharEnumField(
        ReviewStatus, max_length=32, null=True, db_index=True
    )
    previous_version: fields.ForeignKeyNullableRelation["Asset"] = (
        fields.ForeignKeyField(
            "models.Asset",
            related_name=False,
            null=True,
            on_delete=fields.SET_NULL,
        )
    )
    approved_by = fields.CharField(max_length=255, null=True)
    approved_at = fields.DatetimeField(null=True)

    archived_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True, db_index=True)
    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    tag_rows: fields.ReverseRelation["AssetTag"]

    class Meta:
        table = "asset"
        unique_together = (
            ("owner_id", "dedup_key"),
            ("owner_id", "project", "task", "version"),
        )

    def __str__(self) -> str:
        return f"Asset({self.id}, {self.status})"


class AssetTag(Model):
    """One tag on one asset, in a table rather than JSON so filters work on every DB."""

    id = fields.IntField(primary_key=True)
    asset: fields.ForeignKeyRelation[Asset] = fields.ForeignKeyField(
        "models.Asset", related_name="tag_rows", on_delete=fields.CASCADE
    )
    tag = fields.CharField(max_length=64, db_index=True)

    class Meta:
        table = "asset_tag"
        unique_together = (("asset", "tag"),)
