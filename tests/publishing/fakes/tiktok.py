"""A fake TikTok Content Posting API (Direct Post init, chunk PUTs, status fetch).

Written from the public documentation cited in
gql_media/services/publishing/uploaders/tiktok.py: init checks the chunk
arithmetic (total_chunk_count == video_size // chunk_size, the last chunk takes
the rest) and answers publish_id + upload_url in TikTok's {data, error} shape;
chunks must come in order with exact Content-Range (206 until the last, then
201); a chunk whose connection drops is not kept; the status endpoint answers
PROCESSING_UPLOAD with uploaded_bytes, then PUBLISH_COMPLETE with the post id
(after `processing_polls` fetches), or FAILED with a fail_reason.

The 5 MB chunk minimum is not enforced, so tests can chunk a small clip.
"""

import hashlib
import itertools
from dataclasses import dataclass, field

from tests.publishing.fakes.server import FakePlatform, Head, Request, Response

ACCESS_TOKEN = "act.example-token"


def error(
    status: int, code: str, message: str, headers: list[tuple[str, str]] | None = None
) -> Response:
    body = {"data": {}, "error": {"code": code, "message": message, "log_id": "log1"}}
    return Response.json(status, body, headers)


def rate_limited(retry_after: int) -> Response:
    return error(
        429,
        "rate_limit_exceeded",
        "The API rate limit was exceeded.",
        [("Retry-After", str(retry_after))],
    )


def too_many_posts() -> Response:
    return error(
        403,
        "spam_risk_too_many_posts",
        "The daily post cap from the API is reached for the current user.",
    )


def internal_error() -> Response:
    return error(500, "internal_error", "Something went wrong; please retry.")


def scope_not_authorized() -> Response:
    return error(
        401,
        "scope_not_authorized",
        "The user did not authorize the scope required for this request.",
    )


@dataclass
class Publish:
    id: str
    upload_id: str
    size: int
    chunk_size: int
    total: int
    title: str
    privacy: str
    data: bytearray = field(default_factory=bytearray)
    status: str = "PROCESSING_UPLOAD"
    fail_reason: str | None = None
    polls: int = 0
    post_id: str | None = None


@dataclass
class Post:
    id: str
    publish_id: str
    title: str
    sha256: str


class FakeTikTok(FakePlatform):
    """Records `publishes` (inits) and `posts` (published videos)."""

    def __init__(self, processing_polls: int = 1) -> None:
        super().__init__()
        self.publishes: dict[str, Publish] = {}
        self.posts: list[Post] = []
        self.processing_polls = processing_polls
        self.fail_next: str | None = None  # the next post FAILS with this reason
        self._ids = itertools.count(1)

    def endpoint(self, head: Head) -> str:
        return {
            "/v2/post/publish/video/init/": "init",
            "/v2/post/publish/status/fetch/": "status",
            "/upload/": "chunk",
        }.get(head.path, head.path)

    async def handle(self, endpoint: str, request: Request) -> Response:
        if endpoint == "chunk":
            return self._chunk(request)
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return error(401, "access_token_invalid", "The access token is invalid.")
        if endpoint == "init":
            return self._init(request.json())
        return self._status(request.json())

    def _init(self, body: dict[str, dict[str, object]]) -> Response:
        source, post = body.get("source_info", {}), body.get("post_info", {})
        size, chunk = int(source["video_size"]), int(source["chunk_size"])  # type: ignore[call-overload]
        total = int(source["total_chunk_count"])  # type: ignore[call-overload]
        if source.get("source") != "FILE_UPLOAD" or chunk > size:
            return error(400, "invalid_params", "source_info is invalid")
        if total != max(1, size // chunk) or total > 1000:
            return error(400, "invalid_params", "total_chunk_count is invalid")
        if len(str(post.get("title", ""))) > 2200:
            return error(400, "invalid_params", "title is too long")
        number = next(self._ids)
        publish = Publish(
            id=f"v_pub_file~v2-1.{number}",
            upload_id=str(number),
            size=size,
            chunk_size=chunk,
            total=total,
            title=str(post.get("title", "")),
            privacy=str(post.get("privacy_level", "")),
        )
        self.publishes[publish.id] = publish
        upload_url = (
            f"{self.base_url}/upload/?upload_id={number}&upload_token=t{number}"
        )
        return Response.json(
            200,
            {
                "data": {"publish_id": publish.id, "upload_url": upload_url},
                "error": {"code": "ok", "message": "", "log_id": "log1"},
            },
        )

    def _by_upload(self, request: Request) -> Publish | None:
        upload_id = request.query.get("upload_id")
        return next(
            (p for p in self.publishes.values() if p.upload_id == upload_id), None
        )

    def _chunk(self, request: Request) -> Response:
        publish = self._by_upload(request)
        if publish is None or publish.status != "PROCESSING_UPLOAD":
            return Response(404, b"upload not found")
        span, _, total = request.headers["content-range"].split()[1].partition("/")
        start, end = (int(n) for n in span.split("-"))
        index = start // publish.chunk_size
        expected_end = (
            publish.size if index == publish.total - 1 else start + publish.chunk_size
        )
        if (int(total), start, end + 1, len(request.body)) != (
            publish.size,
            len(publish.data),
            expected_end,
            expected_end - start,
        ):
            return Response(416, b"chunk out of order or of the wrong size")
        publish.data += request.body
        if len(publish.data) < publish.size:
            return Response(206)
        return Response(201)

    def _status(self, body: dict[str, str]) -> Response:
        publish = self.publishes.get(body.get("publish_id", ""))
        if publish is None:
            return error(400, "invalid_params", "publish_id does not exist")
        if publish.status == "PROCESSING_UPLOAD" and len(publish.data) == publish.size:
            publish.status = "PROCESSING_DOWNLOAD"
        if publish.status == "PROCESSING_DOWNLOAD":
            publish.polls += 1
            if publish.polls > self.processing_polls:
                self._finish(publish)
        data: dict[str, object] = {
            "status": publish.status,
            "uploaded_bytes": len(publish.data),
        }
        if publish.fail_reason:
            data["fail_reason"] = publish.fail_reason
        if publish.post_id:
            data["publicaly_available_post_id"] = [publish.post_id]
        return Response.json(200, {"data": data, "error": {"code": "ok"}})

    def _finish(self, publish: Publish) -> None:
        if self.fail_next:
            publish.status, publish.fail_reason = "FAILED", self.fail_next
            self.fail_next = None
            return
        publish.status = "PUBLISH_COMPLETE"
        publish.post_id = str(7_300_000_000_000_000_000 + next(self._ids))
        sha = hashlib.sha256(publish.data).hexdigest()
        self.posts.append(Post(publish.post_id, publish.id, publish.title, sha))
