"""Replicate webhooks: the Standard Webhooks check and acting once per delivery."""

import asyncio
import base64
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.datastructures import Headers

from gql_media import models
from gql_media.errors import ForbiddenUrl
from gql_media.runtime import Runtime
from gql_media.services.assets.replicate import (
    MAX_OUTPUTS,
    MAX_STORED_PAYLOAD,
    WebhookEvent,
    WebhookHeaders,
    WebhookNotConfigured,
    WebhookPayload,
    WebhookSignature,
    WebhookTimestamp,
    handle_replicate,
    verify_replicate,
)
from gql_media.services.assets.validation import MAX_PROMPT
from tests.conftest import wait_for_job
from tests.support.http_server import LocalHttpServer, serve_files

# The example delivery of the Standard Webhooks / Svix documentation.
DOC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
DOC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
DOC_TIMESTAMP = 1614265330
DOC_BODY = b'{"test": 2432232314}'
DOC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

SECRET = "whsec_" + base64.b64encode(b"service-test-signing-key").decode()
NOW = 1_750_000_000.0


def sign(body: bytes, webhook_id: str, timestamp: int, secret: str = SECRET) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, "sha256").digest()).decode()


def headers(body: bytes, timestamp: int = int(NOW), **extra: str) -> dict[str, str]:
    values = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(body, "msg_1", timestamp),
    }
    return values | {key.replace("_", "-"): value for key, value in extra.items()}


def test_documented_example_verifies() -> None:
    doc_headers = {
        "webhook-id": DOC_ID,
        "webhook-timestamp": str(DOC_TIMESTAMP),
        "webhook-signature": DOC_SIGNATURE,
    }
    webhook_id = verify_replicate(doc_headers, DOC_BODY, DOC_SECRET, 300, DOC_TIMESTAMP)
    assert webhook_id == DOC_ID
    with pytest.raises(WebhookSignature):
        verify_replicate(doc_headers, DOC_BODY + b" ", DOC_SECRET, 300, DOC_TIMESTAMP)


def test_header_names_are_case_insensitive() -> None:
    titled = Headers({k.title(): v for k, v in headers(b"{}").items()})
    assert verify_replicate(titled, b"{}", SECRET, 300, NOW) == "msg_1"


def test_secret_without_prefix_is_accepted() -> None:
    bare = SECRET.removeprefix("whsec_")
    assert verify_replicate(headers(b"{}"), b"{}", bare, 300, NOW) == "msg_1"


def test_invalid_secret_is_a_configuration_error() -> None:
    with pytest.raises(WebhookNotConfigured):
        verify_replicate(headers(b"{}"), b"{}", "whsec_not base64!", 300, NOW)


@pytest.mark.parametrize("offset", [-300, 300, 0])
def test_timestamps_at_the_window_edges_pass(offset: int) -> None:
    body = b"{}"
    assert verify_replicate(headers(body, int(NOW) + offset), body, SECRET, 300, NOW)


@pytest.mark.parametrize("offset", [-301, 301])
def test_timestamps_past_the_window_fail(offset: int) -> None:
    body = b"{}"
    with pytest.raises(WebhookTimestamp):
        verify_replicate(headers(body, int(NOW) + offset), body, SECRET, 300, NOW)


def test_any_matching_v1_signature_passes() -> None:
    body = b'{"id": "p"}'
    good = sign(body, "msg_1", int(NOW))
    other = sign(body, "msg_1", int(NOW), "whsec_" + base64.b64encode(b"x").decode())
    for value in (f"{other} {good}", f"v1a,abcd {good}", f"{good} v1,%%%"):
        assert verify_replicate(
            headers(body, webhook_signature=value), body, SECRET, 300, NOW
        )
    with pytest.raises(WebhookSignature):
        verify_replicate(
            headers(body, webhook_signature=f"{other} v1a,abcd"), body, SECRET, 300, NOW
        )


@pytest.mark.parametrize(
    "extra",
    [
        {"webhook_id": ""},
        {"webhook_id": "x" * 256},
        {"webhook_timestamp": ""},
        {"webhook_timestamp": " 1750000000"},
        {"webhook_timestamp": "1_750_000_000"},
        {"webhook_signature": ""},
        {"webhook_signature": "v1a,abcd v2,abcd"},
    ],
)
def test_malformed_headers_fail(extra: dict[str, str]) -> None:
    with pytest.raises(WebhookHeaders):
        verify_replicate(headers(b"{}", **extra), b"{}", SECRET, 300, NOW)


