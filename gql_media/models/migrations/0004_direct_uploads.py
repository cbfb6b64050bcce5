from uuid import uuid4

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from gql_media.models.enums import DirectUploadStatus


class Migration(migrations.Migration):
    dependencies = [("models", "0003_generations")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DirectUpload",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                ("owner_id", fields.CharField(db_index=True, max_length=64)),
                (
                    "status",
                    fields.CharEnumField(
                        default=DirectUploadStatus.PENDING,
                        description="PENDING: PENDING\nCOMPLETED: COMPLETED\nFAILED: FAILED",
                        enum_type=DirectUploadStatus,
                        max_length=16,
                    ),
                ),
                ("staging_key", fields.CharField(max_length=255)),
                ("s3_upload_id", fields.CharField(max_length=1024)),
                ("size_bytes", fields.BigIntField()),
                ("sha256", fields.CharField(max_length=64)),
                ("part_size_bytes", fields.BigIntField()),
                ("part_count", fields.IntField()),
                ("filename", fields.CharField(null=True, max_length=255)),
                ("content_type", fields.CharField(null=True, max_length=255)),
                (
                    "details",
                    fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads),
                ),
                (
                    "asset",
                    fields.ForeignKeyField(
                        "models.Asset",
                        source_field="asset_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("error_code", fields.CharField(null=True, max_length=64)),
                ("error_message", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "expires_at",
                    fields.DatetimeField(auto_now=False, auto_now_add=False),
                ),
                (
                    "completed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "direct_upload",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A presigned multipart upload to a staging key, registered as an asset",
            },
            bases=["Model"],
        ),
    ]
