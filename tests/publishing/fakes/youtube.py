"""A fake YouTube Data API v3 (OAuth token, resumable upload, uploads listing).

Written from the public documentation cited in
gql_media/services/publishing/uploaders/youtube.py: the session URI comes back in
Location; a PUT with `Content-Range: bytes a-b/size` appends, answered by 308
with `Range: bytes=0-N` until the last byte, then 201 with the video resource;
`Content-Range: bytes */size` asks for the status; an unknown session is 404.
Bytes of a dropped request are kept up to a 256 KiB boundary, as Google persists
resumable uploads in 256 KiB units.
"""

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.publishing.fakes.server import FakePlatform, Head, Request, Response

CLIENT_ID = "client-123.apps.googleusercontent.com"
CLIENT_SECRET = "client-secret"
REFRESH_TOKEN = "1//refresh-token"
UNIT = 256 * 1024
UPLOADS = "UUfake-uploads"


def error(
    status: int,
    reason: str,
    message: str,
    domain: str = "youtube.video",
    headers: list[tuple[str, str]] | None = None,
) -> Response:
    """An error answer in the Data API's JSON shape."""
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return Response.json(status, body, headers)


def quota_exceeded() -> Response:
    return error(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your quota.",
        "youtube.quota",
    )


def rate_limited(retry_after: int) -> Response:
    return error(
        429,
        "rateLimitExceeded",
        "Too many requests.",
        "usageLimits",
        [("Retry-After", str(retry_after))],
    )


def backend_error() -> Response:
    return error(503, "backendError", "Backend Error", "global")


def forbidden(
    message: str = "The request is not properly authorized to upload this video.",
) -> Response:
    return error(403, "forbidden", message)


@dataclass
class Session:
    id: str
    size: int
    content_type: str
    resource: dict[str, object]
    data: bytearray = field(default_factory=bytearray)
    video_id: str | None = None


@dataclass
class Video:
    id: str
    title: str
    sha256: str
    size: int
    published_at: datetime


class FakeYouTube(FakePlatform):
    """Records `sessions` (initiated uploads) and `videos` (finished ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, Session] = {}
        self.videos: list[Video] = []
        self.valid_tokens: set[str] = set()
        self._ids = itertools.count(1)

    def expire_tokens(self) -> None:
        """Every access token issued so far now answers 401."""
        self.valid_tokens.clear()

    def endpoint(self, head: Head) -> str:
        if head.path == "/token":
            return "token"
        if head.path.startswith("/upload/youtube/v3/videos"):
            if head.method == "POST":
                return "initiate"
            star = head.headers.get("content-range", "").startswith("bytes */")
            return "status" if star else "chunk"
        return head.path.removeprefix("/youtube/v3/")

    async def handle(self, endpoint: str, request: Request) -> Response:
        if endpoint == "token":
            return self._token(request)
        if request.headers.get("authorization", "")[7:] not in self.valid_tokens:
            return error(401, "authError", "Invalid Credentials", "global")
        if endpoint == "initiate":
            return self._initiate(request)
        if endpoint in ("channels", "playlistItems"):
            return self._uploads(endpoint, request)
        session = self.sessions.get(request.query.get("upload_id", ""))
        if session is None:
            return error(404, "notFound", "Upload session not found", "global")
        if endpoint == "status":
            return self._answer(session)
        return self._chunk(session, request)

    def _uploads(self, endpoint: str, request: Request) -> Response:
        """channels.list?mine=true and playlistItems.list of the uploads."""
        if endpoint == "channels":
            uploads = {"relatedPlaylists": {"uploads": UPLOADS}}
            return Response.json(
                200, {"items": [{"id": "UCfake", "contentDetails": uploads}]}
            )
        if request.query.get("playlistId") != UPLOADS:
            return error(
                404, "playlistNotFound", "Playlist not found", "youtube.playlistItem"
            )
        items = [
            {
                "snippet": {
                    "title": video.title,
                    "publishedAt": video.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "resourceId": {"kind": "youtube#video", "videoId": video.id},
                }
            }
            for video in reversed(self.videos)
        ]
        return Response.json(200, {"items": items})

    def dropped(self, endpoint: str, request: Request) -> None:
        session = self.sessions.get(request.query.get("upload_id", ""))
        if endpoint == "chunk" and session is not None:
            first = int(request.headers["content-range"].split()[1].split("-")[0])
            if first == len(session.data):
                kept = (first + len(request.body)) // UNIT * UNIT
                session.data += request.body[: max(0, kept - first)]

    def _token(self, request: Request) -> Response:
        form = request.form()
        if (
            form.get("grant_type"),
            form.get("client_id"),
            form.get("refresh_token"),
            form.get("client_secret"),
        ) != ("refresh_token", CLIENT_ID, REFRESH_TOKEN, CLIENT_SECRET):
            return Response.json(
                400, {"error": "invalid_grant", "error_description": "Bad Request"}
            )
        token = f"ya29.token-{next(self._ids)}"
        self.valid_tokens.add(token)
        return Response.json(
            200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        )

    def _initiate(self, request: Request) -> Response:
        resource = request.json()
        title = str(resource.get("snippet", {}).get("title", ""))
        if not title or len(title) > 100 or "<" in title or ">" in title:
            return error(
                400,
                "invalidTitle",
                "The request metadata specifies an invalid or empty video title.",
            )
        session = Session(
            id=f"session-{next(self._ids)}",
            size=int(request.headers["x-upload-content-length"]),
            content_type=request.headers["x-upload-content-type"],
            resource=resource,
        )
        self.sessions[session.id] = session
        location = (
            f"{self.base_url}/upload/youtube/v3/videos?uploadType=resumable"
            f"&upload_id={session.id}"
        )
        return Response(200, headers=[("Location", location)])

    def _chunk(self, session: Session, request: Request) -> Response:
        span, _, total = request.headers["content-range"].split()[1].partition("/")
        first, _, last = span.partition("-")
        if int(total) != session.size or int(last) - int(first) + 1 != len(
            request.body
        ):
            return error(400, "badContent", "Content-Range does not match the body")
        if int(first) == len(session.data) and session.video_id is None:
            session.data += request.body
        return self._answer(session)

    def _answer(self, session: Session) -> Response:
        if session.video_id is None and len(session.data) == session.size:
            session.video_id = f"vid{next(self._ids):08d}"
            snippet = session.resource.get("snippet", {})
            self.videos.append(
                Video(
                    id=session.video_id,
                    title=str(snippet.get("title")),  # type: ignore[union-attr]
                    sha256=hashlib.sha256(session.data).hexdigest(),
                    size=len(session.data),
                    published_at=datetime.now(UTC),
                )
            )
        if session.video_id is not None:
            return Response.json(
                201,
                {
                    "kind": "youtube#video",
                    "id": session.video_id,
                    "status": {"uploadStatus": "uploaded"},
                },
            )
        headers = (
            [("Range", f"bytes=0-{len(session.data) - 1}")] if session.data else []
        )
        return Response(308, headers=headers)
