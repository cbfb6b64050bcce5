"""`put_file(..., ready=)`: the object appears only once `ready` succeeded; if it
fails, nothing is stored, on either backend, and on S3 the parts go up meanwhile
(no multipart upload is left behind either way). Real moto S3 server."""

import asyncio
import os
from collections.abc import Awaitable
from pathlib import Path

import pytest

from gql_media.errors import MediaError
from gql_media.storage import S3Storage, Storage
from tests.storage.test_s3 import pending_uploads

MiB = 1024 * 1024
KEY = "blobs/sha256/00/00/" + "1" * 64


async def _later(result: Awaitable[None]) -> None:
    await result


def _file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / f"file-{size}.bin"
    path.write_bytes(os.urandom(size))
    return path


async def _no_pending(storage: Storage) -> bool:
    return not isinstance(storage, S3Storage) or await pending_uploads(storage) == []


@pytest.mark.parametrize("size", [1 * MiB, 11 * MiB])  # one PUT; three parts
async def test_the_object_appears_once_ready_succeeds(
    storage: Storage, tmp_path: Path, size: int
) -> None:
    path = _file(tmp_path, size)
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    ready = asyncio.ensure_future(_later(gate))
    storing = asyncio.create_task(storage.put_file(KEY, path, ready=ready))
    await asyncio.sleep(0.3)
    assert not await storage.exists(KEY)
    gate.set_result(None)
    await storing
    assert await storage.size(KEY) == size
    assert await _no_pending(storage)


@pytest.mark.parametrize("size", [1 * MiB, 11 * MiB])
async def test_a_failed_ready_stores_nothing(
    storage: Storage, tmp_path: Path, size: int
) -> None:
    path = _file(tmp_path, size)

    async def failing() -> None:
        await asyncio.sleep(0.2)
        raise MediaError("ffmpeg could not decode a picture from the file")

    with pytest.raises(MediaError):
        await storage.put_file(KEY, path, ready=asyncio.ensure_future(failing()))
    assert not await storage.exists(KEY)
    assert await _no_pending(storage)


async def test_s3_parts_go_up_while_ready_runs(s3: S3Storage, tmp_path: Path) -> None:
    path = _file(tmp_path, 11 * MiB)
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    storing = asyncio.create_task(
        s3.put_file(KEY, path, ready=asyncio.ensure_future(_later(gate)))
    )
    client = await s3.client()
    async with asyncio.timeout(20):
        while True:  # every part is on the server before `ready` resolves
            uploads = await pending_uploads(s3)
            if uploads:
                listing = await client.list_parts(
                    Bucket=s3.bucket, Key=KEY, UploadId=uploads[0]["UploadId"]
                )
                if len(listing.get("Parts", [])) == 3:
                    break
            await asyncio.sleep(0.05)
    assert not await s3.exists(KEY)
    gate.set_result(None)
    await storing
    assert await s3.size(KEY) == 11 * MiB
    assert await pending_uploads(s3) == []
