"""TikTok: the Content Posting API's Direct Post, with the file sent in chunks.

Written from TikTok's public documentation:
- https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
  (POST /v2/post/publish/video/init/ with post_info and source_info FILE_UPLOAD,
  video_size, chunk_size, total_chunk_count -> data.publish_id, data.upload_url)
- https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
  (PUT each chunk to upload_url with Content-Range, in order; total_chunk_count
  is video_size // chunk_size, the last chunk takes the trailing bytes; a file
  smaller than a chunk goes up whole)
- https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status
  (POST /v2/post/publish/status/fetch/ {publish_id} -> status PROCESSING_UPLOAD,
  PROCESSING_DOWNLOAD, SEND_TO_USER_INBOX, PUBLISH_COMPLETE or FAILED, with
  fail_reason, publicaly_available_post_id [sic] and uploaded_bytes)
- https://developers.tiktok.com/doc/tiktok-api-v2-error-handling (error.code
  strings with their HTTP statuses: access_token_invalid 401,
  rate_limit_exceeded 429, spam_risk_too_many_posts, internal_error 500, ...)

The publish_id and upload_url are saved before the first chunk goes out; the
next attempt asks the status endpoint where that post stands and sends only the
chunks TikTok has not got, or just waits for the outcome, never a second init.
"""

import asyncio
import logging
from typing import Any

import httpx

from gql_media.services.publishing.uploaders import transport
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
from gql_media.settings import Settings
from gql_media.settings_platforms import TikTokSettings

logger = logging.getLogger(__name__)

PLATFORM = "tiktok"
# "unlisted" has no TikTok twin; mutual friends is the nearest non-public reach.
_PRIVACY = {
    "public": "PUBLIC_TO_EVERYONE",
    "unlisted": "MUTUAL_FOLLOW_FRIENDS",
    "private": "SELF_ONLY",
}
_RATE_CODES = {
    "rate_limit_exceeded",
    "spam_risk_too_many_posts",
    "spam_risk_too_many_pending_share",
    "reached_active_user_cap",
}
_TRANSIENT_CODES = {"internal_error"}
# Failed posts whose cause may pass: a new init is allowed for them.
_TRANSIENT_FAILURES = {"internal"}
_WAITING = {"PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"}


