"""A test platform behind the public plugin interface: an `Uploader` that talks
to the fake platform (tests/publishing/fake_platform.py) over real HTTP.

Resumable like the real platforms: it saves the session before sending bytes
and, given a saved session, asks the platform what it has before sending more.
"""

import os
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
from gql_media.settings import Settings
from tests.support.tls import TLS


class LoopbackUploader(Uploader):
    def __init__(self, platform: str, base_url: str, resumable: bool = True) -> None:
        self.platform = platform
        self.base_url = base_url
        self.resumable = resumable
        self.client = httpx.AsyncClient(verify=TLS, timeout=30)

    def validate(self, metadata: PublishMetadata) -> list[str]:
        if metadata.title == "forbidden":
            return ["the title is forbidden here"]
        return []

    async def upload(
        self, media: Media, metadata: PublishMetadata, resume: Resume
    ) -> UploadResult:
        try:
            if not self.resumable:
                await limits.before_request()
                response = await self.client.post(
                    f"{self.base_url}/videos",
                    content=media.open(0),
                    headers={"content-length": str(media.size)},
                )
                return self._result(response)
            session = resume.state.get("session")
            offset = 0
            if session:
                await limits.before_request()
                status = self._json(await self.client.get(self._abs(session)))
                if status.get("post_id"):
                    return UploadResult(post_id=status["post_id"])
                offset = int(status["received"])
            else:
                await limits.before_request()
                answer = self._json(
                    await self.client.post(
                        f"{self.base_url}/sessions",
                        json={
                            "size": media.size,
                            "sha256": media.sha256,
                            "title": metadata.title,
                        },
                    )
                )
                session = answer["session"]
                await resume.save({"session": session})
            await limits.before_request()
            response = await self.client.put(
                self._abs(session),
                content=media.open(offset),
                headers={
                    "content-range": f"bytes {offset}-{media.size - 1}/{media.size}",
                    "content-length": str(media.size - offset),
                },
            )
            return self._result(response)
        except httpx.TransportError as exc:
            raise TransientError(f"connection lost: {type(exc).__name__}") from exc

    def _abs(self, path: str) -> str:
        return self.base_url.rsplit("/", 1)[0] + path

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 429:
            wait = float(response.headers.get("retry-after", "1"))
            raise RateLimited("429 Too Many Requests", wait)
        body: dict[str, Any] = response.json()
        if response.status_code == 403 and body.get("error") == "quotaExceeded":
            raise RateLimited("quota exceeded", float(body["reset_in"]))
        if response.status_code >= 500:
            raise TransientError(f"{response.status_code}: {body.get('error')}")
        if response.status_code >= 400:
            raise PermanentError(str(body.get("error")))
        return body

    def _result(self, response: httpx.Response) -> UploadResult:
        body = self._json(response)
        return UploadResult(post_id=body["post_id"], url=body.get("url"))

    async def close(self) -> None:
        await self.client.aclose()


def build(settings: Settings) -> Uploader | None:
    """The entry-point factory: the fake platform's URL comes from the environment
    (a worker process of the kill test loads this through a real entry point)."""
    url = os.environ.get("LOOPBACK_PLATFORM_URL")
    return LoopbackUploader("loopback", url) if url else None
