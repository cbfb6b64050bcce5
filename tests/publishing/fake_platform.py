"""A fake video platform on loopback, for the ledger's tests.

Several platforms share one server under a path prefix (`/<platform>/...`):

    POST /<p>/sessions            {"size", "sha256", "title"} -> {"session": path}
    PUT  /<p>/sessions/<id>       Content-Range: bytes a-b/size; the last piece
                                  makes the post: 201 {"post_id", "url"}; else 308
    GET  /<p>/sessions/<id>       {"received": n, "post_id": id or null}
    POST /<p>/videos              the whole file in one request: 201 {"post_id"}

Faults (`platform.faults`, consumed one per request, first in first out):
"429:<s>" (Retry-After s), "quota:<s>" (403 quotaExceeded, reset in s),
"500", "reject" (400 with a message), "drop" (a PUT reads half its body and the
connection closes), "slow" (a PUT reads its body in small pieces, slowly).
Written on asyncio streams because a dropped connection must really drop.
"""

import asyncio
import hashlib
import json
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Session:
    size: int
    sha256: str
    received: bytearray = field(default_factory=bytearray)
    post_id: str | None = None
    # Bumped by each status query: a client that asks has given up on its
    # earlier connection, whose bytes (still in socket buffers after the client
    # was killed) the platform then stops taking, as a real one would.
    queries: int = 0


@dataclass
class Platform:
    name: str
    faults: deque[str] = field(default_factory=deque)
    sessions: dict[str, Session] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)
    active_uploads: int = 0
    max_active_uploads: int = 0

    def max_in_window(self, seconds: float = 1.0) -> int:
        """The most requests seen within any `seconds`-long window."""
        times = sorted(self.request_times)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best


@dataclass
class FakePlatforms:
    base_url: str = ""
    platforms: dict[str, Platform] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Platform:
        return self.platforms.setdefault(name, Platform(name))

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"


@asynccontextmanager
async def fake_platforms() -> AsyncIterator[FakePlatforms]:
    state = FakePlatforms()
    tasks: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            while await _one_request(state, reader, writer):
                pass
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        finally:
            tasks.discard(task)
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with server:
            yield state
    finally:
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _one_request(
    state: FakePlatforms, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> bool:
    line = await reader.readline()
    if not line:
        return False
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    parts = target.split("?")[0].strip("/").split("/")
    platform = state[parts[0]]
    platform.request_times.append(time.monotonic())
    fault = platform.faults.popleft() if platform.faults else ""
    if fault.startswith("429"):
        await reader.readexactly(length)
        seconds = fault.split(":")[1] if ":" in fault else "1"
        await _send(writer, 429, {"error": "rate limited"}, {"Retry-After": seconds})
        return True
    if fault.startswith("quota"):
        await reader.readexactly(length)
        seconds = fault.split(":")[1] if ":" in fault else "1"
        body = {"error": "quotaExceeded", "reset_in": float(seconds)}
        await _send(writer, 403, body)
        return True
    if fault == "500":
        await reader.readexactly(length)
        await _send(writer, 500, {"error": "backend error"})
        return True
    if fault == "reject":
        await reader.readexactly(length)
        await _send(writer, 400, {"error": "content rejected: policy violation"})
        return True
    match (method, parts[1:]):
        case ("POST", ["sessions"]):
            spec = json.loads(await reader.readexactly(length))
            sid = uuid.uuid4().hex
            platform.sessions[sid] = Session(spec["size"], spec["sha256"])
            await _send(writer, 200, {"session": f"/{platform.name}/sessions/{sid}"})
        case ("GET", ["sessions", sid]):
            session = platform.sessions[sid]
            session.queries += 1
            answer = {"received": len(session.received), "post_id": session.post_id}
            await _send(writer, 200, answer)
        case ("PUT", ["sessions", sid]):
            session = platform.sessions[sid]
            start = int(headers["content-range"].split(" ")[1].split("-")[0])
            if start != len(session.received):
                await reader.readexactly(length)
                await _send(writer, 409, {"error": "wrong offset"})
                return True
            platform.active_uploads += 1
            platform.max_active_uploads = max(
                platform.max_active_uploads, platform.active_uploads
            )
            try:
                if fault == "drop":
                    session.received += await reader.readexactly(length // 2)
                    return False  # the connection closes mid-body
                if fault == "slow":
                    left = length
                    asked = session.queries
                    while left:
                        piece = await reader.readexactly(min(left, 4096))
                        if session.queries != asked:
                            return False  # superseded: drop this connection
                        session.received += piece
                        left -= len(piece)
                        await asyncio.sleep(0.05)
                else:
                    session.received += await reader.readexactly(length)
            finally:
                platform.active_uploads -= 1
            if len(session.received) < session.size:
                await _send(writer, 308, {"received": len(session.received)})
                return True
            if hashlib.sha256(session.received).hexdigest() != session.sha256:
                await _send(writer, 400, {"error": "the bytes do not match"})
                return True
            if session.post_id is None:
                session.post_id = _post(platform, session.sha256, session.size)
            await _send(writer, 201, _answer(platform, session.post_id))
        case ("POST", ["videos"]):
            platform.active_uploads += 1
            platform.max_active_uploads = max(
                platform.max_active_uploads, platform.active_uploads
            )
            try:
                body = await reader.readexactly(length)
            finally:
                platform.active_uploads -= 1
            digest = hashlib.sha256(body).hexdigest()
            await _send(writer, 201, _answer(platform, _post(platform, digest, length)))
        case _:
            await reader.readexactly(length)
            await _send(writer, 404, {"error": "no such endpoint"})
    return True


def _post(platform: Platform, sha256: str, size: int) -> str:
    post_id = f"{platform.name}-{len(platform.posts) + 1}"
    platform.posts.append({"post_id": post_id, "sha256": sha256, "size": size})
    return post_id


def _answer(platform: Platform, post_id: str) -> dict[str, Any]:
    return {"post_id": post_id, "url": f"https://{platform.name}.test/v/{post_id}"}


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    data = json.dumps(body).encode()
    head = [f"HTTP/1.1 {status} X", "Content-Type: application/json"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head.append(f"Content-Length: {len(data)}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
    await writer.drain()