class TikTokUploader(Uploader):
    """Posts to the TikTok account whose access token is in the settings."""

    platform = PLATFORM

    def __init__(self, settings: TikTokSettings) -> None:
        self._settings = settings
        self._client = transport.new_client()

    def validate(self, metadata: PublishMetadata) -> list[str]:
        problems = transport.caption_problems(metadata)
        if metadata.privacy not in _PRIVACY:
            problems.append(
                f"privacy {metadata.privacy!r} is not public, unlisted or private"
            )
        return problems

    async def upload(
        self, media: Media, metadata: PublishMetadata, resume: Resume
    ) -> UploadResult:
        with transport.transport_errors(PLATFORM):
            state = resume.state
            if state.get("publish_id"):
                status = await self._status(state["publish_id"])
                done = await self._outcome(status, resume)
                if done is not None:
                    return done
                uploaded = int(status.get("uploaded_bytes") or 0)
                if (
                    status.get("status") == "PROCESSING_UPLOAD"
                    and uploaded < media.size
                ):
                    await self._send_chunks(state, media, uploaded, resume)
            else:
                state = await self._init(media, metadata)
                await resume.save(state)
                await self._send_chunks(state, media, 0, resume)
            return await self._wait(state["publish_id"], resume)

    async def close(self) -> None:
        await self._client.aclose()

    async def _init(self, media: Media, metadata: PublishMetadata) -> dict[str, Any]:
        chunk_size = min(self._settings.chunk_size_bytes, media.size)
        total = max(1, media.size // chunk_size)
        body = {
            "post_info": {
                "title": transport.caption_text(metadata),
                "privacy_level": _PRIVACY.get(metadata.privacy, "SELF_ONLY"),
            },
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": media.size,
                "chunk_size": chunk_size,
                "total_chunk_count": total,
            },
        }
        data = await self._api("/v2/post/publish/video/init/", body)
        if not data.get("publish_id") or not data.get("upload_url"):
            raise TransientError("tiktok: init answered without publish_id/upload_url")
        return {
            "publish_id": data["publish_id"],
            "upload_url": data["upload_url"],
            "chunk_size": chunk_size,
            "total_chunk_count": total,
        }

    async def _send_chunks(
        self, state: dict[str, Any], media: Media, uploaded: int, resume: Resume
    ) -> None:
        """PUT the chunks from the one holding byte `uploaded` on, in order."""
        chunk_size, total = int(state["chunk_size"]), int(state["total_chunk_count"])
        first = min(uploaded // chunk_size, total - 1)
        cursor = transport.ByteCursor(media, first * chunk_size)
        try:
            for index in range(first, total):
                start = index * chunk_size
                end = media.size if index == total - 1 else start + chunk_size
                response = await self._client.put(
                    state["upload_url"],
                    headers={
                        "Content-Type": media.content_type,
                        "Content-Length": str(end - start),
                        "Content-Range": f"bytes {start}-{end - 1}/{media.size}",
                    },
                    content=cursor.window(end - start),
                )
                if response.status_code in (200, 201, 206):
                    continue
                if response.status_code == 429 or response.status_code >= 500:
                    _raise_for(response)
                # The upload URL refuses (it lives an hour): that post can never
                # complete, so a new init next time cannot post twice.
                await resume.save({})
                raise TransientError(
                    f"tiktok: the upload URL answered {response.status_code}; "
                    "the next attempt starts a new post"
                )
        finally:
            await cursor.aclose()

    async def _wait(self, publish_id: str, resume: Resume) -> UploadResult:
        """Poll the status until TikTok has published (or failed) the post."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.poll_timeout_seconds
        while True:
            done = await self._outcome(await self._status(publish_id), resume)
            if done is not None:
                return done
            if loop.time() >= deadline:
                raise TransientError(f"tiktok: {publish_id} is still processing")
            await asyncio.sleep(self._settings.poll_interval_seconds)

    async def _outcome(
        self, status: dict[str, Any], resume: Resume
    ) -> UploadResult | None:
        """The result of a finished post, an error for a failed one, else None."""
        match status.get("status"):
            case "PUBLISH_COMPLETE" | "SEND_TO_USER_INBOX":
                ids = status.get("publicaly_available_post_id") or []
                # A private post gets no public id; the publish_id names it then.
                # No URL: TikTok's links need the account's @name, not ours.
                post_id = str(ids[0]) if ids else str(status["publish_id"])
                return UploadResult(post_id=post_id)
            case "FAILED":
                reason = str(status.get("fail_reason") or "unknown")
                if reason in _TRANSIENT_FAILURES or reason in _RATE_CODES:
                    # That post is over; the next attempt must init a new one.
                    await resume.save({})
                    if reason in _RATE_CODES:
                        raise RateLimited(f"tiktok: post failed: {reason}")
                    raise TransientError(f"tiktok: post failed: {reason}")
                raise PermanentError(f"tiktok: post failed: {reason}")
            case None:
                raise TransientError("tiktok: status answered without a status")
        return None

    async def _status(self, publish_id: str) -> dict[str, Any]:
        data = await self._api(
            "/v2/post/publish/status/fetch/", {"publish_id": publish_id}
        )
        return {**data, "publish_id": publish_id}

    async def _api(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._client.post(
            self._settings.api_base_url.rstrip("/") + path,
            headers={
                "Authorization": f"Bearer {self._settings.access_token}",
                "Content-Type": "application/json; charset=UTF-8",
            },
            json=body,
        )
        _raise_for(response)
        data = transport.json_body(response).get("data")
        return data if isinstance(data, dict) else {}


def _raise_for(response: httpx.Response) -> None:
    """Map TikTok's error struct (or a bare HTTP status) onto the typed errors."""
    error = transport.json_body(response).get("error")
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "")
    status = response.status_code
    if status < 400 and code in ("", "ok"):
        return
    message = str(error.get("message") or response.text or f"HTTP {status}")
    text = f"tiktok: {message}" + (f" ({code})" if code else "")
    if status == 429 or code in _RATE_CODES:
        raise RateLimited(text, transport.retry_after(response))
    if status >= 500 or code in _TRANSIENT_CODES:
        raise TransientError(text)
    raise PermanentError(text)


def build(settings: Settings) -> Uploader | None:
    """The TikTok uploader, or None without an access token."""
    tiktok = settings.platforms.tiktok
    return TikTokUploader(tiktok) if tiktok.access_token else None
