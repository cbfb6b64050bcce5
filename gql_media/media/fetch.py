"""Download an import URL to a file: checked hops, pinned addresses, size and time caps.

httpcore is used directly rather than httpx: httpcore takes a `network_backend`, so
the TCP connection can be pinned to the address `resolve_and_check` admitted, and it
never decodes bodies, follows redirects or reads proxy settings from the environment,
any of which would let bytes or connections past the checks. The URL keeps the
original host name, so the Host header, TLS SNI and certificate checks use it.
"""

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpcore
import httpx

from gql_media.errors import (
    FetchFailed,
    FetchTimeout,
    ForbiddenUrl,
    TooLarge,
    TransientError,
)
from gql_media.media.hashing import HashingWriter
from gql_media.media.urls import (
    IPAddress,
    ParsedUrl,
    check_url_syntax,
    resolve_and_check,
)
from gql_media.settings import ImportSettings

USER_AGENT = "gql-media/0.1"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Progress is reported at most this often (and always once at the end).
PROGRESS_INTERVAL_SECONDS = 0.25

ProgressCallback = Callable[[int, int | None], Awaitable[None]]


@dataclass(frozen=True)
class DownloadResult:
    sha256: str
    size: int
    url: str  # after redirects
    content_type: str | None  # as the source declared it


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the checked addresses of one origin, and to nothing else."""

    def __init__(self, hop: ParsedUrl, addresses: Iterable[IPAddress]) -> None:
        self._origin = (hop.host, hop.port)
        self._addresses = list(addresses)
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[object] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if (host, port) != self._origin:  # unreachable: one pool serves one hop
            raise httpcore.ConnectError(f"{host}:{port} was not checked")
        error: Exception = httpcore.ConnectError("no address")
        for address in self._addresses:  # all checked; try each like a browser
            try:
                stream = await self._backend.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address
                )
                return _LargeReads(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _LargeReads(httpcore.AsyncNetworkStream):
    """A stream whose reads take up to `READ_BYTES` however few httpcore asks
    for (64 KiB). A large body then arrives in fewer, larger chunks: each chunk
    costs a turn through anyio, h11, httpcore and our hashing writer, which
    was about a quarter of a download's CPU time on loopback."""

    READ_BYTES = 1024 * 1024

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(
        self,
        max_bytes: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> bytes:
        return await self._stream.read(max(max_bytes, self.READ_BYTES), timeout)

    async def write(
        self,
        buffer: bytes,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        tls = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _LargeReads(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


async def download(
    url: str,
    dest: Path,
    *,
    settings: ImportSettings,
    max_bytes: int,
    on_progress: ProgressCallback | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> DownloadResult:
    """Fetch `url` into the new file `dest`, following checked redirects.

    Args:
        url: an http(s) URL given by a client.
        dest: where to write the body; must not exist. Removed on any failure.
        settings: address allowlist, timeouts and the redirect limit.
        max_bytes: the largest body accepted, counted as received (not decoded).
        on_progress: awaited with (bytes so far, Content-Length or None), throttled.
        ssl_context: the TLS trust to use; httpcore's default (certifi) if None.

    Returns:
        The SHA-256, size, media type, final URL and a file name hint.

    Raises:
        ForbiddenUrl: the URL or a redirect target is refused.
        TooLarge: the body is, or says it is, larger than `max_bytes`.
        FetchFailed: the host does not resolve or the final answer is not 2xx.
        FetchTimeout: connecting or waiting for bytes took too long.
        TransientError: the connection failed or broke.
    """
    hop_url = url
    for hop in range(settings.max_redirects + 1):
        try:
            target = check_url_syntax(hop_url)
            try:
                async with asyncio.timeout(settings.connect_timeout_seconds):
                    addresses = await resolve_and_check(
                        target.host, target.port, settings.allow_networks
                    )
            except TimeoutError as exc:
                raise FetchTimeout(f"resolving {target.host!r} timed out") from exc
        except ForbiddenUrl as exc:
            if hop == 0:
                raise
            raise ForbiddenUrl(f"redirect to a refused address: {exc.message}") from exc
        location = await _fetch_hop(
            target, addresses, dest, settings, max_bytes, on_progress, ssl_context
        )
        if isinstance(location, DownloadResult):
            return location
        hop_url = location
    raise FetchFailed(f"more than {settings.max_redirects} redirects")


async def _fetch_hop(
    target: ParsedUrl,
    addresses: list[IPAddress],
    dest: Path,
    settings: ImportSettings,
    max_bytes: int,
    on_progress: ProgressCallback | None,
    ssl_context: ssl.SSLContext | None,
) -> DownloadResult | str:
    """Request one checked URL; return the download or the next URL to try."""
    # A read timeout bounds every wait for bytes, so it is the idle timeout.
    timeouts = {
        "connect": settings.connect_timeout_seconds,
        "pool": settings.connect_timeout_seconds,
        "read": settings.idle_timeout_seconds,
        "write": settings.idle_timeout_seconds,
    }
    headers: list[tuple[bytes | str, bytes | str]] = [
        ("Host", target.netloc),
        ("User-Agent", USER_AGENT),
        ("Accept", "*/*"),
        # Stored bytes are the bytes received: a gzip bomb stays under the cap.
        ("Accept-Encoding", "identity"),
        ("Connection", "close"),
    ]
    request_url = httpcore.URL(
        scheme=target.scheme, host=target.host, port=target.port, target=target.target
    )
    try:
        async with (
            httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                network_backend=_PinnedBackend(target, addresses),
            ) as pool,
            pool.stream(
                "GET", request_url, headers=headers, extensions={"timeout": timeouts}
            ) as response,
        ):
            return await _read_response(target, response, dest, max_bytes, on_progress)
    except httpcore.TimeoutException as exc:
        raise FetchTimeout(f"{target.host!r} did not answer in time") from exc
    except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
        if _caused_by(exc, ssl.SSLCertVerificationError):  # retrying will not help
            raise FetchFailed(f"TLS certificate of {target.host!r} refused") from exc
        raise TransientError(f"connection to {target.host!r} failed: {exc}") from exc


def _caused_by(exc: BaseException | None, cause: type[BaseException]) -> bool:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, cause):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


async def _read_response(
    target: ParsedUrl,
    response: httpcore.Response,
    dest: Path,
    max_bytes: int,
    on_progress: ProgressCallback | None,
) -> DownloadResult | str:
    headers: dict[bytes, bytes] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), value)
    status = response.status
    if status in REDIRECT_STATUSES and headers.get(b"location"):
        # Non-ASCII in Location is UTF-8 in practice; the joined URL is checked anew.
        location = headers[b"location"].decode("utf-8", "replace")
        return str(httpx.URL(target.url).join(location))
    if not 200 <= status < 300:
        raise FetchFailed(f"the source answered HTTP {status}", status=status)
    length = headers.get(b"content-length", b"")
    total = int(length) if length.isdigit() else None
    if total is not None and total > max_bytes:
        raise TooLarge(
            f"the source says the file has {total} bytes, over the limit of "
            f"{max_bytes}",
            limit=max_bytes,
        )
    last_report = time.monotonic()
    # Not durable: the job that downloads is the job that reads the file, and a
    # job that dies downloads again (see jobs/imports.py).
    with HashingWriter(dest, max_bytes, durable=False) as sink:
        # Raw bytes as received: httpcore never decodes, so the cap counts them.
        async for chunk in response.aiter_stream():
            sink.write(chunk)
            now = time.monotonic()
            if on_progress and now - last_report >= PROGRESS_INTERVAL_SECONDS:
                last_report = now
                await on_progress(sink.size, total)
        if on_progress:
            await on_progress(sink.size, total)
    declared = headers.get(b"content-type")
    return DownloadResult(
        sha256=sink.sha256,
        size=sink.size,
        url=target.url,
        content_type=declared.decode("latin-1")[:128] if declared else None,
    )
