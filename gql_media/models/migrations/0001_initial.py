from uuid import uuid4

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from gql_media.models.enums import (
    AssetKind,
    AssetStatus,
    JobKind,
    JobStatus,
    SourceType,
)


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Asset",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                ("owner_id", fields.CharField(db_index=True, max_length=64)),
                ("name", fields.CharField(default="", max_length=255)),
                (
                    "kind",
                    fields.CharEnumField(
                        null=True,
                        description="VIDEO: VIDEO\nIMAGE: IMAGE\nAUDIO: AUDIO",
                        enum_type=AssetKind,
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=AssetStatus.PENDING,
                        db_index=True,
                        description="PENDING: PENDING\nPROCESSING: PROCESSING\nREADY: READY\nFAILED: FAILED",
                        enum_type=AssetStatus,
                        max_length=16,
                    ),
                ),
                ("checksum", fields.CharField(null=True, db_index=True, max_length=64)),
                ("dedup_key", fields.CharField(null=True, max_length=64)),
                ("size_bytes", fields.BigIntField(null=True)),
                ("mime_type", fields.CharField(null=True, max_length=128)),
                ("original_filename", fields.CharField(null=True, max_length=255)),
                (
                    "storage_key",
                    fields.CharField(null=True, db_index=True, max_length=255),
                ),
                (
                    "thumbnail_key",
                    fields.CharField(null=True, db_index=True, max_length=255),
                ),
                ("duration_seconds", fields.FloatField(null=True)),
                ("width", fields.IntField(null=True)),
                ("height", fields.IntField(null=True)),
                ("fps", fields.FloatField(null=True)),
                ("codec", fields.CharField(null=True, max_length=64)),
                ("audio_codec", fields.CharField(null=True, max_length=64)),
                ("bitrate", fields.BigIntField(null=True)),
                ("container", fields.CharField(null=True, max_length=128)),
                ("aspect_ratio", fields.CharField(null=True, max_length=16)),
                (
                    "source_type",
                    fields.CharEnumField(
                        db_index=True,
                        description="UPLOADED: UPLOADED\nIMPORTED: IMPORTED\nGENERATED: GENERATED\nSTITCHED: STITCHED",
                        enum_type=SourceType,
                        max_length=16,
                    ),
                ),
                ("source_url", fields.TextField(null=True, unique=False)),
                (
                    "metadata",
                    fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("provider", fields.CharField(null=True, max_length=128)),
                ("provider_model", fields.CharField(null=True, max_length=255)),
                ("prompt", fields.TextField(null=True, unique=False)),
                (
                    "generation_params",
                    fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("external_job_id", fields.CharField(null=True, max_length=255)),
                (
                    "cost",
                    fields.DecimalField(null=True, max_digits=14, decimal_places=6),
                ),
                (
                    "generated_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "archived_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "deleted_at",
                    fields.DatetimeField(
                        null=True, db_index=True, auto_now=False, auto_now_add=False
                    ),
                ),
                ("error_code", fields.CharField(null=True, max_length=64)),
                ("error_message", fields.TextField(null=True, unique=False)),
                (
                    "created_at",
                    fields.DatetimeField(
                        db_index=True, auto_now=False, auto_now_add=True
                    ),
                ),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "asset",
                "app": "models",
                "unique_together": (("owner_id", "dedup_key"),),
                "pk_attr": "id",
                "table_description": "A media file owned by an owner, whose bytes live in storage under storage_key.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AssetTag",
            fields=[
                (
                    "id",
                    fields.IntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "asset",
                    fields.ForeignKeyField(
                        "models.Asset",
                        source_field="asset_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tag_rows",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("tag", fields.CharField(db_index=True, max_length=64)),
            ],
            options={
                "table": "asset_tag",
                "app": "models",
                "unique_together": (("asset", "tag"),),
                "pk_attr": "id",
                "table_description": "One tag on one asset, in a table rather than JSON so filters work on every DB.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Job",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                ("owner_id", fields.CharField(db_index=True, max_length=64)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="IMPORT_URL: IMPORT_URL\nPROCESS_UPLOAD: PROCESS_UPLOAD\nREGENERATE_THUMBNAIL: REGENERATE_THUMBNAIL",
                        enum_type=JobKind,
                        max_length=32,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=JobStatus.QUEUED,
                        db_index=True,
                        description="QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nCANCELED: CANCELED",
                        enum_type=JobStatus,
                        max_length=16,
                    ),
                ),
                ("stage", fields.CharField(default="queued", max_length=32)),
                ("progress", fields.FloatField(default=0.0)),
                ("message", fields.CharField(default="", max_length=255)),
                ("revision", fields.IntField(default=0)),
                ("attempts", fields.IntField(default=0)),
                ("max_attempts", fields.IntField(default=3)),
                (
                    "payload",
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
                        related_name="jobs",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("is_duplicate", fields.BooleanField(default=False)),
                ("cancel_requested", fields.BooleanField(default=False)),
                ("error_code", fields.CharField(null=True, max_length=64)),
                ("error_message", fields.TextField(null=True, unique=False)),
                (
                    "created_at",
                    fields.DatetimeField(
                        db_index=True, auto_now=False, auto_now_add=True
                    ),
                ),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "started_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "finished_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "heartbeat_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "job",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The truth about a background job (the queue and the bus carry copies).",
            },
            bases=["Model"],
        ),
    ]
