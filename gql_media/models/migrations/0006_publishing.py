from tortoise import migrations
from tortoise.migrations import operations as ops
from gql_media.models.enums import JobKind
from gql_media.models.publication import PublicationStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0005_workflows")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Publication",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                ("owner_id", fields.CharField(db_index=True, max_length=64)),
                (
                    "asset",
                    fields.ForeignKeyField(
                        "models.Asset",
                        source_field="asset_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="publications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("platform", fields.CharField(db_index=True, max_length=32)),
                (
                    "status",
                    fields.CharEnumField(
                        default=PublicationStatus.PENDING,
                        db_index=True,
                        description="PENDING: PENDING\nIN_PROGRESS: IN_PROGRESS\nSUCCESS: SUCCESS\nFAILED: FAILED\nFAILED_FINAL: FAILED_FINAL\nBLOCKED: BLOCKED\nRATE_LIMITED: RATE_LIMITED\nCANCELED: CANCELED",
                        enum_type=PublicationStatus,
                        max_length=16,
                    ),
                ),
                ("post_id", fields.CharField(null=True, max_length=255)),
                ("post_url", fields.TextField(null=True, unique=False)),
                ("title", fields.CharField(null=True, max_length=255)),
                ("caption", fields.TextField(null=True, unique=False)),
                (
                    "hashtags",
                    fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("privacy", fields.CharField(default="private", max_length=16)),
                ("retry_count", fields.IntField(default=0)),
                ("error_code", fields.CharField(null=True, max_length=64)),
                ("last_error", fields.TextField(null=True, unique=False)),
                (
                    "last_attempt_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "scheduled_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "next_retry_at",
                    fields.DatetimeField(
                        null=True, db_index=True, auto_now=False, auto_now_add=False
                    ),
                ),
                (
                    "published_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "resume_state",
                    fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads),
                ),
                (
                    "job",
                    fields.ForeignKeyField(
                        "models.Job",
                        source_field="job_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="publications",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("revision", fields.IntField(default=0)),
                ("created_by", fields.CharField(default="", max_length=255)),
                (
                    "created_at",
                    fields.DatetimeField(
                        db_index=True, auto_now=False, auto_now_add=True
                    ),
                ),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "publication",
                "app": "models",
                "unique_together": (("asset", "platform"),),
                "pk_attr": "id",
                "table_description": "The ledger row of one asset on one platform (unique per pair).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PublicationEvent",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                ("owner_id", fields.CharField(db_index=True, max_length=64)),
                (
                    "publication",
                    fields.ForeignKeyField(
                        "models.Publication",
                        source_field="publication_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("asset_id", fields.UUIDField(db_index=True)),
                ("platform", fields.CharField(max_length=32)),
                (
                    "from_status",
                    fields.CharEnumField(
                        null=True,
                        description="PENDING: PENDING\nIN_PROGRESS: IN_PROGRESS\nSUCCESS: SUCCESS\nFAILED: FAILED\nFAILED_FINAL: FAILED_FINAL\nBLOCKED: BLOCKED\nRATE_LIMITED: RATE_LIMITED\nCANCELED: CANCELED",
                        enum_type=PublicationStatus,
                        max_length=16,
                    ),
                ),
                (
                    "to_status",
                    fields.CharEnumField(
                        description="PENDING: PENDING\nIN_PROGRESS: IN_PROGRESS\nSUCCESS: SUCCESS\nFAILED: FAILED\nFAILED_FINAL: FAILED_FINAL\nBLOCKED: BLOCKED\nRATE_LIMITED: RATE_LIMITED\nCANCELED: CANCELED",
                        enum_type=PublicationStatus,
                        max_length=16,
                    ),
                ),
                ("retry_count", fields.IntField(default=0)),
                ("error", fields.TextField(null=True, unique=False)),
                ("post_id", fields.CharField(null=True, max_length=255)),
                ("principal", fields.CharField(default="", max_length=255)),
                ("revision", fields.IntField(default=0)),
                (
                    "at",
                    fields.DatetimeField(
                        db_index=True, auto_now=False, auto_now_add=False
                    ),
                ),
            ],
            options={
                "table": "publication_event",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One transition of a publication, appended and never updated or deleted.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Asset",
            name="allow_duplicate_publish",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AlterField(
            model_name="Job",
            name="kind",
            field=fields.CharEnumField(
                description="IMPORT_URL: IMPORT_URL\nPROCESS_UPLOAD: PROCESS_UPLOAD\nREGENERATE_THUMBNAIL: REGENERATE_THUMBNAIL\nEXPORT_GENERATION: EXPORT_GENERATION\nPUBLISH: PUBLISH",
                enum_type=JobKind,
                max_length=32,
            ),
        ),
    ]
