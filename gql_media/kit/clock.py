"""The one clock: aware UTC datetimes, as every timestamp column stores."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
