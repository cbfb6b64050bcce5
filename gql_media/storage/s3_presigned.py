"""Presigned multipart uploads: a client sends the parts of a file straight to the
bucket (direct uploads); the server opens, joins, aborts and copies."""

from typing import Any

# The backend's own helpers: this module is its presigned half, split off for size.
from gql_media.storage.s3 import S3Storage, _mapped_errors


async def start_multipart(
    storage: S3Storage, key: str, content_type: str | None
) -> str:
    """Open a multipart upload under `key` for a client to send parts to;
    its S3 upload id."""
    extra = {"ContentType": content_type} if content_type else {}
    client = await storage.client()
    with _mapped_errors(key):
        created = await client.create_multipart_upload(
            Bucket=storage.bucket, Key=key, **extra
        )
    return str(created["UploadId"])


async def part_url(
    storage: S3Storage, key: str, upload_id: str, number: int, expires_in: int
) -> str:
    """A presigned PUT URL for part `number` of a multipart upload."""
    client = await storage.public_client()
    url: str = await client.generate_presigned_url(
        "upload_part",
        Params={
            "Bucket": storage.bucket,
            "Key": key,
            "UploadId": upload_id,
            "PartNumber": number,
        },
        ExpiresIn=expires_in,
    )
    return url


async def complete_multipart(storage: S3Storage, key: str, upload_id: str) -> None:
    """Join the parts the client sent (as S3 lists them) into the object.

    Raises:
        NotFound: the upload is unknown (aborted, expired).
        ClientError: S3 refused (no parts, a part too small).
    """
    client = await storage.client()
    parts: list[dict[str, Any]] = []
    marker = 0
    with _mapped_errors(key):
        while True:
            listed = await client.list_parts(
                Bucket=storage.bucket,
                Key=key,
                UploadId=upload_id,
                PartNumberMarker=marker,
            )
            parts += [
                {"ETag": part["ETag"], "PartNumber": part["PartNumber"]}
                for part in listed.get("Parts", [])
            ]
            if not listed.get("IsTruncated"):
                break
            marker = int(listed["NextPartNumberMarker"])
        await client.complete_multipart_upload(
            Bucket=storage.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},
        )


async def abort_multipart(storage: S3Storage, key: str, upload_id: str) -> None:
    """Drop a multipart upload and its parts (errors are logged only)."""
    await storage._abort(await storage.client(), key, upload_id)


async def copy(storage: S3Storage, source: str, dest: str) -> None:
    """Copy an object inside the bucket, server-side (objects up to 5 GB)."""
    client = await storage.client()
    with _mapped_errors(source, "copy_object"):
        await client.copy_object(
            Bucket=storage.bucket,
            Key=dest,
            CopySource={"Bucket": storage.bucket, "Key": source},
        )
