"""The `Storage` contract, run against every backend (local directory and S3)."""

import hashlib
import os
from pathlib import Path

import httpx
import pytest

from gql_media.errors import NotFound, TransientError
from gql_media.storage import LocalStorage, S3Storage, Storage
from gql_media.storage.keys import blob_key, thumbnail_key

MiB = 1024 * 1024


def key_of(data: bytes) -> str:
    return blob_key(hashlib.sha256(data).hexdigest())


async def read_all(storage: Storage, key: str, chunk_size: int = MiB) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key, chunk_size)])


async def test_put_bytes_round_trip(storage: Storage, tmp_path: Path) -> None:
    data = b"thumbnail bytes"
    key = thumbnail_key(hashlib.sha256(b"video").hexdigest(), 320, 1500)
    assert not await storage.exists(key)

    await storage.put_bytes(key, data, "image/jpeg")

    assert await storage.exists(key)
    assert await storage.size(key) == len(data)
    assert await read_all(storage, key) == data
    await storage.download(key, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data


async def test_put_file_streams_in_chunks(storage: Storage, tmp_path: Path) -> None:
    data = os.urandom(100_000)
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    key = key_of(data)

    await storage.put_file(key, source, "video/mp4")

    assert source.read_bytes() == data  # read, not moved
    assert await storage.size(key) == len(data)
    chunks = [chunk async for chunk in storage.open(key, chunk_size=30_000)]
    assert len(chunks) > 1
    assert b"".join(chunks) == data
    await storage.download(key, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data


async def test_put_replaces_existing_object(storage: Storage) -> None:
    key = key_of(b"x")
    await storage.put_bytes(key, b"first version, longer")
    await storage.put_bytes(key, b"second")

    assert await read_all(storage, key) == b"second"
    assert await storage.size(key) == len(b"second")


async def test_delete_is_idempotent(storage: Storage) -> None:
    key = key_of(b"gone")
    await storage.put_bytes(key, b"gone")

    await storage.delete(key)
    assert not await storage.exists(key)
    await storage.delete(key)  # a missing key is not an error
    assert not await storage.exists(key)


async def test_missing_key_is_not_found(storage: Storage, tmp_path: Path) -> None:
    key = key_of(b"never stored")

    assert not await storage.exists(key)
    with pytest.raises(NotFound):
        await storage.size(key)
    with pytest.raises(NotFound):
        await storage.download(key, tmp_path / "copy")
    assert not (tmp_path / "copy").exists()
    with pytest.raises(NotFound):
        await read_all(storage, key)


async def test_url_serves_the_exact_bytes(
    storage: Storage, http: httpx.AsyncClient
) -> None:
    data = os.urandom(5000)
    key = key_of(data)
    await storage.put_bytes(key, data)

    response = await http.get(await storage.url(key, 60, filename="clip one.mp4"))

    assert response.status_code == 200
    assert response.content == data
    assert "clip%20one.mp4" in response.headers["content-disposition"]


async def test_url_serves_the_content_type(
    storage: Storage, http: httpx.AsyncClient
) -> None:
    key = thumbnail_key(hashlib.sha256(b"video").hexdigest(), 320, 0)
    await storage.put_bytes(key, b"\xff\xd8jpeg", "image/jpeg")

    response = await http.get(await storage.url(key, 60))

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == b"\xff\xd8jpeg"


async def test_large_file_round_trips(storage: Storage, tmp_path: Path) -> None:
    # 11 MiB: three parts of the 5 MiB part size the S3 fixture configures.
    data = os.urandom(11 * MiB)
    source = tmp_path / "large.bin"
    source.write_bytes(data)
    key = key_of(data)

    await storage.put_file(key, source)

    assert await storage.size(key) == len(data)
    await storage.download(key, tmp_path / "copy")
    assert hashlib.sha256((tmp_path / "copy").read_bytes()).digest() == (
        hashlib.sha256(data).digest()
    )


async def test_failed_put_leaves_nothing(storage: Storage, tmp_path: Path) -> None:
    key = key_of(b"missing source")

    with pytest.raises(FileNotFoundError):
        await storage.put_file(key, tmp_path / "does-not-exist")

    assert not await storage.exists(key)


async def test_list_objects_under_a_prefix(storage: Storage) -> None:
    blobs = {key_of(data): data for data in (b"one", b"two two")}
    for key, data in blobs.items():
        await storage.put_bytes(key, data)
    thumb = thumbnail_key(hashlib.sha256(b"one").hexdigest(), 320, 0)
    await storage.put_bytes(thumb, b"jpeg")
    listed = [obj async for obj in storage.list_objects("blobs/")]
    assert {obj.key: obj.size for obj in listed} == {
        k: len(v) for k, v in blobs.items()
    }
    assert all(obj.modified.tzinfo is not None for obj in listed)
    assert [obj.key async for obj in storage.list_objects("thumbs/")] == [thumb]
    assert [obj async for obj in storage.list_objects("exports/")] == []


async def test_check_passes_on_a_usable_store_and_names_a_broken_one(
    storage: Storage, tmp_path: Path
) -> None:
    await storage.check()
    if isinstance(storage, LocalStorage):
        (tmp_path / "file.txt").write_text("")  # a root under a file: unwritable
        broken: Storage = LocalStorage(tmp_path / "file.txt" / "root", b"k")
        problem = "file.txt"
    else:
        assert isinstance(storage, S3Storage)
        missing = storage.settings.model_copy(update={"bucket": "no-such-bucket"})
        broken = S3Storage(missing)
        problem = "no-such-bucket"
    try:
        with pytest.raises(TransientError, match=problem):
            await broken.check()
    finally:
        await broken.close()
    leftovers = [p for p in tmp_path.rglob("*") if p.name != "file.txt"]
    assert leftovers == []
    if isinstance(storage, LocalStorage):
        assert [p.name for p in storage.root.rglob(".check-*")] == []
