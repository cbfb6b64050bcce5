"""Downloads from a real local HTTP server: checks per hop, pinning, caps, errors."""

import gzip
import hashlib
import ipaddress
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest

from gql_media.errors import (
    FetchFailed,
    FetchTimeout,
    ForbiddenUrl,
    TooLarge,
    TransientError,
)
from gql_media.media.fetch import download
from gql_media.settings import ImportSettings
from tests.support.http_server import (
    LocalHttpServer,
    pattern,
    serve_files,
    tls_contexts,
)

CLIP = pattern(300_000)
LOOPBACK = ImportSettings(
    allow_networks=[ipaddress.ip_network("127.0.0.1/32")],
    connect_timeout_seconds=2,
    idle_timeout_seconds=2,
)
NO_ALLOWLIST = ImportSettings(connect_timeout_seconds=2, idle_timeout_seconds=2)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[LocalHttpServer]:
    files = tmp_path / "files"
    files.mkdir()
    (files / "clip.mp4").write_bytes(CLIP)
    async with serve_files(files) as running:
        yield running


@pytest.fixture
async def refused_server() -> AsyncIterator[LocalHttpServer]:
    """A server on 127.0.0.2, outside the allowlist: it must never see a request."""
    async with serve_files({"/secret": b"internal"}, host="127.0.0.2") as running:
        yield running


# Results are read back synchronously: the files are small and local.
def read(path: Path) -> bytes:
    return path.read_bytes()


def exists(path: Path) -> bool:
    return path.exists()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "download.part"


async def test_downloads_a_file(server: LocalHttpServer, dest: Path) -> None:
    progress: list[tuple[int, int | None]] = []

    async def on_progress(done: int, total: int | None) -> None:
        progress.append((done, total))

    result = await download(
        server.url("/clip.mp4"),
        dest,
        settings=LOOPBACK,
        max_bytes=len(CLIP),
        on_progress=on_progress,
    )
    assert result.sha256 == hashlib.sha256(CLIP).hexdigest()
    assert result.size == len(CLIP) == len(read(dest))
    assert read(dest) == CLIP
    assert progress[-1] == (len(CLIP), len(CLIP))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    [request] = server.requests
    assert request.headers["user-agent"] == "gql-media/0.1"
    assert request.headers["accept-encoding"] == "identity"
    assert request.headers["host"] == f"127.0.0.1:{server.port}"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/clip.mp4",
        "http://[::1]:{port}/clip.mp4",
        "http://[::ffff:127.0.0.1]:{port}/clip.mp4",
        "http://2130706433:{port}/clip.mp4",
        "http://0x7f000001:{port}/clip.mp4",
        "http://0177.0.0.1:{port}/clip.mp4",
        "http://127.1:{port}/clip.mp4",
        "http://localhost:{port}/clip.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "file:///etc/passwd",
        "ftp://127.0.0.1:{port}/clip.mp4",
        "gopher://127.0.0.1:{port}/_GET",
        "data:video/mp4;base64,AAAA",
    ],
)
async def test_refused_urls_are_never_requested(
    server: LocalHttpServer, dest: Path, url: str
) -> None:
    started = time.monotonic()
    with pytest.raises(ForbiddenUrl):
        await download(
            url.format(port=server.port), dest, settings=NO_ALLOWLIST, max_bytes=10**6
        )
    assert time.monotonic() - started < 1  # refused, not timed out connecting
    assert server.connections == 0
    assert not exists(dest)


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433:{port}/clip.mp4",
        "http://0x7f000001:{port}/clip.mp4",
        "http://127.1:{port}/clip.mp4",
        "http://[::ffff:127.0.0.1]:{port}/clip.mp4",
    ],
)
async def test_other_spellings_of_an_allowed_address_reach_it(
    server: LocalHttpServer, dest: Path, url: str
) -> None:
    url = url.format(port=server.port)
    result = await download(url, dest, settings=LOOPBACK, max_bytes=len(CLIP))
    assert result.size == len(CLIP)
    # The Host header keeps the name as written; only the socket uses the address.
    assert server.requests[0].headers["host"] == url.split("/")[2]


