"""The review aggregate: per-task version counters, review events, annotations."""

from tortoise import fields
from tortoise.models import Model

from gql_media.models.asset import Asset
from gql_media.models.enums import AnnotationShape, ReviewAction, ReviewStatus


class TaskCounter(Model):
    """The last version number given out on one task of one owner.

    A version number is taken by one atomic `UPDATE ... SET last_version =
    last_version + 1` on this row inside the transaction that writes the version,
    so racing callers queue on the row lock and each gets its own number. The row
    is also the lock that serializes review decisions on the task.
    """

    id = fields.IntField(primary_key=True)
    owner_id = fields.CharField(max_length=64)
    project = fields.CharField(max_length=32)
    task = fields.CharField(max_length=128)
    last_version = fields.IntField(default=0)

    class Meta:
        table = "review_task_counter"
        unique_together = (("owner_id", "project", "task"),)


class ReviewEvent(Model):
    """One step in a version's review history: who did what, when, with a note.

    The id grows with each event, so it orders a task's history even when two
    events share a timestamp (an approval and the supersession it causes).
    """

    id = fields.BigIntField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    asset: fields.ForeignKeyRelation[Asset] = fields.ForeignKeyField(
        "models.Asset", related_name="review_events", on_delete=fields.CASCADE
    )
    project = fields.CharField(max_length=32)
    task = fields.CharField(max_length=128)
    version = fields.IntField()
    action = fields.CharEnumField(ReviewAction, max_length=32)
    from_status = fields.CharEnumField(ReviewStatus, max_length=32)
    to_status = fields.CharEnumField(ReviewStatus, max_length=32)
    principal = fields.CharField(max_length=255)
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review_event"
        indexes = (("owner_id", "project", "task"),)


class Annotation(Model):
    """A note on a version at a time and a place in the frame, or a reply to one.

    Positions are fractions of the frame (0..1). A rectangle spans `width` x
    `height` from (x, y); a path keeps its points as [[x, y], ...] in `points`.
    """

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    asset: fields.ForeignKeyRelation[Asset] = fields.ForeignKeyField(
        "models.Asset", related_name="annotations", on_delete=fields.CASCADE
    )
    parent: fields.ForeignKeyNullableRelation["Annotation"] = fields.ForeignKeyField(
        "models.Annotation",
        related_name="replies",
        null=True,
        on_delete=fields.CASCADE,
    )
    author = fields.CharField(max_length=255)
    at_seconds = fields.FloatField()
    frame = fields.IntField()
    x = fields.FloatField()
    y = fields.FloatField()
    shape = fields.CharEnumField(AnnotationShape, max_length=16)
    width = fields.FloatField(null=True)
    height = fields.FloatField(null=True)
    points: list | None = fields.JSONField(null=True)
    text = fields.TextField()
    resolved_at = fields.DatetimeField(null=True)
    resolved_by = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "review_annotation"
