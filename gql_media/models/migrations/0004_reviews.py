from tortoise import migrations
from tortoise.migrations import operations as ops
from gql_media.models.enums import AnnotationShape, ReviewAction, ReviewStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint


class Migration(migrations.Migration):
    dependencies = [("models", "0003_generations")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Annotation",
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
                        related_name="annotations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "models.Annotation",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="replies",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("author", fields.CharField(max_length=255)),
                ("at_seconds", fields.FloatField()),
                ("frame", fields.IntField()),
                ("x", fields.FloatField()),
                ("y", fields.FloatField()),
                (
                    "shape",
                    fields.CharEnumField(
                        description="POINT: POINT\nRECTANGLE: RECTANGLE\nPATH: PATH",
                        enum_type=AnnotationShape,
                        max_length=16,
                    ),
                ),
                ("width", fields.FloatField(null=True)),
                ("height", fields.FloatField(null=True)),
                (
                    "points",
                    fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
                ),
                ("text", fields.TextField(unique=False)),
                (
                    "resolved_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("resolved_by", fields.CharField(null=True, max_length=255)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "review_annotation",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A note on a version at a time and a place in the frame, or a reply to one.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReviewEvent",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
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
                        related_name="review_events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("project", fields.CharField(max_length=32)),
                ("task", fields.CharField(max_length=128)),
                ("version", fields.IntField()),
                (
                    "action",
                    fields.CharEnumField(
                        description="SUBMIT: SUBMIT\nAPPROVE: APPROVE\nREQUEST_CHANGES: REQUEST_CHANGES\nREJECT: REJECT\nSUPERSEDE: SUPERSEDE",
                        enum_type=ReviewAction,
                        max_length=32,
                    ),
                ),
                (
                    "from_status",
                    fields.CharEnumField(
                        description="NOT_SUBMITTED: NOT_SUBMITTED\nPENDING: PENDING\nAPPROVED: APPROVED\nCHANGES_REQUESTED: CHANGES_REQUESTED\nREJECTED: REJECTED\nSUPERSEDED: SUPERSEDED",
                        enum_type=ReviewStatus,
                        max_length=32,
                    ),
                ),
                (
                    "to_status",
                    fields.CharEnumField(
                        description="NOT_SUBMITTED: NOT_SUBMITTED\nPENDING: PENDING\nAPPROVED: APPROVED\nCHANGES_REQUESTED: CHANGES_REQUESTED\nREJECTED: REJECTED\nSUPERSEDED: SUPERSEDED",
                        enum_type=ReviewStatus,
                        max_length=32,
                    ),
                ),
                ("principal", fields.CharField(max_length=255)),
                ("note", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "review_event",
                "app": "models",
                "indexes": [Index(fields=["owner_id", "project", "task"])],
                "pk_attr": "id",
                "table_description": "One step in a version's review history: who did what, when, with a note.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TaskCounter",
            fields=[
                (
                    "id",
                    fields.IntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("owner_id", fields.CharField(max_length=64)),
                ("project", fields.CharField(max_length=32)),
                ("task", fields.CharField(max_length=128)),
                ("last_version", fields.IntField(default=0)),
            ],
            options={
                "table": "review_task_counter",
                "app": "models",
                "unique_together": (("owner_id", "project", "task"),),
                "pk_attr": "id",
                "table_description": "The last version number given out on one task of one owner.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Asset",
            name="approved_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Asset",
            name="approved_by",
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name="Asset",
            name="author",
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name="Asset",
            name="description",
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name="Asset",
            name="previous_version",
            field=fields.ForeignKeyField(
                "models.Asset",
                source_field="previous_version_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="Asset",
            name="project",
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name="Asset",
            name="review_status",
            field=fields.CharEnumField(
                null=True,
                db_index=True,
                description="NOT_SUBMITTED: NOT_SUBMITTED\nPENDING: PENDING\nAPPROVED: APPROVED\nCHANGES_REQUESTED: CHANGES_REQUESTED\nREJECTED: REJECTED\nSUPERSEDED: SUPERSEDED",
                enum_type=ReviewStatus,
                max_length=32,
            ),
        ),
        ops.AddField(
            model_name="Asset",
            name="task",
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddField(
            model_name="Asset",
            name="version",
            field=fields.IntField(null=True),
        ),
        ops.AddConstraint(
            model_name="Asset",
            constraint=UniqueConstraint(
                fields=("owner_id", "project", "task", "version"), name=None
            ),
        ),
    ]
