"""The Publication aggregate: one asset on one platform, and its audit trail."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from gql_media.models.asset import Asset
    from gql_media.models.job import Job


class PublicationStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    FAILED_FINAL = "FAILED_FINAL"
    BLOCKED = "BLOCKED"
    RATE_LIMITED = "RATE_LIMITED"
    CANCELED = "CANCELED"


class Publication(Model):
    """The ledger row of one asset on one platform (unique per pair).

    `resume_state` is what the current attempt's uploader saved (a resumable
    session URL, an upload or container id) before sending bytes, so the next
    attempt after a killed worker resumes it instead of posting twice.
    `revision` grows by one on every transition (subscribers drop older events).
    """

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    asset: fields.ForeignKeyRelation["Asset"] = fields.ForeignKeyField(
        "models.Asset", related_name="publications", on_delete=fields.CASCADE
    )
    platform = fields.CharField(max_length=32, db_index=True)
    status = fields.CharEnumField(
        PublicationStatus,
        max_length=16,
        default=PublicationStatus.PENDING,
        db_index=True,
    )
    post_id = fields.CharField(max_length=255, null=True)
    post_url = fields.TextField(null=True)
    # The metadata sent: title, caption (the description on YouTube), hashtags.
    title = fields.CharField(max_length=255, null=True)
    caption = fields.TextField(null=True)
    hashtags: list = fields.JSONField(default=list)
    privacy = fields.CharField(max_length=16, default="private")
    retry_count = fields.IntField(default=0)
    error_code = fields.CharField(max_length=64, null=True)
    last_error = fields.TextField(null=True)
    last_attempt_at = fields.DatetimeField(null=True)
    scheduled_at = fields.DatetimeField(null=True)
    next_retry_at = fields.DatetimeField(null=True, db_index=True)
    published_at = fields.DatetimeField(null=True)
    resume_state: dict = fields.JSONField(default=dict)
    job: fields.ForeignKeyNullableRelation["Job"] = fields.ForeignKeyField(
        "models.Job", related_name="publications", null=True, on_delete=fields.SET_NULL
    )
    revision = fields.IntField(default=0)
    created_by = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    events: fields.ReverseRelation["PublicationEvent"]

    class Meta:
        table = "publication"
        unique_together = (("asset", "platform"),)

    def __str__(self) -> str:
        return f"Publication({self.id}, {self.platform}, {self.status})"


class PublicationEvent(Model):
    """One transition of a publication, appended and never updated or deleted."""

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    publication: fields.ForeignKeyRelation[Publication] = fields.ForeignKeyField(
        "models.Publication", related_name="events", on_delete=fields.CASCADE
    )
    asset_id = fields.UUIDField(db_index=True)
    platform = fields.CharField(max_length=32)
    from_status = fields.CharEnumField(PublicationStatus, max_length=16, null=True)
    to_status = fields.CharEnumField(PublicationStatus, max_length=16)
    retry_count = fields.IntField(default=0)
    error = fields.TextField(null=True)
    post_id = fields.CharField(max_length=255, null=True)
    principal = fields.CharField(max_length=255, default="")
    revision = fields.IntField(default=0)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "publication_event"
