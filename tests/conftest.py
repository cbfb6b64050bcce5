"""Shared fixtures: a migrated database (SQLite and PostgreSQL), settings in a
temp data dir, a runtime, and the app served by uvicorn on loopback."""

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import uvicorn
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from gql_media import db, models
from gql_media.app import create_app
from gql_media.runtime import Runtime
from gql_media.settings import Settings
from gql_media.wiring import wire
from tests.support.postgres import scratch_database
from tests.support.s3 import s3_server, s3_settings  # noqa: F401 - fixtures


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A freshly migrated database per backend; tests using it run on both."""
    # Tortoise caches prepared INSERTs per connection name for the process; this
    # process switches engines under the same name, so start from a clean cache.
    EXECUTOR_CACHE.clear()
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        await db.migrate(url)
        await db.connect(url)
        yield url
        await db.close()
        return
    async with scratch_database() as url:
        await db.connect(url)
        yield url
        await db.close()


@pytest.fixture
async def clean_db(database: str) -> str:
    """The database, emptied before the test."""
    conn = Tortoise.get_connection("default")
    for table in (
        "workflow_video",
        "workflow_node_run",
        "workflow_execution",
        "workflow_revision",
        "workflow",
        "publication_event",
        "publication",
        "generation_metadata",
        "generation_scene",
        "generation_variant",
        "generation",
        "webhook_delivery",
        "direct_upload",
        "api_token",
        "owner",
        "job",
        "review_annotation",
        "review_event",
        "review_task_counter",
        "asset_tag",
        "asset",
    ):
        await conn.execute_script(f"DELETE FROM {table}")
    return database


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": "test-secret",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, clean_db: str) -> Settings:
    """Settings for a test: its own data dir, loopback admitted for imports."""
    return make_settings(
        tmp_path / "data",
        clean_db,
        gql_media_import={"allow_networks": "127.0.0.1/32"},
        job_retry_base_seconds=0.05,
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = wire(settings)
    await rt.queue.start()
    yield rt
    await rt.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The app served by uvicorn in this event loop, with its runtime."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings, manage_db=False)
        self.runtime: Runtime = self.app.state.runtime
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                lifespan="on",
                log_level="warning",
                ws="websockets-sansio",
            )
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises what stopped the server
                raise RuntimeError("the server stopped during start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task  # the lifespan closes the runtime


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Server]:
    srv = Server(settings)
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
def no_stray_files(settings: Settings) -> Iterator[None]:
    """Fails the test if it leaves files in the data dir's tmp folder."""
    yield
    left = list(settings.tmp_dir.rglob("*")) if settings.tmp_dir.exists() else []
    assert left == [], f"temp files left behind: {left}"


async def wait_for_job(job_id: str, timeout: float = 30.0) -> models.Job:
    """Poll the job row until it reaches a terminal state."""
    async with asyncio.timeout(timeout):
        while True:
            job = await models.Job.get(id=job_id)
            if job.status.is_terminal:
                return job
            await asyncio.sleep(0.05)


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """`@pytest.mark.only("postgres")`: a test that applies to some of the
    database and mode parametrizations is not collected for the others (rather
    than collected and skipped)."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("only")
        if marker is None or all(part in item.name for part in marker.args):
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
