from uuid import uuid4

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from gql_media.models.enums import (
    GenerationSourceType,
    GenerationStatus,
    JobKind,
    MetadataKind,
    SceneStatus,
)


class Migration(migrations.Migration):
    dependencies = [("models", "0002_webhook_delivery")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Generation",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                ("owner_id", fields.CharField(db_index=True, max_length=64)),
                ("name", fields.CharField(default="", max_length=255)),
                ("source_url", fields.TextField(unique=False)),
                (
                    "source_type",
                    fields.CharEnumField(
                        description="URL: URL\nUPLOAD: UPLOAD\nFILE: FILE",
                        enum_type=GenerationSourceType,
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=GenerationStatus.PENDING,
                        db_index=True,
                        description="PENDING: PENDING\nPROCESSING: PROCESSING\nCOMPLETED: COMPLETED\nFAILED: FAILED",
                        enum_type=GenerationStatus,
                        max_length=16,
                    ),
                ),
                (
                    "variant_types",
                    fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("scenes_per_variant", fields.IntField()),
                ("total_scenes", fields.IntField()),
                ("scenes_completed", fields.IntField(default=0)),
                (
                    "cost_estimate",
                    fields.DecimalField(null=True, max_digits=14, decimal_places=6),
                ),
                (
                    "actual_cost",
                    fields.DecimalField(null=True, max_digits=14, decimal_places=6),
                ),
                ("error_message", fields.TextField(null=True, unique=False)),
                ("revision", fields.IntField(default=0)),
                (
                    "created_at",
                    fields.DatetimeField(
                        db_index=True, auto_now=False, auto_now_add=True
                    ),
                ),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "completed_at",
                    fields.DatetimeField(
                        null=True, db_index=True, auto_now=False, auto_now_add=False
                    ),
                ),
            ],
            options={
                "table": "generation",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One AI generation run over a source video, with its costs and outcome.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="GenerationMetadata",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                (
                    "generation",
                    fields.ForeignKeyField(
                        "models.Generation",
                        source_field="generation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="metadata_rows",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="ANALYSIS: ANALYSIS\nTRANSFORMATION: TRANSFORMATION\nPROMPTS: PROMPTS\nEVALUATION: EVALUATION",
                        enum_type=MetadataKind,
                        max_length=32,
                    ),
                ),
                (
                    "data",
                    fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "generation_metadata",
                "app": "models",
                "unique_together": (("generation", "kind"),),
                "pk_attr": "id",
                "table_description": "A JSON document about a generation, one per kind.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Variant",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                (
                    "generation",
                    fields.ForeignKeyField(
                        "models.Generation",
                        source_field="generation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="variants",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("variant_type", fields.CharField(max_length=64)),
                ("position", fields.IntField()),
                (
                    "status",
                    fields.CharEnumField(
                        default=GenerationStatus.PENDING,
                        description="PENDING: PENDING\nPROCESSING: PROCESSING\nCOMPLETED: COMPLETED\nFAILED: FAILED",
                        enum_type=GenerationStatus,
                        max_length=16,
                    ),
                ),
                ("scenes_completed", fields.IntField(default=0)),
                ("total_scenes", fields.IntField()),
                ("error_message", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "completed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "generation_variant",
                "app": "models",
                "unique_together": (("generation", "variant_type"),),
                "pk_attr": "id",
                "table_description": "One variant style of a generation (soft, medium, ... or a custom name).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Scene",
            fields=[
                (
                    "id",
                    fields.UUIDField(
                        primary_key=True, default=uuid4, unique=True, db_index=True
                    ),
                ),
                (
                    "variant",
                    fields.ForeignKeyField(
                        "models.Variant",
                        source_field="variant_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="scenes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("number", fields.IntField()),
                ("prompt", fields.TextField(null=True, unique=False)),
                ("provider_video_id", fields.CharField(null=True, max_length=255)),
                ("provider_status", fields.CharField(null=True, max_length=64)),
                (
                    "asset",
                    fields.ForeignKeyField(
                        "models.Asset",
                        source_field="asset_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="scenes",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "job",
                    fields.ForeignKeyField(
                        "models.Job",
                        source_field="job_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="scenes",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("owns_asset", fields.BooleanField(default=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=SceneStatus.PENDING,
                        description="PENDING: PENDING\nPROCESSING: PROCESSING\nREADY: READY\nFAILED: FAILED",
                        enum_type=SceneStatus,
                        max_length=16,
                    ),
                ),
                ("error_message", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "completed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "generation_scene",
                "app": "models",
                "unique_together": (("variant", "number"),),
                "indexes": [Index(fields=["job_id"]), Index(fields=["asset_id"])],
                "pk_attr": "id",
                "table_description": "One scene of a variant: a generated video, which arrives through a job.",
            },
            bases=["Model"],
        ),
        ops.AlterField(
            model_name="Job",
            name="kind",
            field=fields.CharEnumField(
                description="IMPORT_URL: IMPORT_URL\nPROCESS_UPLOAD: PROCESS_UPLOAD\nREGENERATE_THUMBNAIL: REGENERATE_THUMBNAIL\nEXPORT_GENERATION: EXPORT_GENERATION",
                enum_type=JobKind,
                max_length=32,
            ),
        ),
    ]