# handle_replicate, against the database.


@pytest.fixture
async def rt(runtime: Runtime) -> Runtime:
    await models.WebhookDelivery.all().delete()  # not among clean_db's tables
    return runtime


@pytest.fixture
async def missing() -> AsyncIterator[LocalHttpServer]:
    """A loopback server that answers 404, so import jobs end quickly."""
    async with serve_files({}) as server:
        yield server


def prediction(status: str = "succeeded", **fields: Any) -> dict[str, Any]:
    return {"id": "pred_1", "status": status, "input": {"prompt": "a cat"}} | fields


async def finish(job_ids: list[str]) -> list[models.Job]:
    return [await wait_for_job(job_id) for job_id in job_ids]


async def test_outputs_skip_text_and_repeats(
    rt: Runtime, missing: LocalHttpServer
) -> None:
    url = missing.url("/a.mp4")
    output = ["a caption", 3, None, {"url": url}, url, url, missing.url("/b.png")]

    outcome = await handle_replicate(rt, "o", "m1", prediction(output=output))
    await finish(outcome.jobs)

    assert outcome.status == "accepted"
    names = await models.Asset.all().order_by("name").values_list("name", flat=True)
    assert names == ["a.mp4", "b.png"]
    assert (await models.WebhookDelivery.get(id="m1")).outcome == "imported 2"


async def test_outputs_over_the_cap_import_the_first(
    rt: Runtime, missing: LocalHttpServer
) -> None:
    output = [missing.url(f"/{i}.png") for i in range(MAX_OUTPUTS + 5)]

    outcome = await handle_replicate(rt, "o", "m1", prediction(output=output))
    await finish(outcome.jobs)

    assert len(outcome.jobs) == MAX_OUTPUTS
    assert await models.Asset.filter(name=f"{MAX_OUTPUTS}.png").count() == 0


async def test_provenance_is_cut_to_fit_not_refused(
    rt: Runtime, missing: LocalHttpServer
) -> None:
    payload = prediction(
        output=missing.url("/clip%20one.mp4?sig=abc"),
        version="abc123",
        input={"prompt": "p" * (MAX_PROMPT + 10), "image": "data:" + "A" * 70_000},
        completed_at="2025-03-04T05:06:07",
    )

    outcome = await handle_replicate(rt, "o", "m1", payload)
    await finish(outcome.jobs)

    asset = await models.Asset.get(owner_id="o")
    assert asset.name == "clip one.mp4"
    assert asset.provider_model == "abc123"  # no "model": the version instead
    assert asset.prompt is not None and len(asset.prompt) == MAX_PROMPT
    assert asset.generation_params is None  # over the params size limit
    assert asset.generated_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


async def test_succeeded_without_media_is_recorded_with_a_capped_payload(
    rt: Runtime,
) -> None:
    tokens = ["word "] * 10_000  # a language model's output
    outcome = await handle_replicate(rt, "o", "m1", prediction(output=tokens))

    assert (outcome.status, outcome.jobs) == ("recorded", [])
    delivery = await models.WebhookDelivery.get(id="m1")
    assert delivery.outcome == "imported 0"
    assert delivery.payload == {"id": "pred_1", "status": "succeeded"}
    assert len(json.dumps(delivery.payload)) < MAX_STORED_PAYLOAD


async def test_concurrent_deliveries_record_once(rt: Runtime) -> None:
    outcomes = await asyncio.gather(
        *(handle_replicate(rt, "o", "m1", prediction("failed")) for _ in range(4))
    )

    assert sorted(o.status for o in outcomes) == ["duplicate"] * 3 + ["recorded"]
    assert await models.WebhookDelivery.all().count() == 1


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"status": "succeeded"}, WebhookPayload),
        ({"id": 5, "status": "failed"}, WebhookPayload),
        ({"id": "p", "status": "queued"}, WebhookEvent),
        ({"id": "p", "status": "succeeded", "output": "gopher://x/"}, ForbiddenUrl),
    ],
)
async def test_refused_payloads_write_nothing(
    rt: Runtime, payload: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        await handle_replicate(rt, "o", "m1", payload)
    assert await models.WebhookDelivery.all().count() == 0
    assert await models.Asset.all().count() == 0
    assert await models.Job.all().count() == 0
