"""Signed local links: valid until expiry, invalid once anything is altered."""

import hashlib
import hmac
import json
from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from gql_media.storage.signing import _signature, sign, verify

SECRET = b"secret"
KEY = "blobs/sha256/ab/cd/" + "abcd" * 16
NOW = 1_700_000_000


def params(query: str) -> dict[str, str]:
    return dict(parse_qsl(query))


def test_valid_link_verifies() -> None:
    query = params(sign(KEY, NOW + 60, SECRET, "clip.mp4"))

    assert verify(KEY, query, SECRET, NOW)
    assert verify(KEY, query, SECRET, NOW + 60)  # valid through its last second
    assert query["fn"] == "clip.mp4"


def test_link_without_filename_verifies() -> None:
    query = params(sign(KEY, NOW + 60, SECRET))

    assert "fn" not in query
    assert verify(KEY, query, SECRET, NOW)


def test_expired_link_is_refused() -> None:
    query = params(sign(KEY, NOW + 60, SECRET))

    assert not verify(KEY, query, SECRET, NOW + 61)


def test_altered_links_are_refused() -> None:
    query = params(sign(KEY, NOW + 60, SECRET, "clip.mp4"))

    assert not verify(KEY + "0", query, SECRET, NOW)
    assert not verify(KEY, {**query, "exp": str(NOW + 3600)}, SECRET, NOW)
    assert not verify(KEY, {**query, "fn": "other.mp4"}, SECRET, NOW)
    assert not verify(KEY, {k: v for k, v in query.items() if k != "fn"}, SECRET, NOW)
    assert not verify(KEY, {**query, "sig": "0" * 64}, SECRET, NOW)
    assert not verify(KEY, query, b"another secret", NOW)


def test_malformed_links_are_refused() -> None:
    query = params(sign(KEY, NOW + 60, SECRET))

    assert not verify(KEY, {}, SECRET, NOW)
    assert not verify(KEY, {"exp": query["exp"]}, SECRET, NOW)
    assert not verify(KEY, {**query, "exp": "soon"}, SECRET, NOW)
    assert not verify(KEY, {**query, "exp": "-1"}, SECRET, NOW)
    assert not verify(KEY, {**query, "exp": "\u00b2"}, SECRET, NOW)  # isdigit() only
    assert not verify(KEY, {**query, "sig": "é" * 64}, SECRET, NOW)


@given(
    key=st.text(max_size=80),
    expires_at=st.integers(min_value=0, max_value=2**40),
    filename=st.none() | st.text(max_size=40),
)
def test_the_signed_message_is_the_json_of_key_expiry_and_name(
    key: str, expires_at: int, filename: str | None
) -> None:
    # Links signed before the message was written out by hand still verify.
    message = json.dumps([key, expires_at, filename], ensure_ascii=True).encode()
    expected = hmac.new(SECRET, message, hashlib.sha256).hexdigest()
    assert _signature(key, expires_at, SECRET, filename) == expected
    query = params(sign(key, expires_at, SECRET, filename))
    assert query["sig"] == _signature(key, expires_at, SECRET, filename or None)
    assert query["exp"] == str(expires_at) and query.get("fn") == (filename or None)
