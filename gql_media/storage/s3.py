"""Storage in an S3 bucket (AWS or any S3-compatible store) through aioboto3."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aioboto3
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, IncompleteReadError
from botocore.exceptions import ConnectionError as BotoConnectionError

from gql_media.errors import NotFound, TransientError
from gql_media.kit import tracing
from gql_media.settings import StorageSettings
from gql_media.storage import s3_payload  # noqa: F401 - sends FilePart bodies
from gql_media.storage.base import Storage, StoredObject
from gql_media.storage.file_part import FilePart, part_digests
from gql_media.storage.s3_signing import use_known_payloads

logger = logging.getLogger(__name__)

_MISSING_CODES = {"404", "NoSuchKey", "NotFound", "NoSuchUpload"}


@contextlib.contextmanager
def _mapped_errors(key: str, operation: str | None = None) -> Iterator[None]:
    """Turn a missing key into NotFound and server or network trouble into
    TransientError; anything else (403, a missing bucket) stays a ClientError.

    With `operation`, the call is a tracing span ("s3 <operation>")."""
    span = (
        tracing.span(f"s3 {operation}", **{"s3.key": key})
        if operation
        else contextlib.nullcontext()
    )
    try:
        with span:
            yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _MISSING_CODES:
            raise NotFound(f"no stored object {key}") from exc
        if status >= 500:
            raise TransientError(f"S3 error {code} on {key}") from exc
        raise
    except (HTTPClientError, BotoConnectionError, IncompleteReadError) as exc:
        raise TransientError(f"S3 unreachable on {key}: {exc}") from exc


def _content_disposition(filename: str) -> str:
    # An ASCII fallback for old clients plus the exact UTF-8 name (RFC 6266). The
    # name comes from a user: no quotes, backslashes or control characters pass.
    fallback = "".join(
        c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


class S3Storage(Storage):
    """Objects in one bucket; one aioboto3 client, opened by `start()` or on
    first use.

    Args:
        settings: bucket, endpoint, region, credentials and multipart sizes.
    """

    def __init__(self, settings: StorageSettings) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        self._session = aioboto3.Session(
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=settings.secret_access_key,
            region_name=settings.region,
        )
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._public_client: Any = None
        self._lock = asyncio.Lock()

    async def client(self) -> Any:
        """The shared S3 client, created on first use and kept until `close()`."""
        async with self._lock:
            if self._client is None:
                self._client = await self._open_client(self.settings.endpoint_url)
            return self._client

    async def public_client(self) -> Any:
        """The client that signs links for clients: the public endpoint's when one
        is set (signatures cover the host), else the shared client."""
        if not self.settings.public_endpoint_url:
            return await self.client()
        async with self._lock:
            if self._public_client is None:
                self._public_client = await self._open_client(
                    self.settings.public_endpoint_url
                )
            return self._public_client

    async def _open_client(self, endpoint_url: str | None) -> Any:
        config = Config(
            signature_version="s3v4",  # presigned URLs too, never SigV2
            retries={"mode": "standard", "max_attempts": 3},
            # Room for every concurrent part of a multipart upload.
            max_pool_connections=max(10, self.settings.part_concurrency),
        )
        if endpoint_url:
            # S3-compatible stores: path-style addressing, and checksums only
            # where the API requires them (many reject the newer default CRC
            # trailers).
            config = config.merge(
                Config(
                    s3={"addressing_style": "path"},
                    request_checksum_calculation="when_required",
                    response_checksum_validation="when_required",
                )
            )
        client = await self._stack.enter_async_context(
            self._session.client("s3", endpoint_url=endpoint_url, config=config)
        )
        use_known_payloads(client)
        return client

    async def start(self) -> None:
        """Open the clients now: creating one loads botocore's S3 model (about
        0.15 s of CPU), which the first import or the first signed link would
        otherwise wait for. Opening a client sends no request."""
        await self.client()
        await self.public_client()

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (tests and app startup)."""
        client = await self.client()
        try:
            await client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _MISSING_CODES:
                raise
        params: dict[str, Any] = {"Bucket": self.bucket}
        if self.settings.region != "us-east-1":
            params["CreateBucketConfiguration"] = {
                "LocationConstraint": self.settings.region
            }
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            await client.create_bucket(**params)

    async def check(self) -> None:
        """HEAD the bucket: it exists and these credentials may use it."""
        client = await self.client()
        try:
            await client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "?")
            raise TransientError(f"bucket {self.bucket!r}: S3 error {code}") from exc
        except (HTTPClientError, BotoConnectionError) as exc:
            raise TransientError(f"S3 unreachable: {exc}") from exc

    async def put_file(
        self,
        key: str,
        path: Path,
        content_type: str | None = None,
        *,
        ready: Awaitable[object] | None = None,
    ) -> None:
        """Upload `path` under `key`; multipart at or above the threshold.

        A failed or cancelled multipart upload is aborted, so no parts remain.
        With `ready`, the parts go up while it runs and the upload is completed
        only once it has succeeded (a small file waits for it, then goes up).

        Args:
            key: a key built by `storage.keys`.
            path: a local file; it is read, not moved.
            content_type: stored with the object and served with it.
            ready: see `Storage.put_file`.
        """
        extra = {"ContentType": content_type} if content_type else {}
        client = await self.client()
        size = (await asyncio.to_thread(path.stat)).st_size
        if size < self.settings.multipart_threshold_bytes:
            if ready is not None:
                await ready
            with path.open("rb") as body, _mapped_errors(key, "put_object"):
                await client.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)
            return
        with _mapped_errors(key, "create_multipart_upload"):
            # Each part carries its CRC32, which S3 checks on receipt; the
            # object keeps their composite checksum.
            created = await client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ChecksumAlgorithm="CRC32", **extra
            )
        upload_id = created["UploadId"]
        try:
            with _mapped_errors(key, "upload_parts"):
                parts = await self._upload_parts(client, key, upload_id, path, size)
            if ready is not None:
                await ready  # its error aborts the upload below
            with _mapped_errors(key, "complete_multipart_upload"):
                await client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            # Shielded: a second cancellation must not stop the abort half-way.
            await asyncio.shield(self._abort(client, key, upload_id))
            raise

    async def _upload_parts(
        self, client: Any, key: str, upload_id: str, path: Path, size: int
    ) -> list[dict[str, Any]]:
        """Send the parts `part_concurrency` at a time, so one part's round trip
        does not set the pace. Each part is read from the file as it is sent, so
        no part sits whole in memory however many are in flight.

        A part's digests (the SHA-256 its signature covers, the CRC32 S3 checks)
        are computed in a thread in one read, so the event loop keeps sending
        the other parts meanwhile and botocore does not read the part again to
        hash it (`s3_signing`)."""
        part_size = self.settings.part_size_bytes
        slots = asyncio.Semaphore(self.settings.part_concurrency)
        parts: dict[int, dict[str, Any]] = {}

        async def send(number: int) -> None:
            async with slots:
                start = (number - 1) * part_size
                length = min(part_size, size - start)
                digests = await asyncio.to_thread(part_digests, path, start, length)
                # Opened here, not in a thread: a cancellation while a thread
                # opened it would leave the file to the garbage collector.
                body = FilePart(path, start, length, payload_sha256=digests.sha256)
                try:
                    response = await client.upload_part(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=body,
                        ChecksumCRC32=digests.crc32,
                    )
                finally:
                    body.close()
                parts[number] = {
                    "ETag": response["ETag"],
                    "ChecksumCRC32": digests.crc32,
                    "PartNumber": number,
                }

        try:
            # The first failed part cancels the others.
            async with asyncio.TaskGroup() as group:
                for number in range(1, -(-size // part_size) + 1):
                    group.create_task(send(number))
        except BaseExceptionGroup as failed:
            # The caller maps and reports one error, as with sequential parts.
            raise failed.exceptions[0] from None
        return [parts[n] for n in sorted(parts)]

    async def _abort(self, client: Any, key: str, upload_id: str) -> None:
        try:
            await client.abort_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id
            )
        except Exception:
            # The bucket's lifecycle rule for incomplete uploads is the backstop.
            logger.exception(
                "aborting multipart upload %s of %s failed", upload_id, key
            )

    async def put_bytes(
        self, key: str, data: bytes, content_type: str | None = None
    ) -> None:
        """Store a small object under `key`."""
        extra = {"ContentType": content_type} if content_type else {}
        client = await self.client()
        with _mapped_errors(key, "put_object"):
            await client.put_object(Bucket=self.bucket, Key=key, Body=data, **extra)

    async def download(self, key: str, dest: Path) -> None:
        """Copy the object under `key` into `dest`, chunk by chunk.

        Raises:
            NotFound: no object under `key`.
        """
        try:
            async with contextlib.aclosing(self.open(key)) as chunks:
                with dest.open("wb") as out:
                    async for chunk in chunks:
                        await asyncio.to_thread(out.write, chunk)
        except BaseException:
            # No partial file left for the caller.
            await asyncio.to_thread(dest.unlink, missing_ok=True)
            raise

    async def open(
        self, key: str, chunk_size: int = 1024 * 1024
    ) -> AsyncGenerator[bytes, None]:
        """Stream the object under `key` in chunks.

        Raises:
            NotFound: no object under `key` (when iteration starts).
        """
        client = await self.client()
        with _mapped_errors(key):
            response = await client.get_object(Bucket=self.bucket, Key=key)
            body = response["Body"]
            async with body:  # releases the connection however iteration ends
                async for chunk in body.iter_chunks(chunk_size):
                    yield chunk

    async def delete(self, key: str) -> None:
        """Remove the object under `key`; a missing key is not an error."""
        client = await self.client()
        with _mapped_errors(key, "delete_object"):
            await client.delete_object(Bucket=self.bucket, Key=key)

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""
        try:
            await self.size(key)
        except NotFound:
            return False
        return True

    async def size(self, key: str) -> int:
        """The size in bytes of the object under `key`.

        Raises:
            NotFound: no object under `key`.
        """
        client = await self.client()
        with _mapped_errors(key, "head_object"):
            head = await client.head_object(Bucket=self.bucket, Key=key)
        return int(head["ContentLength"])

    async def list_objects(self, prefix: str) -> AsyncGenerator[StoredObject, None]:
        """Every object under `prefix`, a page of 1,000 at a time (multipart
        uploads in flight are not objects until completed)."""
        client = await self.client()
        paginator = client.get_paginator("list_objects_v2")
        with _mapped_errors(prefix):
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield StoredObject(
                        key=item["Key"],
                        size=int(item["Size"]),
                        modified=item["LastModified"],
                    )

    async def url(self, key: str, expires_in: int, filename: str | None = None) -> str:
        """A presigned GET URL valid for `expires_in` seconds.

        Args:
            key: the object.
            expires_in: lifetime of the link in seconds.
            filename: suggested download name (Content-Disposition), if any.
        """
        params = {"Bucket": self.bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = _content_disposition(filename)
        client = await self.public_client()
        url: str = await client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_in
        )
        return url

    async def close(self) -> None:
        """Close the client (and its connection pool)."""
        async with self._lock:
            await self._stack.aclose()
            self._client = self._public_client = None
