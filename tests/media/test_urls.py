"""URL syntax and address policy for imports."""

import ipaddress
import socket

import pytest

from gql_media.errors import FetchFailed, ForbiddenUrl
from gql_media.media.urls import check_url_syntax, is_address_allowed, resolve_and_check

LOOPBACK_ONLY = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/clip.mp4",
        "gopher://example.com:70/_GET",
        "data:video/mp4;base64,AAAA",
        "javascript:alert(1)",
        "//example.com/clip.mp4",
        "http://user:secret@example.com/clip.mp4",
        "http://user@example.com/clip.mp4",
        "http:///clip.mp4",
        "http://exa mple.com/",
        "http://example.com/a\tb",
        "http://example.com/\r\nX-Injected: 1",
        "http://example.com/\x00",
        "http://example.com/" + "a" * 4096,
        "http://0177.0.0.1/",
    ],
)
def test_check_url_syntax_refuses(url: str) -> None:
    with pytest.raises(ForbiddenUrl):
        check_url_syntax(url)


def test_check_url_syntax_splits_the_url() -> None:
    parsed = check_url_syntax("HTTPS://Exämple.COM:8443/a%20b/ü.mp4?x=1&y=%20#frag")
    assert parsed.scheme == "https"
    assert parsed.host == "xn--exmple-cua.com"
    assert parsed.port == 8443
    assert parsed.netloc == "xn--exmple-cua.com:8443"
    assert parsed.target == "/a%20b/%C3%BC.mp4?x=1&y=%20"
    assert parsed.url == "https://xn--exmple-cua.com:8443/a%20b/%C3%BC.mp4?x=1&y=%20"
    assert check_url_syntax("http://[::1]/").netloc == "[::1]"
    assert check_url_syntax("http://example.com").port == 80


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.1", "240.0.0.1",
        "192.0.2.1", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
        "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1", "2002:a00:1::1", "::127.0.0.1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_address_allowed(ipaddress.ip_address(address), [])


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8",
     "64:ff9b::808:808", "2002:808:808::1"],
)  # fmt: skip
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_address_allowed(ipaddress.ip_address(address), [])


def test_allow_networks_admit_private_addresses() -> None:
    allowed = [ipaddress.ip_network("10.1.0.0/16"), ipaddress.ip_network("fd00::/8")]
    for address in ("10.1.2.3", "fd00::5", "::ffff:10.1.2.3", "2002:a01:203::1"):
        assert is_address_allowed(ipaddress.ip_address(address), allowed)
    for address in ("10.2.0.1", "127.0.0.1", "fc00::1", "::ffff:10.2.0.1"):
        assert not is_address_allowed(ipaddress.ip_address(address), allowed)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1"]
)
async def test_every_spelling_of_loopback_resolves_to_it(host: str) -> None:
    with pytest.raises(ForbiddenUrl):
        await resolve_and_check(host, 80, [])
    addresses = await resolve_and_check(host, 80, LOOPBACK_ONLY)
    assert addresses == [ipaddress.IPv4Address("127.0.0.1")]


async def test_ipv6_literals_are_checked() -> None:
    with pytest.raises(ForbiddenUrl):
        await resolve_and_check("[::1]", 80, LOOPBACK_ONLY)
    mapped = await resolve_and_check("::ffff:127.0.0.1", 80, LOOPBACK_ONLY)
    assert mapped == [ipaddress.IPv4Address("127.0.0.1")]


async def test_unresolvable_host_fails_clearly() -> None:
    with pytest.raises(FetchFailed, match="could not resolve host"):
        await resolve_and_check("no-such-host.invalid", 80, [])


async def test_one_refused_answer_refuses_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {"8.8.8.8", "10.0.0.7"}
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host: object, port: object, *args: object, **kw: object):
        if host != "mixed.test":
            return real_getaddrinfo(host, port, *args, **kw)  # type: ignore[arg-type]
        stream = socket.SOCK_STREAM
        return [(socket.AF_INET, stream, 6, "", (ip, port)) for ip in answers]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(ForbiddenUrl):
        await resolve_and_check("mixed.test", 443, [])
    answers.discard("10.0.0.7")
    assert await resolve_and_check("mixed.test", 443, []) == [
        ipaddress.IPv4Address("8.8.8.8")
    ]
