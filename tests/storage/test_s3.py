"""S3-only behaviour: multipart uploads, their abort on failure, error mapping."""

import asyncio
import base64
import contextlib
import hashlib
import os
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from gql_media.errors import NotFound, TransientError
from gql_media.settings import Settings, StorageSettings
from gql_media.storage.s3 import S3Storage, _mapped_errors
from tests.conftest import Server
from tests.support.tls import TLS

MiB = 1024 * 1024
KEY = "blobs/sha256/00/00/" + "0" * 64
UPLOAD_PART = "before-parameter-build.s3.UploadPart"


@pytest.fixture
def large_file(tmp_path: Path) -> Path:
    path = tmp_path / "large.bin"
    path.write_bytes(os.urandom(11 * MiB))
    return path


async def pending_uploads(storage: S3Storage) -> list[dict[str, Any]]:
    client = await storage.client()
    listing = await client.list_multipart_uploads(Bucket=storage.bucket)
    uploads: list[dict[str, Any]] = listing.get("Uploads", [])
    return uploads


async def test_large_file_goes_up_in_parts(s3: S3Storage, large_file: Path) -> None:
    parts: list[int] = []
    client = await s3.client()
    client.meta.events.register(
        UPLOAD_PART, lambda params, **_: parts.append(params["PartNumber"])
    )

    await s3.put_file(KEY, large_file, "video/mp4")

    assert sorted(parts) == [1, 2, 3]  # sent concurrently, in any order
    head = await client.head_object(Bucket=s3.bucket, Key=KEY)
    assert head["ContentLength"] == 11 * MiB
    assert head["ContentType"] == "video/mp4"
    assert await pending_uploads(s3) == []


