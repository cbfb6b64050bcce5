"""LocalStorage-only behaviour: key checks, atomic writes, directory clean-up."""

from pathlib import Path

import pytest

from gql_media.storage import LocalStorage
from gql_media.storage.keys import blob_key

KEY = blob_key("ab" * 32)


@pytest.fixture
def local(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "root", b"secret")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../outside",
        "blobs/../../outside",
        "/etc/passwd",
        "blobs//x",
        "blobs/x/",
        "blobs\\x",
        "blobs/x\x00",
        "blobs/./x",
        "blobs/.tmp-123",
    ],
)
async def test_unclean_keys_are_refused(local: LocalStorage, key: str) -> None:
    with pytest.raises(ValueError, match="not a clean storage key"):
        await local.put_bytes(key, b"x")
    with pytest.raises(ValueError):
        await local.exists(key)
    with pytest.raises(ValueError):
        local.local_path(key)
    assert not (local.root.parent / "outside").exists()


async def test_local_path_is_the_stored_file(local: LocalStorage) -> None:
    await local.put_bytes(KEY, b"data")

    path = local.local_path(KEY)

    assert path == local.root / KEY
    assert path.read_bytes() == b"data"


async def test_failed_write_leaves_no_temp_file(
    local: LocalStorage, tmp_path: Path
) -> None:
    await local.put_bytes(KEY, b"old")

    with pytest.raises(IsADirectoryError):
        await local.put_file(KEY, tmp_path)  # a directory cannot be read

    assert local.local_path(KEY).read_bytes() == b"old"
    assert [p.name for p in local.local_path(KEY).parent.iterdir()] == [KEY[-64:]]


async def test_delete_removes_empty_directories(local: LocalStorage) -> None:
    other = blob_key("ab" * 31 + "cd")  # same two directory levels
    await local.put_bytes(KEY, b"a")
    await local.put_bytes(other, b"b")

    await local.delete(KEY)
    assert local.local_path(other).parent.is_dir()  # still holds `other`

    await local.delete(other)
    assert list(local.root.iterdir()) == []
    assert local.root.is_dir()


async def test_url_is_a_signed_files_link(tmp_path: Path) -> None:
    local = LocalStorage(tmp_path, b"secret", base_url="https://media.example.com/")

    url = await local.url(KEY, 60, filename="a.mp4")

    assert url.startswith(f"https://media.example.com/files/{KEY}?exp=")
    assert "&fn=a.mp4&sig=" in url
