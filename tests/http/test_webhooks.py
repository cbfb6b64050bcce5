"""POST /webhooks/replicate: signatures, replays, refused outputs, real imports."""

import asyncio
import base64
import hmac
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gql_media import models
from gql_media.http.webhooks import MAX_BODY_BYTES, webhook_routes
from gql_media.models import AssetStatus, JobStatus, SourceType
from gql_media.runtime import Runtime
from tests.conftest import Server, wait_for_job
from tests.support.http_server import serve_files
from tests.support.media import make_video
from tests.support.tls import TLS

SECRET = "whsec_" + base64.b64encode(b"replicate-test-signing-key-0123").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"somebody-else-s-signing-key-456").decode()


def sign(body: bytes, webhook_id: str, timestamp: int, secret: str = SECRET) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, "sha256").digest()).decode()


def signed_headers(
    body: bytes, webhook_id: str = "msg_1", timestamp: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(body, webhook_id, timestamp),
        "content-type": "application/json",
    }


def prediction(status: str = "succeeded", output: Any = None) -> dict[str, Any]:
    return {
        "id": "pred_f00d",
        "version": "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
        "model": "acme/video-gen",
        "status": status,
        "input": {"prompt": "a red fox in snow", "seed": 7, "fps": 25},
        "output": output,
        "error": "CUDA out of memory" if status == "failed" else None,
        "logs": "step 1/30\n" * 100,
        "metrics": {"predict_time": 12.5},
        "created_at": "2025-01-02T03:04:05.123Z",
        "completed_at": "2025-01-02T03:04:19.654321Z",
        "urls": {"get": "https://api.replicate.com/v1/predictions/pred_f00d"},
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outputs")
    make_video(folder / "out-0.mp4", width=320, height=180, fps=25, seconds=1.0)
    return folder


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    # clean_db empties the older tables only; this one is ours to clear.
    await models.WebhookDelivery.all().delete()
    runtime.settings.webhooks.replicate_secret = SECRET
    app = Starlette(routes=webhook_routes(runtime))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        verify=TLS, transport=transport, base_url="http://t"
    ) as client:
        yield client


