"""Instagram: a Reel through the Graph API's container, from a presigned URL.

Written from Meta's public documentation:
- https://developers.facebook.com/docs/instagram-platform/content-publishing/
  (POST /{ig-user-id}/media with media_type=REELS, video_url, caption -> a
  container id; Instagram cURLs the video from the URL; GET
  /{container-id}?fields=status_code until FINISHED (EXPIRED, ERROR,
  IN_PROGRESS, PUBLISHED); POST /{ig-user-id}/media_publish creation_id -> the
  media id; captions hold at most 2,200 characters and 30 hashtags)
- https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
  (GET /{ig-user-id}/media and /{media-id}: id, caption, permalink, timestamp)
- https://developers.facebook.com/docs/graph-api/overview/rate-limiting and
  https://developers.facebook.com/docs/graph-api/guides/error-handling (error
  codes 4, 17, 32, 613 and HTTP 429: throttled, X-Business-Use-Case-Usage's
  estimated_time_to_regain_access in minutes; 190: the access token is invalid;
  is_transient / codes 1 and 2: retry)

Only media_publish posts, so a container is cheap to make again; it is saved
before it is published, and the next attempt asks that container where it
stands: PUBLISHED means the post exists, and its media is looked up by caption
among the account's newest media instead of being published a second time.
"""

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any

import httpx

from gql_media.kit import clock
from gql_media.services.publishing.uploaders import transport
from gql_media.services.publishing.uploaders.base import (
    Media,
    PermanentError,
    PublishMetadata,
    RateLimited,
    Resume,
    TransientError,
    Uploader,
    UploadError,
    UploadResult,
)
from gql_media.settings import Settings
from gql_media.settings_platforms import InstagramSettings

logger = logging.getLogger(__name__)

PLATFORM = "instagram"
_RATE_CODES = {4, 17, 32, 613}
_TRANSIENT_CODES = {1, 2}
_TOKEN_CODE = 190
# Publish times are whole seconds; the media may be stamped just before our clock.
_CLOCK_SLACK = timedelta(minutes=5)


