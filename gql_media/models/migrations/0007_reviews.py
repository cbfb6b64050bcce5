"""Reviews: version columns on assets, task counters, review events, annotations;
and the full-text index over assets (SQLite FTS5 / PostgreSQL tsvector + GIN),
built for existing rows and kept by triggers."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from gql_media.models.enums import (
    AnnotationShape,
    JobKind,
    ReviewAction,
    ReviewStatus,
)
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.migrations.schema_editor.base import BaseSchemaEditor


# SQLite: an FTS5 table whose rowid is a stable integer key of the asset
# (asset_search_key.id; an asset's own rowid may change on VACUUM).
SQLITE_SEARCH = [
    """CREATE TABLE asset_search_key (
        id INTEGER PRIMARY KEY, asset_id CHAR(36) NOT NULL UNIQUE)""",
    """CREATE VIRTUAL TABLE asset_fts USING fts5(
        name, description, tags, task, prompt,
        tokenize = 'unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER asset_fts_insert AFTER INSERT ON asset BEGIN
        INSERT INTO asset_search_key (asset_id) VALUES (new.id);
        INSERT INTO asset_fts (rowid, name, description, tags, task, prompt)
        VALUES (last_insert_rowid(), new.name, coalesce(new.description, ''),
                '', coalesce(new.task, ''), coalesce(new.prompt, ''));
    END""",
    """CREATE TRIGGER asset_fts_update
    AFTER UPDATE OF name, description, task, prompt ON asset BEGIN
        UPDATE asset_fts SET name = new.name,
            description = coalesce(new.description, ''),
            task = coalesce(new.task, ''), prompt = coalesce(new.prompt, '')
        WHERE rowid = (SELECT id FROM asset_search_key WHERE asset_id = new.id);
    END""",
    """CREATE TRIGGER asset_fts_delete AFTER DELETE ON asset BEGIN
        DELETE FROM asset_fts
        WHERE rowid = (SELECT id FROM asset_search_key WHERE asset_id = old.id);
        DELETE FROM asset_search_key WHERE asset_id = old.id;
    END""",
    """CREATE TRIGGER asset_tag_fts_insert AFTER INSERT ON asset_tag BEGIN
        UPDATE asset_fts SET tags = (
            SELECT coalesce(group_concat(tag, ' '), '') FROM asset_tag
            WHERE asset_id = new.asset_id)
        WHERE rowid = (SELECT id FROM asset_search_key WHERE asset_id = new.asset_id);
    END""",
    """CREATE TRIGGER asset_tag_fts_delete AFTER DELETE ON asset_tag BEGIN
        UPDATE asset_fts SET tags = (
            SELECT coalesce(group_concat(tag, ' '), '') FROM asset_tag
            WHERE asset_id = old.asset_id)
        WHERE rowid = (SELECT id FROM asset_search_key WHERE asset_id = old.asset_id);
    END""",
    # The index for the rows that exist already.
    "INSERT INTO asset_search_key (asset_id) SELECT id FROM asset",
    """INSERT INTO asset_fts (rowid, name, description, tags, task, prompt)
    SELECT k.id, a.name, coalesce(a.description, ''),
        coalesce((SELECT group_concat(t.tag, ' ') FROM asset_tag AS t
                  WHERE t.asset_id = a.id), ''),
        coalesce(a.task, ''), coalesce(a.prompt, '')
    FROM asset AS a JOIN asset_search_key AS k ON k.asset_id = a.id""",
]

# PostgreSQL: a tsvector column computed by a trigger (tags live in another
# table, which a generated column cannot read) and a GIN index on it.
POSTGRES_SEARCH = [
    "ALTER TABLE asset ADD COLUMN search_vector tsvector",
    """CREATE FUNCTION asset_search_refresh() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('simple', coalesce(NEW.name, '')), 'A') ||
            setweight(to_tsvector('simple', coalesce(NEW.task, '')), 'A') ||
            setweight(to_tsvector('simple', coalesce((
                SELECT string_agg(tag, ' ') FROM asset_tag
                WHERE asset_id = NEW.id), '')), 'B') ||
            setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'C') ||
            setweight(to_tsvector('simple', coalesce(NEW.prompt, '')), 'D');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER asset_search_refresh
    BEFORE INSERT OR UPDATE OF name, task, description, prompt, search_vector
    ON asset FOR EACH ROW EXECUTE FUNCTION asset_search_refresh()""",
    """CREATE FUNCTION asset_tag_search_refresh() RETURNS trigger AS $$
    BEGIN
        -- Setting the column fires asset_search_refresh, which reads the tags.
        UPDATE asset SET search_vector = NULL
        WHERE id = coalesce(NEW.asset_id, OLD.asset_id);
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER asset_tag_search_refresh
    AFTER INSERT OR DELETE ON asset_tag
    FOR EACH ROW EXECUTE FUNCTION asset_tag_search_refresh()""",
    "UPDATE asset SET search_vector = NULL",  # builds it for existing rows
    "CREATE INDEX asset_search_vector_gin ON asset USING GIN (search_vector)",
]


async def build_search_index(apps: object, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    script = (
        POSTGRES_SEARCH
        if client.capabilities.dialect == "postgres"
        else (SQLITE_SEARCH)
    )
    for statement in script:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("models", "0006_publishing")]

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
            name="color_space",
            field=fields.CharField(null=True, max_length=32),
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
        ops.AlterField(
            model_name="Job",
            name="kind",
            field=fields.CharEnumField(
                description="IMPORT_URL: IMPORT_URL\nPROCESS_UPLOAD: PROCESS_UPLOAD\nREGENERATE_THUMBNAIL: REGENERATE_THUMBNAIL\nEXPORT_GENERATION: EXPORT_GENERATION\nCLEANUP_STORAGE: CLEANUP_STORAGE",
                enum_type=JobKind,
                max_length=32,
            ),
        ),
        ops.RunPython(build_search_index),
    ]