async def post(
    http: httpx.AsyncClient, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    return await http.post("/webhooks/replicate", content=body, headers=headers)


async def row_counts() -> tuple[int, int, int]:
    return (
        await models.WebhookDelivery.all().count(),
        await models.Asset.all().count(),
        await models.Job.all().count(),
    )


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_valid_delivery_imports_outputs_with_provenance(
    http: httpx.AsyncClient, runtime: Runtime, clips: Path
) -> None:
    async with serve_files(clips) as source:
        body = encode(prediction(output=[source.url("/out-0.mp4"), "a caption"]))
        response = await post(http, body, signed_headers(body, "msg_ok"))
        assert response.status_code == 202, response.text
        reply = response.json()
        assert reply["status"] == "accepted"
        assert len(reply["jobs"]) == 1
        job = await wait_for_job(reply["jobs"][0])

    assert job.status is JobStatus.SUCCEEDED, job.error_message
    asset = await models.Asset.get(id=job.asset_id)  # type: ignore[attr-defined]
    assert asset.status is AssetStatus.READY
    assert asset.source_type is SourceType.GENERATED
    assert asset.name == "out-0.mp4"
    assert asset.source_url == source.url("/out-0.mp4")
    assert (asset.width, asset.height) == (320, 180)
    assert asset.provider == "replicate"
    assert asset.provider_model == "acme/video-gen"
    assert asset.prompt == "a red fox in snow"
    assert asset.generation_params == {"seed": 7, "fps": 25}
    assert asset.external_job_id == "pred_f00d"
    assert asset.cost is None
    assert asset.generated_at == datetime(2025, 1, 2, 3, 4, 19, 654321, tzinfo=UTC)
    delivery = await models.WebhookDelivery.get(id="msg_ok")
    assert (delivery.provider, delivery.event) == ("replicate", "succeeded")
    assert delivery.external_id == "pred_f00d"
    assert delivery.outcome == "imported 1"
    assert delivery.owner_id == asset.owner_id == "local"
    assert delivery.payload is not None
    assert "logs" not in delivery.payload and "input" not in delivery.payload
    assert delivery.payload["metrics"] == {"predict_time": 12.5}


async def test_replayed_delivery_is_a_duplicate(
    http: httpx.AsyncClient, clips: Path
) -> None:
    async with serve_files(clips) as source:
        body = encode(prediction(output=source.url("/out-0.mp4")))
        headers = signed_headers(body, "msg_replay")
        first = await post(http, body, headers)
        assert first.status_code == 202, first.text
        await wait_for_job(first.json()["jobs"][0])
        second = await post(http, body, headers)

    assert second.status_code == 200
    assert second.json() == {"status": "duplicate", "jobs": []}
    assert await row_counts() == (1, 1, 1)


async def test_concurrent_deliveries_of_one_id_import_once(
    http: httpx.AsyncClient, clips: Path
) -> None:
    async with serve_files(clips) as source:
        body = encode(prediction(output=[source.url("/out-0.mp4")]))
        headers = signed_headers(body, "msg_twice")
        replies = await asyncio.gather(*(post(http, body, headers) for _ in range(2)))
        statuses = sorted(r.json()["status"] for r in replies)
        assert statuses == ["accepted", "duplicate"]
        for reply in replies:
            for job_id in reply.json()["jobs"]:
                await wait_for_job(job_id)
    assert await row_counts() == (1, 1, 1)


async def test_one_valid_signature_among_several_passes(
    http: httpx.AsyncClient,
) -> None:
    body = encode(prediction("failed"))
    headers = signed_headers(body, "msg_rotated")
    valid = headers["webhook-signature"]
    stale = sign(body, "msg_rotated", int(time.time()), OTHER_SECRET)
    headers["webhook-signature"] = f"{stale} v1a,c29tZXRoaW5n v1,!!! {valid}"

    response = await post(http, body, headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "recorded", "jobs": []}


@pytest.mark.parametrize("status", ["failed", "canceled"])
async def test_failed_and_canceled_predictions_are_recorded(
    http: httpx.AsyncClient, status: str
) -> None:
    body = encode(prediction(status, output=["https://example.invalid/x.mp4"]))

    response = await post(http, body, signed_headers(body, f"msg_{status}"))

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "recorded", "jobs": []}
    delivery = await models.WebhookDelivery.get(id=f"msg_{status}")
    assert (delivery.event, delivery.outcome) == (status, f"recorded {status}")
    assert delivery.external_id == "pred_f00d"
    assert await row_counts() == (1, 0, 0)


@pytest.mark.parametrize("status", ["starting", "processing"])
async def test_progress_events_are_ignored(
    http: httpx.AsyncClient, status: str
) -> None:
    body = encode(prediction(status))

    response = await post(http, body, signed_headers(body, f"msg_{status}"))

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ignored", "jobs": []}
    delivery = await models.WebhookDelivery.get(id=f"msg_{status}")
    assert delivery.outcome == "ignored"
    assert await row_counts() == (1, 0, 0)


@pytest.mark.parametrize(
    "output",
    [
        ["http://169.254.169.254/latest/meta-data/iam"],
        "http://10.0.0.1/out.mp4",
        "file:///etc/passwd",
        "http://[::1]:8080/out.mp4",
    ],
)
async def test_refused_output_url_writes_nothing(
    http: httpx.AsyncClient, output: Any
) -> None:
    body = encode(prediction(output=output))

    response = await post(http, body, signed_headers(body, "msg_ssrf"))

    assert_error(response, 422, "FORBIDDEN_URL")
    assert await row_counts() == (0, 0, 0)


async def test_one_refused_output_refuses_the_whole_delivery_until_corrected(
    http: httpx.AsyncClient, clips: Path
) -> None:
    async with serve_files(clips) as source:
        good = source.url("/out-0.mp4")
        body = encode(prediction(output=[good, "http://10.0.0.1/out-1.mp4"]))
        refused = await post(http, body, signed_headers(body, "msg_mixed"))
        assert_error(refused, 422, "FORBIDDEN_URL")
        assert await row_counts() == (0, 0, 0)

        # Nothing was stored, so a corrected retry with the same id still works.
        body = encode(prediction(output=[good]))
        retried = await post(http, body, signed_headers(body, "msg_mixed"))
        assert retried.status_code == 202, retried.text
        job = await wait_for_job(retried.json()["jobs"][0])
    assert job.status is JobStatus.SUCCEEDED


