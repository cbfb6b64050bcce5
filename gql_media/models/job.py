"""The Job aggregate: the durable record of one piece of background work."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from gql_media.models.enums import JobKind, JobStatus

if TYPE_CHECKING:
    from gql_media.models.asset import Asset


class Job(Model):
    """The truth about a background job (the queue and the bus carry copies).

    `revision` grows by one on every change, so a subscriber can drop bus events
    older than the snapshot it read from the database.
    """

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    kind = fields.CharEnumField(JobKind, max_length=32)
    status = fields.CharEnumField(
        JobStatus, max_length=16, default=JobStatus.QUEUED, db_index=True
    )
    stage = fields.CharField(max_length=32, default="queued")
    progress = fields.FloatField(default=0.0)
    message = fields.CharField(max_length=255, default="")
    revision = fields.IntField(default=0)
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=3)
    # Arguments of the work (e.g. {"url": ...}); never secrets.
    payload: dict = fields.JSONField(default=dict)
    asset: fields.ForeignKeyNullableRelation["Asset"] = fields.ForeignKeyField(
        "models.Asset", related_name="jobs", null=True, on_delete=fields.SET_NULL
    )
    # True when the work found content the owner already had; `asset` is that one.
    is_duplicate = fields.BooleanField(default=False)
    cancel_requested = fields.BooleanField(default=False)
    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    heartbeat_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"

    def __str__(self) -> str:
        return f"Job({self.id}, {self.kind}, {self.status})"
