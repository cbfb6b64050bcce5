"""Who a request acts for: the bearer token of HTTP requests and WebSockets,
anonymous access where the settings allow it, and rate limits on both."""

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from gql_media.runtime import Runtime
from gql_media.services.accounts import tokens
from gql_media.services.accounts.tokens import Principal
from gql_media.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A header longer than this is refused unread (a token is under 128 characters).
MAX_HEADER_CHARS = 256


@dataclass
class AuthFailed(Exception):
    """The request cannot act for anyone: 401 (UNAUTHENTICATED) or 429."""

    message: str
    status: int = 401
    code: str = "UNAUTHENTICATED"
    retry_after: int | None = None
    # RFC 6750: a presented token that is bad is "invalid_token".
    bearer_error: str | None = None

    def headers(self) -> dict[str, str]:
        if self.status == 429:
            return {"Retry-After": str(self.retry_after or 1)}
        challenge = 'Bearer realm="gql-media"'
        if self.bearer_error:
            challenge += f', error="{self.bearer_error}"'
        return {"WWW-Authenticate": challenge}


def anonymous_allowed(settings: Settings) -> bool:
    """Whether a request without a token acts for the `local` owner: when
    allowed explicitly, or by default in the embedded mode (whose `serve`
    refuses non-loopback binds; see `startup.check_access`)."""
    allowed = settings.auth.allow_anonymous
    if allowed is not None:
        return allowed
    return not settings.redis_url


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; "" when the value
    is there but is not a bearer token; None when there is none."""
    if header is None or header == "":
        return None
    if len(header) > MAX_HEADER_CHARS:
        return ""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return token.strip()


async def authenticate(runtime: Runtime, header: str | None, client: str) -> Principal:
    """The principal of a request from `client` with this Authorization value.

    Raises:
        AuthFailed: 401 for a missing (where needed), malformed, unknown,
            expired or revoked token; 429 once `client` failed too often, or the
            token made too many requests.
    """
    auth = runtime.settings.auth
    token = bearer_token(header)
    if token is None and anonymous_allowed(runtime.settings):
        return tokens.LOCAL  # nothing to verify, so nothing to count
    key = f"fail:{client}"
    wait = await _safely(runtime.limiter.blocked(key, auth.failed_attempts_per_window))
    if wait:
        raise AuthFailed(
            f"too many failed authentications; retry in {wait} s",
            status=429,
            code="RATE_LIMITED",
            retry_after=wait,
        )
    if token is None:
        raise AuthFailed(
            "this server needs an API token: send Authorization: Bearer gqlm_..."
        )
    principal = await tokens.authenticate(token) if token else None
    if principal is None:
        # Never the token itself: the log line names the client only.
        logger.info("refused a bad or expired token from %s", client)
        await _safely(runtime.limiter.hit(key, auth.failed_window_seconds))
        raise AuthFailed(
            "the API token is malformed, unknown, expired or revoked",
            bearer_error="invalid_token",
        )
    limit = auth.token_requests_per_minute
    if limit is not None and principal.token_id is not None:
        counted = await _safely(runtime.limiter.hit(f"token:{principal.token_id}", 60))
        if counted and counted[0] > limit:
            raise AuthFailed(
                f"this token made more than {limit} requests this minute",
                status=429,
                code="RATE_LIMITED",
                retry_after=counted[1],
            )
    return principal


async def _safely(work: Awaitable[T]) -> T | None:
    """A limiter call; a limiter backend that is down (Redis) does not refuse
    every request: it is logged and the request goes on unlimited."""
    try:
        return await work
    except Exception as exc:  # Redis errors of every kind; the limit is best effort
        # One line, no traceback: a Redis outage is reported by /readyz and the bus.
        logger.warning(
            "rate limiter unavailable (%s); not limiting", type(exc).__name__
        )
        return None
