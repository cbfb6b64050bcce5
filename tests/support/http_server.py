"""A small HTTP/1.1 server on loopback for tests: files plus endpoints that misbehave.

Written on asyncio streams rather than uvicorn because some endpoints must break
HTTP on purpose (a Content-Length that lies, a body that stalls or stops early),
which a conforming server refuses to send.

Endpoints, besides the files or routes given to `serve_files`:

    /_/status/<code>                    answers <code> with a short body
    /_/redirect?to=<url>&code=302       redirects to <url> (absolute or relative)
    /_/bytes?n=<n>&chunked=1&filename=  n pattern bytes, with Content-Length unless
                                        chunked; `filename` sets Content-Disposition
    /_/stall?n=<n>&seconds=<s>          declares n+1 bytes, sends n, then sleeps
    /_/lying?declared=<d>&actual=<a>    Content-Length d, then a bytes (chunked=1
                                        sends them chunked, which overrides d)
    /_/gzip?n=<n>                       n zero bytes gzipped, Content-Encoding: gzip
"""

import asyncio
import gzip
import mimetypes
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

_BLOCK = bytes(range(251)) * 256  # a multiple of 251, so blocks join seamlessly


def pattern(n: int) -> bytes:
    """The n bytes that `/_/bytes?n=<n>` and friends send."""
    return b"".join(_pattern_chunks(n))


def _pattern_chunks(n: int) -> Iterator[bytes]:
    while n > 0:
        yield _BLOCK[: min(n, len(_BLOCK))]
        n -= len(_BLOCK)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(65536):
            yield chunk


@dataclass
class ReceivedRequest:
    method: str
    target: str
    headers: dict[str, str]  # names in lower case


@dataclass
class LocalHttpServer:
    """A running server; `requests` and `connections` show what reached it."""

    base_url: str
    port: int
    requests: list[ReceivedRequest] = field(default_factory=list)
    connections: int = 0

    def url(self, path: str = "/") -> str:
        return self.base_url + path


@asynccontextmanager
async def serve_files(
    source: Path | Mapping[str, bytes] | None = None,
    *,
    host: str = "127.0.0.1",
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[LocalHttpServer]:
    """Serve a directory (or a mapping of paths to bodies) on a free port.

    Args:
        source: files to serve by relative path, with Content-Length and a guessed
            Content-Type; or a mapping like {"/clip.mp4": b"..."}.
        host: the loopback address to listen on (127.0.0.2 works on Linux).
        ssl_context: a server context to serve https instead of http.

    Yields:
        The server; its `base_url` has no trailing slash.
    """
    handler = _Handler(source)
    server = await asyncio.start_server(handler, host, 0, ssl=ssl_context)
    port = server.sockets[0].getsockname()[1]
    scheme = "https" if ssl_context else "http"
    handler.state = LocalHttpServer(base_url=f"{scheme}://{host}:{port}", port=port)
    try:
        async with server:
            yield handler.state
    finally:
        # Python 3.11 does not wait for handlers on close; stalled ones are cancelled.
        for task in list(handler.tasks):
            task.cancel()
        await asyncio.gather(*handler.tasks, return_exceptions=True)


class _Handler:
    def __init__(self, source: Path | Mapping[str, bytes] | None) -> None:
        self.source = source
        self.state = LocalHttpServer(base_url="", port=0)
        self.tasks: set[asyncio.Task[None]] = set()

    async def __call__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)  # type: ignore[arg-type]
        self.state.connections += 1
        try:
            request = await self._read_request(reader)
            self.state.requests.append(request)
            await self._respond(request, writer)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass  # the client went away or sent garbage; nothing to answer
        finally:
            self.tasks.discard(task)  # type: ignore[arg-type]
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()

    async def _read_request(self, reader: asyncio.StreamReader) -> ReceivedRequest:
        method, target, _ = (await reader.readline()).decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return ReceivedRequest(method, target, headers)

    async def _respond(
        self, request: ReceivedRequest, writer: asyncio.StreamWriter
    ) -> None:
        url = urlsplit(request.target)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        head_only = request.method == "HEAD"
        number = int(query.get("n", "0"))
        match url.path.split("/")[1:]:
            case ["_", "status", code]:
                await _send_bytes(writer, int(code), [], f"status {code}\n".encode())
            case ["_", "redirect"]:
                status = int(query.get("code", "302"))
                await _send_bytes(writer, status, [("Location", query["to"])], b"")
            case ["_", "bytes"]:
                headers = [("Content-Type", "application/octet-stream")]
                if "filename" in query:
                    disposition = f'attachment; filename="{query["filename"]}"'
                    headers.append(("Content-Disposition", disposition))
                chunked = query.get("chunked") == "1"
                length = None if chunked else number
                body = [] if head_only else _pattern_chunks(number)
                await _send(writer, 200, headers, body, length=length)
            case ["_", "stall"]:
                await _send(writer, 200, [], [pattern(number)], length=number + 1)
                await asyncio.sleep(float(query.get("seconds", "30")))
            case ["_", "lying"]:
                body = _pattern_chunks(int(query["actual"]))
                if query.get("chunked") == "1":  # both headers; chunked wins
                    headers = [("Content-Length", query["declared"])]
                    await _send(writer, 200, headers, body, chunked=True)
                else:
                    await _send(writer, 200, [], body, length=int(query["declared"]))
            case ["_", "gzip"]:
                headers = [("Content-Encoding", "gzip")]
                await _send_bytes(writer, 200, headers, gzip.compress(bytes(number)))
            case _:
                await self._send_file(unquote(url.path), writer, head_only)

    async def _send_file(
        self, path: str, writer: asyncio.StreamWriter, head: bool
    ) -> None:
        body: Iterable[bytes]
        if isinstance(self.source, Mapping) and path in self.source:
            data = self.source[path]
            length, body = len(data), [data]
        elif isinstance(self.source, Path):
            root = self.source.resolve()
            file = (root / path.lstrip("/")).resolve()
            if not file.is_relative_to(root) or not file.is_file():
                return await _send_bytes(writer, 404, [], b"not found\n")
            length, body = file.stat().st_size, _file_chunks(file)
        else:
            return await _send_bytes(writer, 404, [], b"not found\n")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        headers = [("Content-Type", content_type)]
        await _send(writer, 200, headers, [] if head else body, length=length)


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    headers: list[tuple[str, str]],
    body: Iterable[bytes],
    *,
    length: int | None = None,
    chunked: bool = False,
) -> None:
    """Write one response; chunked when asked or when no length is given."""
    chunked = chunked or length is None
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers]
    if chunked:
        head.append("Transfer-Encoding: chunked")
    elif length is not None:
        head.append(f"Content-Length: {length}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    for chunk in body:
        writer.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
        await writer.drain()
    if chunked:
        writer.write(b"0\r\n\r\n")
    await writer.drain()


async def _send_bytes(
    writer: asyncio.StreamWriter,
    status: int,
    headers: list[tuple[str, str]],
    data: bytes,
) -> None:
    await _send(writer, status, headers, [data], length=len(data))


def tls_contexts(
    directory: Path, hostname: str
) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for `hostname`: (server context, client context)."""
    cert, key = directory / f"{hostname}.crt", directory / f"{hostname}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", f"/CN={hostname}", "-addext", f"subjectAltName=DNS:{hostname}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))
