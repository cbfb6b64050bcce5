"""YouTube: the Data API v3 resumable upload, with an OAuth refresh token.

Written from Google's public documentation:
- https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol
  (start a session with the video resource and X-Upload-Content-Length/-Type; the
  Location header is the session URI; PUT chunks with Content-Range; 308 Resume
  Incomplete with a Range header; 200/201 with the video resource; after an
  interruption PUT `Content-Range: bytes */SIZE` to learn what arrived; 404: the
  session expired, start again; chunks are multiples of 256 KiB)
- https://developers.google.com/youtube/v3/docs/channels/list and
  https://developers.google.com/youtube/v3/docs/playlistItems/list (the
  channel's uploads playlist: contentDetails.relatedPlaylists.uploads)
- https://developers.google.com/youtube/v3/docs/videos/insert (errors:
  400 invalidTitle/invalidDescription, 403 forbidden, quotaExceeded)
- https://developers.google.com/youtube/v3/docs/errors (quotaExceeded,
  rateLimitExceeded, uploadLimitExceeded; the quota resets at midnight Pacific)
- https://developers.google.com/identity/protocols/oauth2/web-server#offline
  (POST the token URL with grant_type=refresh_token for a new access token)

The session URI is saved through `resume.save` before the first byte goes out,
so the next attempt of an interrupted publication asks YouTube how much arrived
(or whether the video is already complete) instead of uploading a second video;
when the session has expired, it looks for a video of that title among the
channel's uploads since the session started before starting again.
"""

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
    UploadResult,
)
from gql_media.settings import Settings
from gql_media.settings_platforms import YouTubeSettings

logger = logging.getLogger(__name__)

PLATFORM = "youtube"
WATCH_URL = "https://www.youtube.com/watch?v="
_PRIVACY = {"public": "public", "unlisted": "unlisted", "private": "private"}
# Quota answers wait for the daily reset; rate answers only for a moment.
_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded"}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
# Platform and local clocks differ a little; a video a bit "older" still counts.
_CLOCK_SLACK = timedelta(minutes=5)