async def test_connection_goes_to_the_checked_address(
    server: LocalHttpServer,
    refused_server: LocalHttpServer,
    dest: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name that answers 127.0.0.1 once, then 127.0.0.2 (DNS rebinding)."""
    answers = ["127.0.0.1"]
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_getaddrinfo(host: object, port: object, *args: object, **kw: object):
        if host != "rebind.test":
            return real_getaddrinfo(host, port, *args, **kw)  # type: ignore[arg-type]
        address = answers.pop(0) if answers else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    url = f"http://rebind.test:{server.port}/clip.mp4"
    result = await download(url, dest, settings=LOOPBACK, max_bytes=len(CLIP))
    assert result.size == len(CLIP)
    assert server.requests[0].headers["host"] == f"rebind.test:{server.port}"
    assert refused_server.connections == 0


async def test_follows_a_redirect_to_an_allowed_address(
    server: LocalHttpServer, dest: Path
) -> None:
    url = server.url("/_/redirect?to=" + quote("/_/bytes?n=5000&filename=a.mov"))
    result = await download(url, dest, settings=LOOPBACK, max_bytes=10_000)
    assert result.size == 5000  # the bytes of the redirect's target


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.2:{refused_port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
async def test_redirect_to_a_refused_address_is_not_followed(
    server: LocalHttpServer,
    refused_server: LocalHttpServer,
    dest: Path,
    location: str,
) -> None:
    location = location.format(refused_port=refused_server.port)
    url = server.url("/_/redirect?to=" + quote(location, safe=""))
    with pytest.raises(ForbiddenUrl, match="redirect to a refused address"):
        await download(url, dest, settings=LOOPBACK, max_bytes=10**6)
    assert refused_server.connections == 0
    assert len(server.requests) == 1
    assert not exists(dest)


async def test_too_many_redirects(server: LocalHttpServer, dest: Path) -> None:
    url = "/clip.mp4"
    for _ in range(3):
        url = "/_/redirect?to=" + quote(url, safe="")
    settings = LOOPBACK.model_copy(update={"max_redirects": 2})
    with pytest.raises(FetchFailed, match="redirects"):
        await download(server.url(url), dest, settings=settings, max_bytes=10**6)
    assert len(server.requests) == 3
    await download(server.url(url), dest, settings=LOOPBACK, max_bytes=10**6)


@pytest.mark.parametrize(
    "path",
    [
        "/_/bytes?n=20000",  # Content-Length over the cap
        # Says 20000 but sends 100: refused on the header, before reading any body.
        "/_/lying?declared=20000&actual=100",
        "/_/bytes?n=20000&chunked=1",  # no Content-Length
        "/_/lying?declared=100&actual=20000&chunked=1",  # says 100, sends 20000
    ],
)
async def test_size_cap(server: LocalHttpServer, dest: Path, path: str) -> None:
    with pytest.raises(TooLarge):
        await download(server.url(path), dest, settings=LOOPBACK, max_bytes=10_000)
    assert not exists(dest)


async def test_a_short_content_length_bounds_the_body(
    server: LocalHttpServer, dest: Path
) -> None:
    url = server.url("/_/lying?declared=100&actual=20000")
    result = await download(url, dest, settings=LOOPBACK, max_bytes=10_000)
    assert result.size == 100  # HTTP framing ends the body; the rest is never read


async def test_body_is_stored_as_received_not_decompressed(
    server: LocalHttpServer, dest: Path
) -> None:
    url = server.url("/_/gzip?n=50000000")  # a 50 MB gzip bomb of about 50 KB
    result = await download(url, dest, settings=LOOPBACK, max_bytes=1_000_000)
    assert result.size == len(read(dest)) < 1_000_000
    assert len(gzip.decompress(read(dest))) == 50_000_000


async def test_a_broken_body_is_transient(server: LocalHttpServer, dest: Path) -> None:
    url = server.url("/_/lying?declared=20000&actual=100")
    with pytest.raises(TransientError) as caught:
        await download(url, dest, settings=LOOPBACK, max_bytes=100_000)
    assert not isinstance(caught.value, FetchTimeout)
    assert not exists(dest)


async def test_stalled_source_times_out(server: LocalHttpServer, dest: Path) -> None:
    settings = LOOPBACK.model_copy(update={"idle_timeout_seconds": 0.5})
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        await download(
            server.url("/_/stall?n=1000&seconds=10"),
            dest,
            settings=settings,
            max_bytes=100_000,
        )
    assert time.monotonic() - started < 3
    assert not exists(dest)


async def test_not_found(server: LocalHttpServer, dest: Path) -> None:
    with pytest.raises(FetchFailed, match="404") as caught:
        await download(
            server.url("/missing.mp4"), dest, settings=LOOPBACK, max_bytes=10**6
        )
    assert caught.value.status == 404
    assert not exists(dest)


async def test_unresolvable_host(dest: Path) -> None:
    with pytest.raises(FetchFailed, match="could not resolve host"):
        await download(
            "http://no-such-host.invalid/x", dest, settings=LOOPBACK, max_bytes=10
        )


async def test_nothing_listening_is_transient(dest: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(TransientError):
        await download(
            f"http://127.0.0.1:{port}/", dest, settings=LOOPBACK, max_bytes=10
        )


async def test_tls_checks_the_host_name_while_connecting_to_the_address(
    tmp_path: Path, dest: Path
) -> None:
    server_tls, client_tls = tls_contexts(tmp_path, "localhost")
    settings = LOOPBACK.model_copy(
        update={
            "allow_networks": [*LOOPBACK.allow_networks, ipaddress.ip_network("::1")]
        }
    )
    async with serve_files({"/a.mp4": b"secure"}, ssl_context=server_tls) as tls:
        url = f"https://localhost:{tls.port}/a.mp4"
        await download(
            url, dest, settings=settings, max_bytes=100, ssl_context=client_tls
        )
        assert read(dest) == b"secure"
        # The same address by another name does not match the certificate.
        with pytest.raises(FetchFailed, match="certificate"):
            await download(
                f"https://127.0.0.1:{tls.port}/a.mp4",
                tmp_path / "by-address",
                settings=settings,
                max_bytes=100,
                ssl_context=client_tls,
            )
        # Without trusting the test certificate, the default trust refuses it.
        with pytest.raises(FetchFailed, match="certificate"):
            await download(
                url, tmp_path / "untrusted", settings=settings, max_bytes=100
            )
    assert not exists(tmp_path / "by-address")
