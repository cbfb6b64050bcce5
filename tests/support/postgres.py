"""Scratch PostgreSQL databases for tests, created and dropped on the local server."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from gql_media import db

PG_ADMIN_URL = os.environ.get(
    "GQL_MEDIA_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres"
)


@asynccontextmanager
async def scratch_database(migrate: bool = True) -> AsyncIterator[str]:
    """A new database (migrated unless told not to); yields its URL and drops it
    afterwards."""
    name = f"gql_media_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        if migrate:
            await db.migrate(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
