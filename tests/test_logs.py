"""Structured logs: a real `gql-media serve` with JSON logs imports a file whose
job fails; every line of its output is one JSON object, the request's lines carry
its request id, the job's lines its job id, and secrets never appear."""

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from gql_media.kit.logs import (
    ConsoleFormatter,
    ContextIds,
    JsonFormatter,
    Redactor,
    job_context,
)
from tests.support.http_server import serve_files
from tests.support.processes import BIN, Proc, free_port, wait_for_http
from tests.support.tls import TLS

pytestmark = pytest.mark.timeout(120)

SECRET = "s3cret-key-never-logged"
DB_PASSWORD = "pg-password-never-logged"
IMPORT = """
mutation Import($u: String!) {
  importAsset(input: {url: $u}) { ... on ImportAssetSuccess { job { id } } }
}
"""
JOB = "query ($id: ID!) { job(id: $id) { status errorCode } }"


async def test_json_lines_carry_request_and_job_ids(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GQL_MEDIA_")}
    port = free_port()
    env.update(
        GQL_MEDIA_DATA_DIR=str(tmp_path / "data"),
        GQL_MEDIA_SECRET_KEY=SECRET,
        GQL_MEDIA_LOG__FORMAT="json",
        GQL_MEDIA_IMPORT__ALLOW_NETWORKS="127.0.0.1/32",
        GQL_MEDIA_JOB_MAX_ATTEMPTS="1",
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    assert Proc("migrate", [str(BIN / "gql-media"), "migrate"], env, logs).wait(60) == 0
    api = Proc("api", [str(BIN / "gql-media"), "serve", "--port", str(port)], env, logs)
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_for_http(url + "/healthz", api)
        (tmp_path / "served").mkdir()
        (tmp_path / "served" / "junk.mp4").write_bytes(b"not a video at all" * 100)
        async with (
            serve_files(tmp_path / "served") as source,
            httpx.AsyncClient(verify=TLS, base_url=url, timeout=30) as http,
        ):
            response = await http.post(
                "/graphql",
                json={"query": IMPORT, "variables": {"u": source.url("/junk.mp4")}},
                headers={"X-Request-Id": "req-import-1"},
            )
            assert response.headers["x-request-id"] == "req-import-1"
            job_id = response.json()["data"]["importAsset"]["job"]["id"]
            for _ in range(300):
                job = (
                    await http.post(
                        "/graphql", json={"query": JOB, "variables": {"id": job_id}}
                    )
                ).json()["data"]["job"]
                if job["status"] in ("FAILED", "SUCCEEDED"):
                    break
                await asyncio.sleep(0.1)
        assert job["status"] == "FAILED", job
    finally:
        api.stop()

    text = api.log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in lines)
    mine = [e for e in lines if e.get("request_id") == "req-import-1"]
    # uvicorn's access line of the import request, in the same format as ours.
    assert any(e["logger"] == "uvicorn.access" for e in mine), mine
    job_lines = [e for e in lines if e.get("job_id") == job_id]
    assert any("started" in e["message"] for e in job_lines), job_lines
    assert any("FAILED" in e["message"] for e in job_lines), job_lines
    assert SECRET not in text


def _record(message: str, *args: Any) -> logging.LogRecord:
    return logging.LogRecord(
        "gql_media.x", logging.INFO, __file__, 1, message, args, None
    )


def test_secrets_urls_and_tokens_are_redacted() -> None:
    redact = Redactor([SECRET, None, "short"])
    record = _record(
        "connecting to %s with %s; got Authorization: Bearer abc.def-123",
        f"postgres://app:{DB_PASSWORD}@db:5432/media",
        SECRET,
    )
    for formatter in (JsonFormatter(redact), ConsoleFormatter(redact)):
        line = formatter.format(record)
        assert SECRET not in line and DB_PASSWORD not in line
        assert "abc.def-123" not in line
        assert "postgres://app:***@db:5432/media" in line


def test_a_job_context_puts_the_job_id_on_console_lines() -> None:
    record = _record("working")
    with job_context("job-42"):
        ContextIds().filter(record)
    assert ConsoleFormatter(Redactor()).format(record).endswith("[job=job-42]")