async def test_each_part_carries_its_crc32_and_signs_its_sha256(
    s3: S3Storage, large_file: Path
) -> None:
    """The digests are computed once per part, in a thread; the request must
    still say the part's own SHA-256 (the signed payload hash) and CRC32."""
    sent: dict[int, tuple[str, str]] = {}

    def record(request: Any, **_: Any) -> None:
        number = int(request.url.split("partNumber=")[1].split("&")[0])
        sent[number] = (
            _text(request.headers["X-Amz-Content-SHA256"]),
            _text(request.headers["x-amz-checksum-crc32"]),
        )

    client = await s3.client()
    client.meta.events.register("before-send.s3.UploadPart", record)

    await s3.put_file(KEY, large_file, "video/mp4")

    content = large_file.read_bytes()
    size = s3.settings.part_size_bytes
    for number in (1, 2, 3):
        part = content[(number - 1) * size : number * size]
        crc = base64.b64encode(zlib.crc32(part).to_bytes(4, "big")).decode()
        assert sent[number] == (hashlib.sha256(part).hexdigest(), crc)
    head = await client.head_object(Bucket=s3.bucket, Key=KEY, ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"]  # the object keeps the parts' checksum
    body = await client.get_object(Bucket=s3.bucket, Key=KEY)
    assert await body["Body"].read() == content


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def test_presigned_part_links_are_signed_as_before(s3: S3Storage) -> None:
    """Parts we send use the known-payload signer; links for parts a client
    sends (direct uploads) keep botocore's query signature."""
    client = await s3.client()
    url = await client.generate_presigned_url(
        "upload_part",
        Params={"Bucket": s3.bucket, "Key": KEY, "UploadId": "u", "PartNumber": 1},
    )
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url
    assert "X-Amz-Signature=" in url


async def test_failed_part_aborts_the_upload(s3: S3Storage, large_file: Path) -> None:
    def drop_second_part(params: dict[str, Any], **_: Any) -> None:
        if params["PartNumber"] == 2:
            raise EndpointConnectionError(endpoint_url=s3.settings.endpoint_url)

    client = await s3.client()
    client.meta.events.register(UPLOAD_PART, drop_second_part)

    with pytest.raises(TransientError):
        await s3.put_file(KEY, large_file)

    assert await pending_uploads(s3) == []
    assert not await s3.exists(KEY)


async def test_cancelled_upload_is_aborted(s3: S3Storage, large_file: Path) -> None:
    second_part_started = asyncio.Event()

    async def stall_second_part(params: dict[str, Any], **_: Any) -> None:
        if params["PartNumber"] == 2:
            second_part_started.set()
            await asyncio.sleep(60)

    client = await s3.client()
    client.meta.events.register(UPLOAD_PART, stall_second_part)
    upload = asyncio.create_task(s3.put_file(KEY, large_file))
    await second_part_started.wait()
    assert len(await pending_uploads(s3)) == 1  # part 1 is stored on the server

    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload

    assert await pending_uploads(s3) == []
    assert not await s3.exists(KEY)


async def test_parts_go_up_concurrently_within_the_bound(
    s3_settings: StorageSettings, tmp_path: Path
) -> None:
    storage = S3Storage(
        s3_settings.model_copy(
            update={
                "multipart_threshold_bytes": 5 * MiB,
                "part_size_bytes": 5 * MiB,
                "part_concurrency": 3,
            }
        )
    )
    path = tmp_path / "six-parts.bin"
    content = os.urandom(27 * MiB)  # five full parts and a short last one
    path.write_bytes(content)
    in_flight: list[int] = []
    peak = 0
    enough_at_once = asyncio.Event()

    async def hold_until_three(
        params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        # Parts wait until three are in flight at once (or a second passed),
        # which sequential sending would never reach.
        nonlocal peak
        context["part"] = params["PartNumber"]
        in_flight.append(params["PartNumber"])
        peak = max(peak, len(in_flight))
        if len(in_flight) >= 3:
            enough_at_once.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(enough_at_once.wait(), 1.0)

    def done(context: dict[str, Any], **_: Any) -> None:
        in_flight.remove(context["part"])

    try:
        client = await storage.client()
        client.meta.events.register(UPLOAD_PART, hold_until_three)
        client.meta.events.register("after-call.s3.UploadPart", done)
        await storage.put_file(KEY, path)

        assert peak == 3  # concurrent, and never more than the setting
        body = await client.get_object(Bucket=storage.bucket, Key=KEY)
        assert await body["Body"].read() == content  # parts in order
        assert await pending_uploads(storage) == []
    finally:
        await storage.close()


async def test_a_failed_part_among_concurrent_ones_leaves_nothing(
    s3: S3Storage, tmp_path: Path
) -> None:
    path = tmp_path / "five-parts.bin"
    path.write_bytes(os.urandom(25 * MiB))

    async def fail_third_part(params: dict[str, Any], **_: Any) -> None:
        if params["PartNumber"] == 3:
            await asyncio.sleep(0.1)  # parts 1, 2 and 4 are on their way
            raise EndpointConnectionError(endpoint_url=s3.settings.endpoint_url)

    client = await s3.client()
    client.meta.events.register(UPLOAD_PART, fail_third_part)

    with pytest.raises(TransientError):
        await s3.put_file(KEY, path)

    assert await pending_uploads(s3) == []
    assert not await s3.exists(KEY)


async def test_a_part_sent_again_after_a_dropped_connection_is_whole(
    s3: S3Storage, large_file: Path
) -> None:
    dropped: list[int] = []

    def drop_part_two_half_way(request: Any, **_: Any) -> None:
        # Half of part 2 went out when the connection dropped; botocore retries.
        if b"partNumber=2" in request.url.encode() and not dropped:
            request.body.read(2 * MiB)
            dropped.append(2)
            raise EndpointConnectionError(endpoint_url=s3.settings.endpoint_url)

    client = await s3.client()
    client.meta.events.register("before-send.s3.UploadPart", drop_part_two_half_way)

    await s3.put_file(KEY, large_file)

    assert dropped == [2]
    body = await client.get_object(Bucket=s3.bucket, Key=KEY)
    assert await body["Body"].read() == large_file.read_bytes()


async def test_presigned_url_names_the_file(s3: S3Storage) -> None:
    await s3.put_bytes(KEY, b"video")
    url = await s3.url(KEY, 60, filename='ad "variant" é.mp4')

    assert "X-Amz-Expires=60" in url  # SigV4, not the deprecated SigV2
    async with httpx.AsyncClient(verify=TLS) as http:
        response = await http.get(url)
    assert response.content == b"video"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''ad%20%22variant%22%20%C3%A9.mp4" in disposition


def client_error(code: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": code},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "GetObject")


@pytest.mark.parametrize(
    ("error", "mapped"),
    [
        (client_error("NoSuchKey", 404), NotFound),
        (client_error("404", 404), NotFound),
        (client_error("SlowDown", 503), TransientError),
        (client_error("InternalError", 500), TransientError),
        (EndpointConnectionError(endpoint_url="http://s3"), TransientError),
        (client_error("AccessDenied", 403), ClientError),
        (client_error("NoSuchBucket", 404), ClientError),
    ],
)
def test_error_mapping(error: Exception, mapped: type[Exception]) -> None:
    with pytest.raises(mapped), _mapped_errors(KEY):
        raise error


@contextlib.asynccontextmanager
async def counting_endpoint() -> Any:
    """A loopback TCP server standing in for S3 that counts the connections it
    gets (each is closed at once): yields (url, count)."""
    connections = [0]

    async def accept(
        _reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        connections[0] += 1
        writer.close()

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", connections
    finally:
        server.close()
        await server.wait_closed()


def offline_settings(url: str) -> StorageSettings:
    return StorageSettings(
        backend="s3",
        bucket="media",
        endpoint_url=url,
        public_endpoint_url=url.replace("127.0.0.1", "localhost"),
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
    )


async def test_start_opens_the_clients_and_sends_nothing() -> None:
    async with counting_endpoint() as (url, connections):
        storage = S3Storage(offline_settings(url))
        try:
            await storage.start()
            opened = (storage._client, storage._public_client)
            link = await storage.url(KEY, 60)
            # The clients `start` opened serve later calls.
            assert (await storage.client(), await storage.public_client()) == opened
        finally:
            await storage.close()
        assert None not in opened
        assert connections == [0]  # opening a client and signing send nothing
        assert link.startswith(url.replace("127.0.0.1", "localhost") + "/media/")


async def test_the_server_opens_its_store_at_start_up(settings: Settings) -> None:
    """The API process opens its S3 clients at start-up, not on the first
    request that needs them (`create_app`'s lifespan)."""
    async with counting_endpoint() as (url, connections):
        server = Server(settings.model_copy(update={"storage": offline_settings(url)}))
        await server.start()
        try:
            storage = server.runtime.storage
            assert isinstance(storage, S3Storage)
            assert storage._client is not None
            assert storage._public_client is not None
        finally:
            await server.stop()
        assert connections == [0]
