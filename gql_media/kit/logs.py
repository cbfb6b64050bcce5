"""Log lines for people (console) or machines (one JSON object per line), the same
for uvicorn's lines and ours, with the request id and job id of the work a line is
about, and known secrets replaced by `***` before anything is written.

The ids travel in context variables: the request-id middleware sets one for each
HTTP request or WebSocket, the job runner sets the other while a job runs, and a
filter copies both onto every record.
"""

import contextvars
import json
import logging
import logging.config
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "job_id", default=None
)

# user:password@ in URLs (database, Redis), whatever the scheme.
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*):([^@\s]+)@")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


@contextmanager
def job_context(job: object) -> Iterator[None]:
    """Lines logged inside carry `job_id`."""
    token = job_id.set(str(job))
    try:
        yield
    finally:
        job_id.reset(token)


class ContextIds(logging.Filter):
    """Copies the request and job ids of the current context onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.job_id = job_id.get()
        return True


class Redactor:
    """Replaces known secret values, URL passwords and bearer tokens."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Short values would mask ordinary words; real secrets are long.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len)[::-1]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        text = _URL_PASSWORD.sub(r"\1:***@", text)
        return _BEARER.sub(r"\1***", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, exception."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        for name in ("request_id", "job_id"):
            value = getattr(record, name, None)
            if value:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class ConsoleFormatter(logging.Formatter):
    """`time LEVEL logger: message [request=.. job=..]`, secrets redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{label}={value}"
            for label, value in (
                ("request", getattr(record, "request_id", None)),
                ("job", getattr(record, "job_id", None)),
            )
            if value
        ]
        if ids:
            line += f" [{' '.join(ids)}]"
        return self.redact(line)


def configure(fmt: str, level: str, secrets: Iterable[str | None] = ()) -> None:
    """Send every line (ours, uvicorn's, arq's) through one handler on stderr."""
    redact = Redactor(secrets)
    formatter: logging.Formatter = (
        JsonFormatter(redact) if fmt == "json" else ConsoleFormatter(redact)
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    handler.addFilter(ContextIds())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn and arq bring handlers of their own: theirs go, ours are used.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
