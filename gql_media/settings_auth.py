"""The `auth` settings group (GQL_MEDIA_AUTH__*), part of `settings.Settings`."""

from pydantic import BaseModel, Field


class AuthSettings(BaseModel):
    """API tokens: who may call without one, and rate limits."""

    # Unset: requests without a token act for the `local` owner only in the
    # embedded mode on a loopback address; a non-loopback bind or the distributed
    # mode then refuses to start. true: allow that anywhere (with a warning);
    # false: every request needs a token, loopback included.
    allow_anonymous: bool | None = None
    # Failed authentications one client address may make per window before 429.
    failed_attempts_per_window: int = Field(default=20, ge=1)
    failed_window_seconds: int = Field(default=60, ge=1, le=86400)
    # Requests one token may make per minute; unset: no limit.
    token_requests_per_minute: int | None = Field(default=None, ge=1)
    # How often an open WebSocket checks that its token is still valid (revoked
    # or expired tokens end their subscriptions within this time).
    recheck_seconds: float = Field(default=30.0, gt=0, le=60)