class InstagramUploader(Uploader):
    """Publishes Reels to the professional account named in the settings."""

    platform = PLATFORM

    def __init__(self, settings: InstagramSettings) -> None:
        self._settings = settings
        self._client = transport.new_client()
        self._base = settings.graph_base_url.rstrip("/")

    def validate(self, metadata: PublishMetadata) -> list[str]:
        return transport.caption_problems(metadata)

    async def upload(
        self, media: Media, metadata: PublishMetadata, resume: Resume
    ) -> UploadResult:
        caption = transport.caption_text(metadata)
        with transport.transport_errors(PLATFORM):
            state = dict(resume.state)
            if state.get("container_id"):
                status, _ = await self._status(state["container_id"])
                if status == "PUBLISHED":
                    return await self._find_published(state, caption)
                if status in ("EXPIRED", "ERROR"):
                    # Never published, so a new container cannot post twice.
                    logger.info(
                        "instagram container %s is %s; making another",
                        state["container_id"],
                        status,
                    )
                    state = {}
            if not state.get("container_id"):
                state = {
                    "container_id": await self._create(media, caption),
                    "created_at": clock.now().isoformat(),
                }
                await resume.save(state)
            await self._wait_finished(state["container_id"], resume)
            media_id = await self._publish(state["container_id"])
            return UploadResult(post_id=media_id, url=await self._permalink(media_id))

    async def close(self) -> None:
        await self._client.aclose()

    async def _create(self, media: Media, caption: str) -> str:
        data = await self._graph(
            "POST",
            f"/{self._settings.ig_user_id}/media",
            data={
                "media_type": "REELS",
                "video_url": await media.presigned_url(),
                "caption": caption,
            },
        )
        if not data.get("id"):
            raise TransientError("instagram: the container came back without an id")
        return str(data["id"])

    async def _status(self, container_id: str) -> tuple[str, str]:
        """The container's status_code and its status text (ERROR's reason)."""
        data = await self._graph(
            "GET", f"/{container_id}", params={"fields": "status_code,status"}
        )
        return str(data.get("status_code") or ""), str(data.get("status") or "")

    async def _wait_finished(self, container_id: str, resume: Resume) -> None:
        """Poll until Instagram has fetched and processed the video."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.poll_timeout_seconds
        while True:
            status, detail = await self._status(container_id)
            match status:
                case "FINISHED":
                    return
                case "ERROR":
                    # The container is dead; a hand retry makes a new one.
                    await resume.save({})
                    raise PermanentError(
                        f"instagram: container {container_id}: "
                        f"{detail or 'the video was not processed'}"
                    )
                case "EXPIRED":
                    await resume.save({})
                    raise TransientError(f"instagram: container {container_id} expired")
                case "PUBLISHED":
                    raise TransientError(f"instagram: {container_id} already published")
            if loop.time() >= deadline:
                # Kept in the resume state: the next attempt polls it again.
                raise TransientError(f"instagram: {container_id} is still processing")
            await asyncio.sleep(self._settings.poll_interval_seconds)

    async def _publish(self, container_id: str) -> str:
        data = await self._graph(
            "POST",
            f"/{self._settings.ig_user_id}/media_publish",
            data={"creation_id": container_id},
        )
        if not data.get("id"):
            raise TransientError("instagram: media_publish answered without an id")
        return str(data["id"])

    async def _find_published(
        self, state: dict[str, Any], caption: str
    ) -> UploadResult:
        """The media an earlier attempt published (its answer was lost)."""
        since = datetime.fromisoformat(state["created_at"]) - _CLOCK_SLACK
        data = await self._graph(
            "GET",
            f"/{self._settings.ig_user_id}/media",
            params={"fields": "id,caption,permalink,timestamp", "limit": "50"},
        )
        for item in data.get("data") or []:
            stamp = _parse_time(item.get("timestamp"))
            if item.get("caption", "") == caption and stamp and stamp >= since:
                return UploadResult(post_id=str(item["id"]), url=item.get("permalink"))
        raise PermanentError(
            f"instagram: container {state['container_id']} was published but its "
            "media was not found among the account's newest; not posting again"
        )

    async def _permalink(self, media_id: str) -> str | None:
        """The post's link; the post exists even if this lookup fails."""
        try:
            data = await self._graph(
                "GET", f"/{media_id}", params={"fields": "permalink"}
            )
        except (UploadError, httpx.TransportError):
            logger.warning("instagram media %s: no permalink", media_id)
            return None
        permalink = data.get("permalink")
        return str(permalink) if permalink else None

    async def _graph(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._client.request(
            method,
            self._base + path,
            headers={"Authorization": f"Bearer {self._settings.access_token}"},
            **kwargs,
        )
        _raise_for(response)
        return transport.json_body(response)


def _raise_for(response: httpx.Response) -> None:
    """Map a Graph API error onto RateLimited, TransientError or PermanentError."""
    status = response.status_code
    if status < 400:
        return
    error = transport.json_body(response).get("error")
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    message = str(error.get("message") or response.text or f"HTTP {status}")
    text = f"instagram: {message}" + (f" (code {code})" if code is not None else "")
    if status == 429 or code in _RATE_CODES:
        raise RateLimited(text, _wait_seconds(response))
    if code == _TOKEN_CODE:
        raise PermanentError(text)
    if status >= 500 or error.get("is_transient") or code in _TRANSIENT_CODES:
        raise TransientError(text)
    raise PermanentError(text)


def _wait_seconds(response: httpx.Response) -> float | None:
    """Retry-After, else the longest estimated_time_to_regain_access (minutes)."""
    wait = transport.retry_after(response)
    if wait is not None:
        return wait
    minutes = []
    for header in ("x-business-use-case-usage", "x-app-usage"):
        try:
            usage = json.loads(response.headers.get(header, "{}"))
        except ValueError:
            continue
        entries = usage.values() if isinstance(usage, dict) else []
        for entry in entries:
            for item in entry if isinstance(entry, list) else [entry]:
                if isinstance(item, dict) and "estimated_time_to_regain_access" in item:
                    minutes.append(float(item["estimated_time_to_regain_access"]))
    return max(minutes) * 60 if minutes else None


def _parse_time(value: object) -> datetime | None:
    """Graph timestamps look like 2026-12-01T15:04:05+0000."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def build(settings: Settings) -> Uploader | None:
    """The Instagram uploader, or None without an access token and account id."""
    instagram = settings.platforms.instagram
    if not (instagram.access_token and instagram.ig_user_id):
        return None
    return InstagramUploader(instagram)