class YouTubeUploader(Uploader):
    """Uploads to the channel whose refresh token is in the settings."""

    platform = PLATFORM

    def __init__(self, settings: YouTubeSettings) -> None:
        self._settings = settings
        self._client = transport.new_client()
        self._access_token: str | None = None

    def validate(self, metadata: PublishMetadata) -> list[str]:
        problems = []
        title = (metadata.title or "").strip()
        if not title:
            problems.append("title is required")
        elif len(title) > 100:
            problems.append(f"title is over 100 characters ({len(title)})")
        if "<" in title or ">" in title:
            problems.append("title may not contain < or >")
        description = metadata.caption or ""
        # YouTube counts the description in UTF-8 bytes, the title in characters.
        if len(description.encode()) > 5000:
            problems.append(
                f"description is over 5,000 characters "
                f"({len(description.encode()):,} UTF-8 bytes)"
            )
        if "<" in description or ">" in description:
            problems.append("description may not contain < or >")
        tags = sum(len(tag.lstrip("#")) for tag in metadata.hashtags)
        if tags > 500:
            problems.append(f"hashtags are over 500 characters in all ({tags})")
        if metadata.privacy not in _PRIVACY:
            problems.append(
                f"privacy {metadata.privacy!r} is not public, unlisted or private"
            )
        return problems

    async def upload(
        self, media: Media, metadata: PublishMetadata, resume: Resume
    ) -> UploadResult:
        with transport.transport_errors(PLATFORM):
            session = resume.state.get("session_url")
            offset = 0
            if session:
                found = await self._query(session, media.size)
                if isinstance(found, UploadResult):
                    return found
                if found is None:
                    # The session expired: it may have finished before it did.
                    done = await self._find_uploaded(metadata, resume.state)
                    if done is not None:
                        return done
                    logger.info("youtube session expired, starting again: %s", session)
                    session = None
                else:
                    offset = found
            if not session:
                session = await self._start(media, metadata)
                await resume.save(
                    {"session_url": session, "started_at": clock.now().isoformat()}
                )
            return await self._send(session, media, offset)

    async def close(self) -> None:
        await self._client.aclose()

    async def _start(self, media: Media, metadata: PublishMetadata) -> str:
        resource = {
            "snippet": {
                "title": (metadata.title or "").strip(),
                "description": metadata.caption or "",
                "tags": [tag.lstrip("#") for tag in metadata.hashtags],
            },
            "status": {"privacyStatus": _PRIVACY.get(metadata.privacy, "private")},
        }
        url = self._settings.upload_base_url.rstrip("/") + "/videos"
        response = await self._call(
            "POST",
            url,
            params={"uploadType": "resumable", "part": "snippet,status"},
            headers={
                "X-Upload-Content-Length": str(media.size),
                "X-Upload-Content-Type": media.content_type,
            },
            json=resource,
        )
        location = response.headers.get("location")
        if response.status_code != 200 or not location:
            _raise_for(response)
            raise TransientError(f"youtube: no session URI ({response.status_code})")
        return str(location)

    async def _query(self, session: str, size: int) -> UploadResult | int | None:
        """What the session holds: the finished video, the next offset, or None
        when the session is gone (expired or unknown)."""
        response = await self._call(
            "PUT",
            session,
            headers={"Content-Range": f"bytes */{size}", "Content-Length": "0"},
        )
        if response.status_code in (404, 410):
            return None
        return self._progress(response)

    async def _find_uploaded(
        self, metadata: PublishMetadata, state: dict[str, Any]
    ) -> UploadResult | None:
        """A video of this title the channel got since the session started."""
        if not state.get("started_at"):
            return None
        since = datetime.fromisoformat(state["started_at"]) - _CLOCK_SLACK
        api = self._settings.api_base_url.rstrip("/")
        channels = await self._get(
            api + "/channels", {"part": "contentDetails", "mine": "true"}
        )
        items = channels.get("items") or [{}]
        details = items[0].get("contentDetails", {})
        uploads = details.get("relatedPlaylists", {}).get("uploads")
        if not uploads:
            return None
        listing = await self._get(
            api + "/playlistItems",
            {"part": "snippet", "playlistId": uploads, "maxResults": "50"},
        )
        title = (metadata.title or "").strip()
        for item in listing.get("items") or []:
            snippet = item.get("snippet", {})
            published = _parse_time(snippet.get("publishedAt"))
            video_id = snippet.get("resourceId", {}).get("videoId")
            if snippet.get("title") == title and published and published >= since:
                logger.info(
                    "youtube video %s found after its session expired", video_id
                )
                return UploadResult(
                    post_id=str(video_id), url=WATCH_URL + str(video_id)
                )
        return None

    async def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        response = await self._call("GET", url, headers={}, params=params)
        _raise_for(response)
        return transport.json_body(response)

    async def _send(self, session: str, media: Media, offset: int) -> UploadResult:
        cursor = transport.ByteCursor(media, offset)
        refreshed, stalled = False, 0
        try:
            while True:
                await cursor.seek(offset)
                end = min(offset + self._settings.chunk_size_bytes, media.size)
                response = await self._put_chunk(session, media, cursor, offset, end)
                if response.status_code == 401 and not refreshed:
                    # The token expired mid-upload: refresh it once, then ask the
                    # session what arrived (the rejected chunk's bytes were read).
                    refreshed = True
                    await self._refresh()
                    found = await self._query(session, media.size)
                    if found is None:
                        raise TransientError("youtube: upload session expired")
                else:
                    found = self._progress(response)
                if isinstance(found, UploadResult):
                    return found
                # A platform that keeps answering the same offset would loop.
                stalled = stalled + 1 if found <= offset else 0
                if stalled >= 3:
                    raise TransientError(f"youtube: no progress past byte {found}")
                offset = found
        finally:
            await cursor.aclose()

    async def _put_chunk(
        self,
        session: str,
        media: Media,
        cursor: transport.ByteCursor,
        offset: int,
        end: int,
    ) -> httpx.Response:
        if self._access_token is None:
            await self._refresh()
        headers = {
            "Authorization": f"Bearer {self._access_token}",
            "Content-Length": str(end - offset),
            "Content-Type": media.content_type,
            "Content-Range": f"bytes {offset}-{end - 1}/{media.size}",
        }
        return await self._client.put(
            session, headers=headers, content=cursor.window(end - offset)
        )

    def _progress(self, response: httpx.Response) -> UploadResult | int:
        """A session's answer: done (200/201), or 308 with the next offset."""
        if response.status_code in (200, 201):
            video_id = transport.json_body(response).get("id")
            if not video_id:
                raise TransientError("youtube: upload finished without a video id")
            return UploadResult(post_id=str(video_id), url=WATCH_URL + str(video_id))
        if response.status_code == 308:
            received = response.headers.get("range", "")
            # "bytes=0-N": bytes 0..N arrived; no header: nothing arrived yet.
            _, _, last = received.partition("-")
            return int(last) + 1 if last.isdigit() else 0
        _raise_for(response)
        raise TransientError(f"youtube: unexpected status {response.status_code}")

    async def _call(
        self, method: str, url: str, *, headers: dict[str, str], **kwargs: Any
    ) -> httpx.Response:
        """A bodiless or JSON request with the access token; on 401 the token is
        refreshed once and the request sent again."""
        for attempt in range(2):
            if self._access_token is None:
                await self._refresh()
            auth = {"Authorization": f"Bearer {self._access_token}"}
            response = await self._client.request(
                method, url, headers={**headers, **auth}, **kwargs
            )
            if response.status_code != 401 or attempt:
                return response
            self._access_token = None
        return response

    async def _refresh(self) -> None:
        settings = self._settings
        response = await self._client.post(
            settings.token_url,
            data={
                "client_id": settings.client_id or "",
                "client_secret": settings.client_secret or "",
                "refresh_token": settings.refresh_token or "",
                "grant_type": "refresh_token",
            },
        )
        data = transport.json_body(response)
        if response.status_code == 200 and data.get("access_token"):
            self._access_token = str(data["access_token"])
            return
        if response.status_code == 429:
            raise RateLimited(
                "youtube: token endpoint rate limited", transport.retry_after(response)
            )
        if response.status_code >= 500:
            raise TransientError(f"youtube: token endpoint {response.status_code}")
        reason = data.get("error_description") or data.get("error") or response.text
        raise PermanentError(f"youtube: access token refresh failed: {reason}")


