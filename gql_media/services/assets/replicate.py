"""Webhooks from generation providers: check Replicate's signature, then act once.

Replicate signs with Standard Webhooks: HMAC-SHA256 over "<id>.<timestamp>.<body>".
We would use a library for it, but neither `standardwebhooks` nor `svix` is among
our dependencies, so the check is written out below (compared in constant time) and
tested against the example published with the spec.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import GqlMediaError, InvalidInput
from gql_media.media.urls import ParsedUrl, check_url_syntax
from gql_media.runtime import Runtime
from gql_media.services.assets import imports
from gql_media.services.assets import library as assets
from gql_media.services.assets.validation import (
    MAX_NAME,
    MAX_PROMPT,
    AssetDetails,
    Provenance,
    check_json_object,
    name_from_url,
)
from gql_media.services.jobs import lifecycle as jobs

logger = logging.getLogger(__name__)

PROVIDER = "replicate"
# Outputs imported from one prediction; image models give a handful at most.
MAX_OUTPUTS = 20
# A kept body over this size is cut to its id, model, version and status.
MAX_STORED_PAYLOAD = 16 * 1024
# What a stored delivery keeps of the body: not the input, not the logs.
_STORED_KEYS = (
    "id", "model", "version", "status", "error", "metrics", "output",
    "created_at", "completed_at",
)  # fmt: skip
_IN_PROGRESS = ("starting", "processing")
_FINISHED = ("succeeded", "failed", "canceled")
_ID = re.compile(r"[\x21-\x7e]{1,255}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Any scheme: a "file://" output is refused, plain text outputs are skipped.
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class WebhookError(GqlMediaError):
    """A delivery refused before anything was done; nothing was written."""


class WebhookNotConfigured(WebhookError):
    code = "WEBHOOK_NOT_CONFIGURED"


class WebhookHeaders(WebhookError):
    code = "WEBHOOK_HEADERS"


class WebhookSignature(WebhookError):
    code = "WEBHOOK_SIGNATURE"


class WebhookTimestamp(WebhookError):
    code = "WEBHOOK_TIMESTAMP"


class WebhookPayload(WebhookError):
    code = "WEBHOOK_PAYLOAD"


class WebhookEvent(WebhookError):
    code = "WEBHOOK_EVENT"


def verify_replicate(
    headers: Mapping[str, str], body: bytes, secret: str, tolerance: int, now: float
) -> str:
    """Check a delivery's Standard Webhooks signature over the raw body.

    Args:
        headers: the request headers (lower-case names or a case-insensitive map).
        body: the raw body, exactly as received.
        secret: the signing secret, "whsec_" and base64.
        tolerance: seconds the timestamp may differ from `now`, either way.
        now: the current unix time.

    Returns:
        The delivery id (`webhook-id`), the same for every retry of a delivery.

    Raises:
        WebhookNotConfigured: the secret is not valid base64.
        WebhookHeaders: a header is missing or malformed, or no v1 signature.
        WebhookTimestamp: the timestamp is outside the window (a stale replay).
        WebhookSignature: no v1 signature matches.
    """
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookNotConfigured("the webhook secret is not valid") from None
    webhook_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    if not _ID.fullmatch(webhook_id):
        raise WebhookHeaders("missing or malformed webhook-id header")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookHeaders("missing or malformed webhook-timestamp header")
    if abs(now - int(timestamp)) > tolerance:
        raise WebhookTimestamp("the webhook timestamp is outside the allowed window")
    signatures = []
    for entry in headers.get("webhook-signature", "").split():
        version, _, encoded = entry.partition(",")
        if version != "v1":
            continue  # other schemes (e.g. v1a, asymmetric) are not ours
        try:
            signatures.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    if not signatures:
        raise WebhookHeaders("missing or malformed webhook-signature header")
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    # Check every entry, so the time taken does not say which one matched.
    matches = [hmac.compare_digest(expected, sig) for sig in signatures]
    if not any(matches):
        raise WebhookSignature("no webhook signature matches")
    return webhook_id


@dataclass(frozen=True)
class Outcome:
    """What a delivery led to; `jobs` are the import jobs it queued."""

    status: Literal["accepted", "duplicate", "recorded", "ignored"]
    jobs: list[str] = field(default_factory=list)


async def handle_replicate(
    runtime: Runtime, owner_id: str, webhook_id: str, payload: dict[str, Any]
) -> Outcome:
    """Act on a verified Replicate prediction delivery, at most once per id.

    A succeeded prediction imports each output URL (PENDING asset, QUEUED job,
    generation provenance); failed and canceled ones are only recorded; starting
    and processing ones are recorded as ignored. The delivery row and the assets
    and jobs are written in one transaction, so a retry after an error starts over
    and a replay finds the row and does nothing.

    Args:
        runtime: the process's backends; jobs are enqueued after the commit.
        owner_id: who the assets belong to.
        webhook_id: the verified delivery id.
        payload: the parsed body, a Replicate prediction.

    Returns:
        The outcome: "accepted" with job ids, "recorded", "ignored" or "duplicate".

    Raises:
        WebhookPayload: no prediction id or status.
        WebhookEvent: a status Replicate does not send.
        ForbiddenUrl: an output URL is refused; nothing is written, so a corrected
            delivery can still be processed.
        FetchFailed: an output host does not resolve.
    """
    prediction_id, status = payload.get("id"), payload.get("status")
    if not isinstance(prediction_id, str) or not isinstance(status, str):
        raise WebhookPayload("the body is not a Replicate prediction")
    if status not in _IN_PROGRESS + _FINISHED:
        raise WebhookEvent(f"unknown prediction status {status[:32]!r}")
    if await models.WebhookDelivery.exists(id=webhook_id):
        return Outcome("duplicate")
    urls = await _checked_outputs(runtime, payload) if status == "succeeded" else []
    details = _details(payload)
    job_ids: list[str] = []
    note = "ignored" if status in _IN_PROGRESS else f"recorded {status}"
    if status == "succeeded":
        note = f"imported {len(urls)}"
    try:
        async with in_transaction():
            await models.WebhookDelivery.create(
                id=webhook_id,
                provider=PROVIDER,
                event=status,
                external_id=prediction_id[:MAX_NAME],
                owner_id=owner_id,
                outcome=note,
                payload=_trimmed(payload),
            )
            for url in urls:
                _, job = await assets.insert_import(
                    runtime, owner_id, url.url, _named(details, url)
                )
                job_ids.append(str(job.id))
    except IntegrityError:
        if await models.WebhookDelivery.exists(id=webhook_id):
            return Outcome("duplicate")  # a concurrent delivery of it won
        raise
    for job_id in job_ids:  # after the commit
        await jobs.enqueue(runtime, job_id)
    logger.info("webhook %s, prediction %s: %s", webhook_id, prediction_id, note)
    if job_ids:
        return Outcome("accepted", job_ids)
    return Outcome("ignored" if status in _IN_PROGRESS else "recorded")


async def _checked_outputs(
    runtime: Runtime, payload: dict[str, Any]
) -> list[ParsedUrl]:
    """The output URLs, all checked before anything is written (outside the
    transaction, see `imports.check_hosts`)."""
    output = payload.get("output")
    items = output if isinstance(output, list) else [output]
    candidates = [i for i in items if isinstance(i, str) and _URL_LIKE.match(i)]
    urls = list({u.url: u for u in map(check_url_syntax, candidates)}.values())
    if len(urls) > MAX_OUTPUTS:
        logger.warning("prediction %s has %d outputs; importing the first %d",
                       payload["id"], len(urls), MAX_OUTPUTS)  # fmt: skip
        urls = urls[:MAX_OUTPUTS]
    await imports.check_hosts(runtime, urls)
    return urls


def _details(payload: dict[str, Any]) -> AssetDetails:
    """Provenance from the prediction, cut to fit rather than refused."""
    inputs = payload.get("input")
    if not isinstance(inputs, dict):
        inputs = {}
    prompt = inputs.get("prompt")
    params: dict[str, Any] | None = {k: v for k, v in inputs.items() if k != "prompt"}
    try:
        check_json_object(params, "params")
    except InvalidInput:
        params = None  # e.g. an input image sent as a data URI
    model = payload.get("model") or payload.get("version")
    provenance = Provenance(
        provider=PROVIDER,
        model=model[:MAX_NAME] if isinstance(model, str) else None,
        prompt=prompt[:MAX_PROMPT] if isinstance(prompt, str) else None,
        params=params,
        external_job_id=payload["id"][:MAX_NAME],
        completed_at=_parse_time(payload.get("completed_at")),
    )
    return AssetDetails(provenance=provenance.validate())


def _named(details: AssetDetails, url: ParsedUrl) -> AssetDetails:
    """The details with a name from the URL's last path segment."""
    fallback = details.provenance.external_job_id if details.provenance else None
    return AssetDetails(
        name=name_from_url(url.url) or fallback, provenance=details.provenance
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _trimmed(payload: dict[str, Any]) -> dict[str, Any]:
    """The body without input (prompts, data URIs) and logs, capped in size."""
    kept = {key: payload[key] for key in _STORED_KEYS if key in payload}
    if len(json.dumps(kept, default=str)) <= MAX_STORED_PAYLOAD:
        return kept
    short = {key: payload.get(key) for key in ("id", "model", "version", "status")}
    return {key: v[:MAX_NAME] for key, v in short.items() if isinstance(v, str)}
