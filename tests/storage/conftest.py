"""Fixtures of the storage tests: the moto S3 server and one backend per param."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from gql_media.http.files import files_route
from gql_media.settings import StorageSettings
from gql_media.storage import LocalStorage, S3Storage, Storage
from tests.support.s3 import s3_server, s3_settings  # noqa: F401
from tests.support.tls import TLS

SECRET = b"test-signing-key"
MiB = 1024 * 1024
# The smallest sizes S3 allows, so a 11 MiB file goes up in three parts.
SMALL_PARTS = {"multipart_threshold_bytes": 5 * MiB, "part_size_bytes": 5 * MiB}


@pytest.fixture(params=["local", "s3"])
def make_storage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], Storage]:
    """Builds the backend under test (a sync fixture, so that only the s3 param
    starts the moto server)."""
    if request.param == "s3":
        settings: StorageSettings = request.getfixturevalue("s3_settings")
        small = settings.model_copy(update=SMALL_PARTS)
        return lambda: S3Storage(small)
    root = tmp_path_factory.mktemp("storage")
    return lambda: LocalStorage(root, SECRET, base_url="http://files.test")


@pytest.fixture
async def storage(make_storage: Callable[[], Storage]) -> AsyncIterator[Storage]:
    backend = make_storage()
    try:
        yield backend
    finally:
        await backend.close()


@pytest.fixture
async def http(storage: Storage) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that can follow the backend's links: local links go to the
    /files/ route in a small ASGI app, S3 links to the moto server."""
    transport = None
    if isinstance(storage, LocalStorage):
        app = Starlette(routes=[files_route(storage, SECRET)])
        transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(verify=TLS, transport=transport) as client:
        yield client


@pytest.fixture
async def s3(
    s3_settings: StorageSettings,  # noqa: F811 - the fixture imported above
) -> AsyncIterator[S3Storage]:
    """S3 alone, with the smallest parts S3 allows."""
    storage = S3Storage(s3_settings.model_copy(update=SMALL_PARTS))
    yield storage
    await storage.close()
