"""Workflow tests run in both modes (embedded, and arq with a worker), on both
databases: the `server` fixture of tests/jobs."""

from tests.jobs.conftest import private_redis, server  # noqa: F401 - fixtures
