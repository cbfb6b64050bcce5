"""`/healthz` is liveness, `/readyz` readiness: database, storage and, in the
distributed mode, Redis, each named when it fails."""

from pathlib import Path

import httpx
import pytest

from gql_media.settings import Settings
from tests.conftest import Server, make_settings
from tests.support.processes import free_port, redis_server, wait_for_redis
from tests.support.tls import TLS


async def _get(server: Server, path: str) -> httpx.Response:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=30) as client:
        return await client.get(path)


async def test_embedded_server_is_ready(server: Server) -> None:
    response = await _get(server, "/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "storage": "ok"},
    }


async def test_unwritable_storage_is_named(tmp_path: Path, clean_db: str) -> None:
    (tmp_path / "file.txt").write_text("")
    settings = make_settings(
        tmp_path / "data",
        clean_db,
        storage={"local_dir": tmp_path / "file.txt" / "storage"},
    )
    server = Server(settings)
    await server.start()
    try:
        response = await _get(server, "/readyz")
        health = await _get(server, "/healthz")
    finally:
        await server.stop()
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["storage"]
    assert body["checks"]["database"] == "ok"
    assert "file.txt" in body["checks"]["storage"]
    assert health.status_code == 200


@pytest.mark.timeout(60)
async def test_redis_down_is_not_ready_but_alive(tmp_path: Path, clean_db: str) -> None:
    port = free_port()
    settings: Settings = make_settings(
        tmp_path / "data",
        clean_db,
        redis_url=f"redis://127.0.0.1:{port}/0",
        readiness_timeout_seconds=1.0,
    )
    with redis_server(port, tmp_path) as redis:
        await wait_for_redis(port)
        server = Server(settings)
        await server.start()
        try:
            ready = await _get(server, "/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {
                "database": "ok",
                "storage": "ok",
                "redis": "ok",
            }
            redis.stop()
            ready = await _get(server, "/readyz")
            health = await _get(server, "/healthz")
        finally:
            await server.stop()
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not ready"
    assert body["failed"] == ["redis"]
    assert body["checks"]["redis"] != "ok"
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
