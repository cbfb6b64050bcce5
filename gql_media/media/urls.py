"""Which URLs and addresses URL imports may reach; everything else is ForbiddenUrl."""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from gql_media.errors import FetchFailed, ForbiddenUrl

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 4096
DEFAULT_PORTS = {"http": 80, "https": 443}

# Only global unicast is public IPv6; inside it, ranges that `is_global` may miss
# depending on the Python patch release.
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_NOT_PUBLIC = [
    ipaddress.ip_network(cidr)
    for cidr in """
        0.0.0.0/8 100.64.0.0/10 192.0.0.0/24 192.0.2.0/24 198.18.0.0/15
        198.51.100.0/24 203.0.113.0/24 240.0.0.0/4 2001::/23 2001:db8::/32 3fff::/20
    """.split()
]
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class ParsedUrl:
    """A URL that passed the syntax checks, split the way it will be requested."""

    url: str
    scheme: str
    # ASCII (IDNA) host without brackets: what is resolved and what is connected to.
    host: str
    port: int
    # The Host header value: host (bracketed if IPv6) and any explicit port.
    netloc: str
    # Path and query, percent-encoded; the fragment is never sent.
    target: str


def check_url_syntax(url: str) -> ParsedUrl:
    """Parse an import URL and refuse anything but plain http(s) to a named host.

    Args:
        url: the URL as the client gave it, or a redirect target made absolute.

    Returns:
        The URL split into the parts the fetcher requests.

    Raises:
        ForbiddenUrl: another scheme, credentials, no host, over-long or malformed.
    """
    if len(url) > MAX_URL_LENGTH:
        raise ForbiddenUrl(f"the URL is longer than {MAX_URL_LENGTH} characters")
    # Parsers disagree on tabs, newlines and spaces (some strip them silently), so
    # any such character is refused rather than interpreted.
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise ForbiddenUrl("the URL contains whitespace or control characters")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ForbiddenUrl(f"not a valid URL: {exc}") from exc
    if parsed.scheme not in DEFAULT_PORTS:
        raise ForbiddenUrl(f"only http and https URLs can be imported, not {url!r}")
    if parsed.userinfo:
        raise ForbiddenUrl("URLs with a user name or password are not allowed")
    if not parsed.raw_host:
        raise ForbiddenUrl("the URL has no host")
    return ParsedUrl(
        url=str(parsed.copy_with(fragment=None)),
        scheme=parsed.scheme,
        host=parsed.raw_host.decode("ascii"),
        port=parsed.port or DEFAULT_PORTS[parsed.scheme],
        netloc=parsed.netloc.decode("ascii"),
        target=parsed.raw_path.decode("ascii"),
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses that traffic to `ip` actually ends up at, if any."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the relay server and the client
    if ip in _NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def _is_public(ip: IPAddress) -> bool:
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return False
    if ip.is_loopback or ip.is_link_local or ip.is_private:
        return False
    if ip.version == 6 and ip not in _GLOBAL_UNICAST_V6:
        return False
    return not any(ip.version == net.version and ip in net for net in _NOT_PUBLIC)


def is_address_allowed(ip: IPAddress, allow_networks: Iterable[IPNetwork]) -> bool:
    """Whether an import may connect to `ip`.

    Args:
        ip: a resolved address.
        allow_networks: networks admitted although not public (settings).

    Returns:
        True if `ip` is inside `allow_networks` or globally routable. IPv6 forms
        that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by it.
    """
    networks = list(allow_networks)
    if any(ip.version == net.version and ip in net for net in networks):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)):
        return all(is_address_allowed(v4, networks) for v4 in embedded)
    return _is_public(ip)


async def resolve_and_check(
    host: str, port: int, allow_networks: Iterable[IPNetwork]
) -> list[IPAddress]:
    """Resolve `host` and return its addresses if every one of them is allowed.

    The caller must connect only to the returned addresses, never resolve again:
    a second lookup could answer differently (DNS rebinding).

    Args:
        host: a name or IP literal in any form libc accepts (`[::1]`, `2130706433`,
            `0x7f000001`, `127.1`); getaddrinfo normalises them all.
        port: the TCP port that will be connected to.
        allow_networks: networks admitted although not public.

    Returns:
        The addresses, IPv4-mapped IPv6 ones given as plain IPv4.

    Raises:
        FetchFailed: the host does not resolve.
        ForbiddenUrl: any of its addresses is not allowed.
    """
    name = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchFailed(f"could not resolve host {host!r}") from exc
    addresses: list[IPAddress] = []
    for family, *_, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchFailed(f"could not resolve host {host!r}")
    # One refused answer refuses the host: mixed answers are a rebinding trick.
    if not all(is_address_allowed(ip, allow_networks) for ip in addresses):
        raise ForbiddenUrl(f"the address of host {host!r} is not allowed")
    return addresses