async def test_unknown_status_is_refused(http: httpx.AsyncClient) -> None:
    body = encode(prediction("exploded"))

    response = await post(http, body, signed_headers(body))

    assert_error(response, 400, "WEBHOOK_EVENT")
    assert await row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"status": "succeeded"}', b"\xff\xfe"]
)
async def test_malformed_body_is_refused(http: httpx.AsyncClient, body: bytes) -> None:
    response = await post(http, body, signed_headers(body))

    assert_error(response, 400, "WEBHOOK_PAYLOAD")
    assert await row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "missing", ["webhook-id", "webhook-timestamp", "webhook-signature"]
)
async def test_missing_header_is_refused(http: httpx.AsyncClient, missing: str) -> None:
    body = encode(prediction("failed"))
    headers = signed_headers(body)
    del headers[missing]

    response = await post(http, body, headers)

    assert_error(response, 400, "WEBHOOK_HEADERS")
    assert await row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("webhook-timestamp", "soon"),
        ("webhook-timestamp", "1.7e9"),
        ("webhook-timestamp", "-5"),
        ("webhook-signature", "v2,c2lnbmF0dXJl"),
        ("webhook-signature", "c2lnbmF0dXJl"),
        ("webhook-signature", "v1,not*base64"),
        ("webhook-id", "has space"),
    ],
)
async def test_malformed_header_is_refused(
    http: httpx.AsyncClient, name: str, value: str
) -> None:
    body = encode(prediction("failed"))
    headers = signed_headers(body)
    headers[name] = value

    response = await post(http, body, headers)

    assert_error(response, 400, "WEBHOOK_HEADERS")
    assert await row_counts() == (0, 0, 0)


async def test_wrong_secret_is_refused(http: httpx.AsyncClient) -> None:
    body = encode(prediction("failed"))
    headers = signed_headers(body)
    timestamp = int(headers["webhook-timestamp"])
    headers["webhook-signature"] = sign(body, "msg_1", timestamp, OTHER_SECRET)

    response = await post(http, body, headers)

    assert_error(response, 401, "WEBHOOK_SIGNATURE")
    assert await row_counts() == (0, 0, 0)


async def test_tampered_body_is_refused(http: httpx.AsyncClient) -> None:
    body = encode(prediction(output="http://127.0.0.1:1/a.mp4"))
    headers = signed_headers(body)
    tampered = body.replace(b"127.0.0.1:1", b"127.0.0.1:2")

    response = await post(http, tampered, headers)

    assert_error(response, 401, "WEBHOOK_SIGNATURE")
    assert await row_counts() == (0, 0, 0)


@pytest.mark.parametrize("offset", [-301, 301, -86400])
async def test_timestamp_outside_window_is_refused(
    http: httpx.AsyncClient, offset: int
) -> None:
    body = encode(prediction("failed"))
    headers = signed_headers(body, timestamp=int(time.time()) + offset)

    response = await post(http, body, headers)

    assert_error(response, 401, "WEBHOOK_TIMESTAMP")
    assert await row_counts() == (0, 0, 0)


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 65536):
        yield data[start : start + 65536]


@pytest.mark.parametrize("streamed", [False, True], ids=["length", "chunked"])
async def test_body_over_the_cap_is_refused(
    http: httpx.AsyncClient, streamed: bool
) -> None:
    payload = prediction("failed")
    payload["logs"] = "x" * MAX_BODY_BYTES
    body = encode(payload)
    headers = signed_headers(body)

    content = _chunks(body) if streamed else body
    response = await http.post("/webhooks/replicate", content=content, headers=headers)

    assert_error(response, 413, "TOO_LARGE")
    assert await row_counts() == (0, 0, 0)


async def test_unconfigured_secret_answers_503(
    http: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.settings.webhooks.replicate_secret = None
    body = encode(prediction("failed"))

    response = await post(http, body, signed_headers(body))

    assert_error(response, 503, "WEBHOOK_NOT_CONFIGURED")
    assert await row_counts() == (0, 0, 0)


async def test_the_app_serves_the_webhook_route(server: Server) -> None:
    """Wired into the real app: without a configured secret it answers 503."""
    async with httpx.AsyncClient(verify=TLS, base_url=server.url) as client:
        response = await client.post("/webhooks/replicate", content=b"{}")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "WEBHOOK_NOT_CONFIGURED"
