"""The loopback HTTP/1.1 server under the fake platforms, with injectable faults.

Written on asyncio streams, like tests/support/http_server.py, because a fault
must break HTTP on purpose: close the socket after N bytes of a request body, or
handle a request and then vanish without answering, which a conforming server
(uvicorn) will not do.

A fake platform subclasses `FakePlatform`: `endpoint(head)` names what a request
is for ("initiate", "chunk", ...), `handle(endpoint, request)` answers it. Tests
queue faults per endpoint with `inject`; each request takes the next one:

    Pass       handled as usual
    Response   answered instead of handling the request (a 429, a 503, ...)
    Drop(n)    read n bytes of the body, then close (the platform keeps what its
               `dropped` hook keeps), answering nothing
    LoseReply  handle the request, then close without sending the answer
"""

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Head:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case


@dataclass
class Request(Head):
    body: bytes = b""
    received_at: float = 0.0  # time.monotonic() when the body had arrived

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        """Query and url-encoded body parameters (the Graph API takes either)."""
        values = dict(self.query)
        if "x-www-form-urlencoded" in self.headers.get("content-type", ""):
            values.update(parse_qsl(self.body.decode()))
        return values


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(
        cls, status: int, data: Any, headers: list[tuple[str, str]] | None = None
    ) -> "Response":
        return cls(
            status,
            json.dumps(data).encode(),
            [("Content-Type", "application/json"), *(headers or [])],
        )


@dataclass(frozen=True)
class Drop:
    after_bytes: int = 0


@dataclass(frozen=True)
class LoseReply:
    pass


@dataclass(frozen=True)
class Pass:
    """No fault for this request (to reach the second one)."""


Fault = Response | Drop | LoseReply | Pass


class FakePlatform:
    """A platform's state plus the faults waiting for its endpoints."""

    base_url = ""

    def __init__(self) -> None:
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.requests: list[tuple[str, Request]] = []

    def inject(self, endpoint: str, *faults: Fault) -> None:
        self.faults[endpoint].extend(faults)

    def calls(self, endpoint: str) -> list[Request]:
        return [request for name, request in self.requests if name == endpoint]

    def busiest_second(self) -> int:
        """The most requests that arrived within any one second (rate limits)."""
        times = sorted(request.received_at for _, request in self.requests)
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most

    def endpoint(self, head: Head) -> str:
        raise NotImplementedError

    async def handle(self, endpoint: str, request: Request) -> Response:
        raise NotImplementedError

    def dropped(self, endpoint: str, request: Request) -> None:
        """A request whose connection dropped after `request.body` arrived."""


@asynccontextmanager
async def serve(platform: FakePlatform) -> AsyncIterator[str]:
    """Run `platform` on a free loopback port; yields (and sets) its base URL."""
    tasks: set[asyncio.Task[Any]] = set()

    async def connection(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await _one_request(platform, reader, writer)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass  # the client went away or sent garbage
        finally:
            tasks.discard(task)
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    platform.base_url = f"http://127.0.0.1:{port}"
    try:
        async with server:
            yield platform.base_url
    finally:
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _one_request(
    platform: FakePlatform, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    method, target, _ = (await reader.readline()).decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    url = urlsplit(target)
    head = Head(method, url.path, dict(parse_qsl(url.query)), headers)
    name = platform.endpoint(head)
    queued = platform.faults.get(name)
    fault = queued.pop(0) if queued else None
    length = int(headers.get("content-length", "0"))
    if isinstance(fault, Drop):
        body = await reader.read(min(fault.after_bytes, length)) if length else b""
        while len(body) < min(fault.after_bytes, length):
            more = await reader.read(min(fault.after_bytes, length) - len(body))
            if not more:
                break
            body += more
        platform.dropped(name, Request(**vars(head), body=body))
        return  # closing the socket unanswered is the fault
    body = await reader.readexactly(length) if length else b""
    request = Request(**vars(head), body=body, received_at=time.monotonic())
    platform.requests.append((name, request))
    if isinstance(fault, Response):
        response = fault
    else:
        response = await platform.handle(name, request)
        if isinstance(fault, LoseReply):
            return
    status_line = f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}"
    lines = [status_line, "Connection: close", f"Content-Length: {len(response.body)}"]
    lines += [f"{key}: {value}" for key, value in response.headers]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body)
    await writer.drain()
