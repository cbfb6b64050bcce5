"""The `webhook` uploader: tells an in-house endpoint to publish a video.

It POSTs a JSON notification signed the Standard Webhooks way (the scheme our
Replicate receiver checks): headers `webhook-id`, `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with
the secret (`whsec_` + base64, or any other string used as is). The body holds a
presigned link to the verified file. The `webhook-id` is saved before sending
and sent again on a retry, so the endpoint can drop a repeated delivery.

The endpoint answers 2xx with `{"post_id": ..., "url": ...}` (the delivery id
stands in for a missing post id); 429 with Retry-After is a rate limit, other
4xx a refusal, 5xx and network errors are retried.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx

from gql_media.services.publishing import limits
from gql_media.services.publishing.uploaders.base import (
    Media,
    PermanentError,
    PublishMetadata,
    RateLimited,
    Resume,
    TransientError,
    Uploader,
    UploadResult,
)
from gql_media.services.publishing.uploaders.transport import tls_context
from gql_media.settings import Settings


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def sign(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class WebhookUploader(Uploader):
    platform = "webhook"

    def __init__(self, url: str, secret: str, timeout: float) -> None:
        self.url = url
        self.key = signing_key(secret)
        self.client = httpx.AsyncClient(
            verify=tls_context(), timeout=timeout, follow_redirects=False
        )

    def validate(self, metadata: PublishMetadata) -> list[str]:
        return []  # the in-house endpoint decides

    async def upload(
        self, media: Media, metadata: PublishMetadata, resume: Resume
    ) -> UploadResult:
        webhook_id = str(resume.state.get("webhook_id") or f"msg_{uuid.uuid4().hex}")
        if "webhook_id" not in resume.state:
            await resume.save({"webhook_id": webhook_id})
        link = await media.presigned_url()
        payload: dict[str, Any] = {
            "type": "publication.requested",
            "id": webhook_id,
            "video": {
                "url": link,
                "sha256": media.sha256,
                "size": media.size,
                "content_type": media.content_type,
            },
            "metadata": {
                "title": metadata.title,
                "caption": metadata.caption,
                "hashtags": metadata.hashtags,
                "privacy": metadata.privacy,
            },
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self.key, webhook_id, timestamp, body),
        }
        await limits.before_request()
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TransientError(f"webhook unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429:
            raise RateLimited(
                "the webhook endpoint is rate limiting", retry_after(response)
            )
        if response.status_code >= 500:
            raise TransientError(
                f"the webhook endpoint answered {response.status_code}"
            )
        if response.status_code >= 400 or response.status_code < 200:
            raise PermanentError(
                f"the webhook endpoint refused ({response.status_code}): "
                f"{response.text[:500]}"
            )
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        post_id = str(answer.get("post_id") or webhook_id)
        url = answer.get("url")
        return UploadResult(post_id=post_id, url=str(url) if url else None)

    async def close(self) -> None:
        await self.client.aclose()


def build(settings: Settings) -> Uploader | None:
    """The webhook uploader, or None when its URL or secret is not set."""
    config = settings.publishing
    if not config.webhook_url or not config.webhook_secret:
        return None
    return WebhookUploader(
        config.webhook_url, config.webhook_secret, config.webhook_timeout_seconds
    )
