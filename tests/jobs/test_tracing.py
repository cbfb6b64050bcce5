"""Traces: one import, in both modes, is one trace in which the mutation's span is
the ancestor of the job's span (across the queue, through the job row), and the
job's ffprobe run is a span inside the job."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

from gql_media import models
from gql_media.kit import tracing
from tests.conftest import Server, wait_for_job
from tests.support.graphql import data
from tests.support.http_server import serve_files
from tests.support.media import make_video

IMPORT = """
mutation Import($u: String!) {
  importAsset(input: {url: $u}) { ... on ImportAssetSuccess { job { id } } }
}
"""


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.configure("none", "test", span_exporter=exporter)
    yield exporter
    tracing.shutdown()


@pytest.fixture
def traced_server(spans: InMemorySpanExporter, server: Server) -> Server:
    # `server` (both modes) is built after `spans`: its schema traces operations.
    spans.clear()
    return server


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    parent = span.parent
    while parent is not None and parent.span_id in by_id:
        found = by_id[parent.span_id]
        names.append(found.name)
        parent = found.parent
    return names


async def test_the_mutation_span_is_the_parent_of_the_job_span(
    spans: InMemorySpanExporter, traced_server: Server, tmp_path: Path
) -> None:
    (tmp_path / "served").mkdir()
    make_video(tmp_path / "served" / "c.mp4", width=320, height=240, seconds=1)
    async with serve_files(tmp_path / "served") as source:
        result = await data(traced_server.url, IMPORT, {"u": source.url("/c.mp4")})
        job_id = result["importAsset"]["job"]["id"]
        job = await wait_for_job(job_id)
    assert job.status is models.JobStatus.SUCCEEDED, job.error_message
    # The worker records SUCCEEDED inside the job's span, which ends just after:
    # wait for it to be exported rather than race it.
    async with asyncio.timeout(10):
        while not any(s.name == "job IMPORT_URL" for s in spans.get_finished_spans()):
            await asyncio.sleep(0.02)
    finished = spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in finished}
    job_span = next(s for s in finished if s.name == "job IMPORT_URL")
    assert job_span.attributes is not None
    assert job_span.attributes["gql_media.job.id"] == job_id
    # Strawberry names every operation's span "GraphQL Query: <operation name>".
    mutation = next(s for s in finished if s.name == "GraphQL Query: Import")
    resolver = next(s for s in finished if s.name == "GraphQL Resolving: importAsset")
    assert job_span.context.trace_id == mutation.context.trace_id
    # The job span's parent is the importAsset resolver span, a child of the
    # mutation's operation span.
    assert job_span.parent is not None
    assert job_span.parent.span_id == resolver.context.span_id
    assert resolver.parent is not None
    assert resolver.parent.span_id == mutation.context.span_id
    probe = next(s for s in finished if s.name == "ffprobe")
    assert _ancestors(probe, by_id)[:1] == ["job IMPORT_URL"]
    # SQL statements are spans too, on either database: the mutation's INSERT of
    # the job row sits inside the mutation's trace.
    inserts = [
        s
        for s in finished
        if s.attributes
        and s.attributes.get("db.system") in ("sqlite", "postgresql")
        and "job" in str(s.attributes.get("db.statement", "")).lower()
        and s.context.trace_id == mutation.context.trace_id
    ]
    assert inserts, sorted({s.name for s in finished})
    assert "GraphQL Query: Import" in _ancestors(inserts[0], by_id)