def _raise_for(response: httpx.Response) -> None:
    """Turn an error answer into RateLimited, TransientError or PermanentError."""
    status = response.status_code
    if status < 400:
        return
    error = transport.json_body(response).get("error")
    error = error if isinstance(error, dict) else {}
    details = error.get("errors") or [{}]
    reason = str(details[0].get("reason", "")) if isinstance(details, list) else ""
    message = str(error.get("message") or response.text or f"HTTP {status}")
    text = f"youtube: {message}" + (f" ({reason})" if reason else "")
    if reason in _QUOTA_REASONS:
        wait = transport.retry_after(response)
        raise RateLimited(
            text,
            wait
            if wait is not None
            else transport.seconds_to_pacific_midnight(clock.now()),
        )
    if status == 429 or reason in _RATE_REASONS:
        raise RateLimited(text, transport.retry_after(response))
    if status >= 500:
        raise TransientError(text)
    raise PermanentError(text)


def _parse_time(value: object) -> datetime | None:
    """RFC 3339 times as the Data API writes them (2026-12-01T15:04:05Z)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def build(settings: Settings) -> Uploader | None:
    """The YouTube uploader, or None without a client and a refresh token."""
    youtube = settings.platforms.youtube
    if not (youtube.client_id and youtube.client_secret and youtube.refresh_token):
        return None
    return YouTubeUploader(youtube)
