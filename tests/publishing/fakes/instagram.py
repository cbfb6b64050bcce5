"""A fake Instagram Graph API for Reels: containers, status, publish, media.

Written from the public documentation cited in
gql_media/services/publishing/uploaders/instagram.py. Creating a container
starts a real download of its video_url (as Instagram cURLs it), so the
container is IN_PROGRESS until the bytes arrived, then FINISHED, or ERROR when
the download fails; media_publish turns a FINISHED container into a media
(PUBLISHED) and refuses any other; errors come in the Graph API's
{"error": {message, type, code, error_subcode, is_transient, fbtrace_id}} shape.
"""

import asyncio
import hashlib
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from tests.publishing.fakes.server import FakePlatform, Head, Request, Response
from tests.support.tls import TLS

ACCESS_TOKEN = "EAAG-example-token"
IG_USER_ID = "17841400000000001"


def error(
    status: int,
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    transient: bool = False,
    headers: list[tuple[str, str]] | None = None,
) -> Response:
    body: dict[str, object] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "is_transient": transient,
        "fbtrace_id": "AbCdEf",
    }
    if subcode is not None:
        body["error_subcode"] = subcode
    return Response.json(status, {"error": body}, headers)


def too_many_calls(retry_after: int) -> Response:
    return Response.json(
        429,
        {"error": {"message": "Too many calls", "code": 4, "type": "OAuthException"}},
        [("Retry-After", str(retry_after))],
    )


def publishing_limit() -> Response:
    """The account's rate limit (code 32), with Meta's usage header."""
    usage = (
        '{"' + IG_USER_ID + '": [{"type": "instagram", "call_count": 100, '
        '"total_cputime": 10, "total_time": 10, '
        '"estimated_time_to_regain_access": 12}]}'
    )
    return error(
        400,
        32,
        "Page request limit reached",
        headers=[("X-Business-Use-Case-Usage", usage)],
    )


def token_expired() -> Response:
    return error(
        400, 190, "Error validating access token: Session has expired.", subcode=463
    )


def unexpected() -> Response:
    return error(
        500,
        2,
        "An unexpected error has occurred. Please retry your request later.",
        transient=True,
    )


@dataclass
class Container:
    id: str
    caption: str
    video_url: str
    status_code: str = "IN_PROGRESS"
    status: str = "In Progress"
    sha256: str | None = None


@dataclass
class Media:
    id: str
    container_id: str
    caption: str
    sha256: str | None
    timestamp: str

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/reel/{self.id}/"


class FakeInstagram(FakePlatform):
    """Records `containers` and `media` (published posts)."""

    def __init__(self) -> None:
        super().__init__()
        self.containers: dict[str, Container] = {}
        self.media: list[Media] = []
        self.downloads: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)

    def endpoint(self, head: Head) -> str:
        parts = head.path.strip("/").split("/")
        match parts:
            case [_, user, "media"] if user == IG_USER_ID and head.method == "POST":
                return "create"
            case [_, user, "media_publish"] if user == IG_USER_ID:
                return "publish"
            case [_, user, "media"] if user == IG_USER_ID:
                return "list"
            case [_, object_id] if object_id in self.containers:
                return "status"
            case _:
                return "object"

    async def handle(self, endpoint: str, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return token_expired()
        params = request.form()
        if endpoint == "create":
            return self._create(params)
        if endpoint == "status":
            container = self.containers[request.path.rsplit("/", 1)[1]]
            return Response.json(
                200,
                {
                    "id": container.id,
                    "status": container.status,
                    "status_code": container.status_code,
                },
            )
        if endpoint == "publish":
            return self._publish(params.get("creation_id", ""))
        if endpoint == "list":
            items = [
                {
                    "id": m.id,
                    "caption": m.caption,
                    "permalink": m.permalink,
                    "timestamp": m.timestamp,
                }
                for m in reversed(self.media)
            ]
            return Response.json(200, {"data": items})
        media_id = request.path.rsplit("/", 1)[1]
        found = next((m for m in self.media if m.id == media_id), None)
        if found is None:
            return error(400, 100, "Unsupported get request.", subcode=33)
        return Response.json(200, {"id": found.id, "permalink": found.permalink})

    def _create(self, params: dict[str, str]) -> Response:
        if params.get("media_type") != "REELS" or not params.get("video_url"):
            return error(400, 100, "The parameter video_url is required")
        if len(params.get("caption", "")) > 2200:
            return error(400, 100, "The caption is too long", subcode=2207010)
        container = Container(
            id=f"1790000000000{next(self._ids):04d}",
            caption=params.get("caption", ""),
            video_url=params["video_url"],
        )
        self.containers[container.id] = container
        task = asyncio.create_task(self._download(container))
        self.downloads.add(task)
        task.add_done_callback(self.downloads.discard)
        return Response.json(200, {"id": container.id})

    async def _download(self, container: Container) -> None:
        try:
            async with httpx.AsyncClient(verify=TLS) as client:
                response = await client.get(container.video_url)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            container.status_code = "ERROR"
            container.status = f"ERROR: Media download has failed. ({exc})"
            return
        container.sha256 = hashlib.sha256(response.content).hexdigest()
        container.status_code, container.status = "FINISHED", "Finished: Media uploaded"

    def _publish(self, creation_id: str) -> Response:
        container = self.containers.get(creation_id)
        if container is None or container.status_code != "FINISHED":
            return error(400, 9007, "Media ID is not available", subcode=2207027)
        container.status_code, container.status = "PUBLISHED", "Published"
        media = Media(
            id=f"1800000000000{next(self._ids):04d}",
            container_id=container.id,
            caption=container.caption,
            sha256=container.sha256,
            timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
        )
        self.media.append(media)
        return Response.json(200, {"id": media.id})
