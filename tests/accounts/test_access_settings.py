"""Which binds and modes may serve without tokens (`startup.check_access`) and
who an anonymous request acts for (`http.auth.anonymous_allowed`)."""

from pathlib import Path

import pytest

from gql_media.http.auth import anonymous_allowed, bearer_token
from gql_media.settings import Settings
from gql_media.startup import StartupError, check_access, is_loopback


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("media.example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_loopback_embedded_serves_anonymously_and_says_so(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert "local" in check_access(settings, "127.0.0.1")
    assert anonymous_allowed(settings)


@pytest.mark.parametrize(
    ("host", "redis"),
    [("0.0.0.0", None), ("127.0.0.1", "redis://127.0.0.1:6379/0")],
)
def test_exposed_or_distributed_refuses_unless_told(
    tmp_path: Path, host: str, redis: str | None
) -> None:
    settings = _settings(tmp_path, redis_url=redis)
    with pytest.raises(StartupError) as refused:
        check_access(settings, host)
    assert len(refused.value.lines) == 1
    assert "GQL_MEDIA_AUTH__ALLOW_ANONYMOUS" in refused.value.lines[0]
    required = _settings(tmp_path, redis_url=redis, auth={"allow_anonymous": False})
    assert check_access(required, host) == ""
    assert not anonymous_allowed(required)
    allowed = _settings(tmp_path, redis_url=redis, auth={"allow_anonymous": True})
    assert "anonymous access is allowed" in check_access(allowed, host)
    assert anonymous_allowed(allowed)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, None),
        ("", None),
        ("Bearer gqlm_x", "gqlm_x"),
        ("bearer   gqlm_x ", "gqlm_x"),
        ("Basic abc", ""),
        ("Bearer", ""),
        ("Bearer " + "x" * 1000, ""),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token
