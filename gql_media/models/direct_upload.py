"""The DirectUpload aggregate: a file a client sends straight to S3 in parts."""

from tortoise import fields
from tortoise.models import Model

from gql_media.models.asset import Asset
from gql_media.models.enums import DirectUploadStatus


class DirectUpload(Model):
    """A presigned multipart upload to a staging key, registered as an asset
    once the client completes it and the bytes match the declared size and hash.

    The staging object and the S3 multipart upload exist only while PENDING; a
    COMPLETED upload names its asset, a FAILED one says why and left nothing in
    the bucket.
    """

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    status = fields.CharEnumField(
        DirectUploadStatus, max_length=16, default=DirectUploadStatus.PENDING
    )
    # Server-built: uploads/<id>; never from a user's name.
    staging_key = fields.CharField(max_length=255)
    s3_upload_id = fields.CharField(max_length=1024)
    size_bytes = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    part_size_bytes = fields.BigIntField()
    part_count = fields.IntField()
    filename = fields.CharField(max_length=255, null=True)
    content_type = fields.CharField(max_length=255, null=True)
    # The asset details of the request (name, tags, metadata), as validated.
    details: dict = fields.JSONField(default=dict)
    asset: fields.ForeignKeyNullableRelation[Asset] = fields.ForeignKeyField(
        "models.Asset", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    error_code = fields.CharField(max_length=64, null=True)
    error_message = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "direct_upload"

    def __str__(self) -> str:
        return f"DirectUpload({self.id}, {self.status})"
