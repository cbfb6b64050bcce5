"""The audit trail's second copy: one JSON line per transition in
`<data dir>/logs/publications.jsonl`, rotated by size by the standard library.

The database rows (`PublicationEvent`) are the truth; the file is for people and
log shippers. Each line is written with one `write` on a file opened for append,
so lines of several processes do not interleave (rotation is per process).
"""

import json
import logging
import logging.handlers
import threading
from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.settings import Settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_handlers: dict[Path, logging.handlers.RotatingFileHandler] = {}


def log_path(settings: Settings) -> Path:
    return settings.data_dir / "logs" / "publications.jsonl"


def record(event: models.PublicationEvent) -> dict[str, Any]:
    """The event as the JSON object both copies agree on."""
    return {
        "id": str(event.id),
        "at": event.at.isoformat(),
        "owner_id": event.owner_id,
        "publication_id": str(event.publication_id),  # type: ignore[attr-defined]
        "asset_id": str(event.asset_id),
        "platform": event.platform,
        "from": event.from_status.value if event.from_status else None,
        "to": event.to_status.value,
        "retry_count": event.retry_count,
        "error": event.error,
        "post_id": event.post_id,
        "principal": event.principal,
        "revision": event.revision,
    }


def _handler(settings: Settings) -> logging.handlers.RotatingFileHandler:
    path = log_path(settings).resolve()
    with _lock:
        handler = _handlers.get(path)
        if handler is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                path,
                maxBytes=settings.publishing.audit_log_max_bytes,
                backupCount=settings.publishing.audit_log_backups,
                encoding="utf-8",
            )
            handler.setFormatter(logging.Formatter("%(message)s"))
            _handlers[path] = handler
        return handler


def append(settings: Settings, event: models.PublicationEvent) -> None:
    """Write the event's line (the handler flushes each record)."""
    line = json.dumps(record(event), separators=(",", ":"), sort_keys=True)
    entry = logging.LogRecord("publications", logging.INFO, "", 0, line, None, None)
    try:
        _handler(settings).handle(entry)
    except OSError as exc:  # a full disk must not undo a committed transition
        logger.warning(
            "publication event %s not written to the file: %s", event.id, exc
        )


def close_all() -> None:
    """Close the open files (tests that remove data dirs, process shutdown)."""
    with _lock:
        for handler in _handlers.values():
            handler.close()
        _handlers.clear()
