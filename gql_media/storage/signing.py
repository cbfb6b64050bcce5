"""HMAC-SHA256 signed, expiring links to local files.

A link carries `exp` (a Unix time), optionally `fn` (the suggested download name)
and `sig`, an HMAC-SHA256 over the key, the expiry and the file name. Changing any
of them, or using the link after `exp`, makes `verify` fail.
"""

import hmac
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii
from urllib.parse import urlencode


def _signature(key: str, expires_at: int, secret: bytes, filename: str | None) -> str:
    # JSON makes the message unambiguous: no separator inside a key or a file name
    # can make two different (key, expiry, name) triples sign the same bytes. The
    # bytes are json.dumps([key, expires_at, filename]) (ASCII, ", " between items),
    # written out because a tree answer signs hundreds of links.
    name = "null" if filename is None else encode_basestring_ascii(filename)
    message = f"[{encode_basestring_ascii(key)}, {expires_at}, {name}]"
    return hmac.digest(secret, message.encode(), "sha256").hex()


def sign(key: str, expires_at: int, secret: bytes, filename: str | None = None) -> str:
    """The query string of a link to `key` that is valid until `expires_at`.

    Args:
        key: the storage key the link points to.
        expires_at: Unix time (seconds) after which the link is refused.
        secret: the HMAC key (`Settings.signing_key()`).
        filename: suggested download name, signed into the link so it cannot be
            swapped for another.

    Returns:
        A URL-encoded query string without the leading `?`.
    """
    signature = _signature(key, expires_at, secret, filename or None)
    if not filename:  # the common case (thumbnails), without urlencode's work
        return f"exp={expires_at}&sig={signature}"
    return urlencode({"exp": str(expires_at), "fn": filename, "sig": signature})


def verify(key: str, query: Mapping[str, str], secret: bytes, now: float) -> bool:
    """Whether `query` is an unexpired signature of `key` made with `secret`.

    Args:
        key: the storage key from the request path.
        query: the request's query parameters (`exp`, `sig`, optional `fn`).
        secret: the HMAC key the link was signed with.
        now: the current Unix time.
    """
    raw_expiry = query.get("exp", "")
    signature = query.get("sig", "")
    if not (raw_expiry.isascii() and raw_expiry.isdigit()) or not signature:
        return False
    expires_at = int(raw_expiry)
    if now > expires_at:
        return False
    expected = _signature(key, expires_at, secret, query.get("fn") or None)
    # Bytes, not str: compare_digest raises TypeError on non-ASCII str arguments.
    return hmac.compare_digest(expected.encode(), signature.encode())
