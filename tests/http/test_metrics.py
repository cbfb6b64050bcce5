"""/metrics in the Prometheus text format: parsed by prometheus_client's own
parser, the counters move after an import; only loopback or the token reads it."""

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gql_media.settings import Settings
from tests.conftest import Server, make_settings, wait_for_job
from tests.support.graphql import data
from tests.support.http_server import serve_files
from tests.support.media import make_video
from tests.support.tls import TLS

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

IMPORT = """
mutation Import($u: String!) {
  importAsset(input: {url: $u}) { ... on ImportAssetSuccess { job { id } } }
}
"""


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(server: Server, headers: dict[str, str] | None = None) -> Samples:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        response = await http.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_counters_move_after_an_import(server: Server, tmp_path: Path) -> None:
    (tmp_path / "served").mkdir()
    clip = make_video(tmp_path / "served" / "c.mp4", width=320, height=240, seconds=1)
    before = await scrape(server)
    async with serve_files(tmp_path / "served") as source:
        result = await data(server.url, IMPORT, {"u": source.url("/c.mp4")})
        job = await wait_for_job(result["importAsset"]["job"]["id"])
    assert job.status.value == "SUCCEEDED"
    after = await scrape(server)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    request = {"operation": "Import", "type": "mutation", "outcome": "ok"}
    assert moved("gql_media_graphql_requests_total", **request) == 1
    assert moved("gql_media_graphql_request_seconds_count", **request) == 1
    ended = {"kind": "IMPORT_URL", "status": "SUCCEEDED"}
    assert moved("gql_media_jobs_ended_total", **ended) == 1
    assert moved("gql_media_job_seconds_count", **ended) == 1
    assert (
        moved("gql_media_job_stage_seconds_count", kind="IMPORT_URL", stage="download")
        == 1
    )
    assert moved("gql_media_bus_events_published_total", bus="memory") >= 3
    # Read from the rows at scrape time.
    assert value(after, "gql_media_jobs", **ended) == 1
    assert value(after, "gql_media_queue_depth") == 0
    assert value(after, "gql_media_assets", status="READY") == 1
    assert value(after, "gql_media_storage_bytes") == clip.stat().st_size


async def test_a_metrics_token_is_required_when_set(
    settings: Settings,
) -> None:
    server = Server(
        make_settings(settings.data_dir, settings.db_url, metrics={"token": "s3cret"})
    )
    await server.start()
    try:
        async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
            assert (await http.get("/metrics")).status_code == 403
            wrong = {"Authorization": "Bearer nope"}
            assert (await http.get("/metrics", headers=wrong)).status_code == 403
        samples = await scrape(server, {"Authorization": "Bearer s3cret"})
        assert ("gql_media_queue_depth", ()) in samples
    finally:
        await server.stop()


@pytest.mark.parametrize("name", ["x" * 100, "Not-An-Identifier"])
async def test_hostile_operation_names_share_one_label(
    server: Server, name: str
) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as http:
        await http.post(
            "/graphql",
            json={"query": "query Q { __typename }", "operationName": name},
        )
    samples = await scrape(server)
    assert not any(dict(labels).get("operation") == name for _, labels in samples)
