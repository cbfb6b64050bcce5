"""Database setup: the Tortoise config for a URL, start-up, migrations, shutdown."""

import logging
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

logger = logging.getLogger(__name__)

APP = "models"


def tortoise_config(db_url: str) -> dict[str, Any]:
    """The Tortoise config for one database URL (sqlite:// or postgres://)."""
    return {
        "connections": {"default": _connection(db_url)},
        "apps": {
            APP: {
                "models": ["gql_media.models"],
                "default_connection": "default",
                "migrations": "gql_media.models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(db_url: str) -> str | dict[str, Any]:
    if db_url.startswith("sqlite://"):
        # WAL lets readers run beside the writer; a busy timeout waits for locks
        # instead of failing at once when two tasks write.
        return {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": db_url.removeprefix("sqlite://"),
                "journal_mode": "WAL",
                "journal_size_limit": 16384,
                "foreign_keys": "ON",
                "busy_timeout": 5000,
            },
        }
    return db_url


async def migrate(db_url: str) -> None:
    """Apply the committed migrations to the database at `db_url`."""
    await run_migrations(config=tortoise_config(db_url))
    await Tortoise.close_connections()
    logger.info("migrations applied to %s", redact(db_url))


async def connect(db_url: str) -> None:
    """Open the connections for serving; the schema must be migrated already.

    The global fallback makes the connections visible to every task: uvicorn runs
    the lifespan (which calls this) in a task of its own, apart from requests.
    """
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)


async def close() -> None:
    await Tortoise.close_connections()


async def ping() -> None:
    """Run `SELECT 1` on the open default connection (readiness)."""
    await Tortoise.get_connection("default").execute_query("SELECT 1")


async def ping_once(db_url: str) -> None:
    """Open the database at `db_url`, run `SELECT 1`, close (start-up checks)."""
    try:
        await Tortoise.init(config=tortoise_config(db_url))
        await ping()
    finally:
        await Tortoise.close_connections()


def redact(db_url: str) -> str:
    """The URL without its credentials, for logs and messages."""
    if "@" in db_url:
        scheme, rest = db_url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return db_url
