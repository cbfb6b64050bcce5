"""Start-up checks that turn bad settings into one line naming the variable.

A process that cannot start should say which `GQL_MEDIA_*` variable is wrong, what
is wrong with its value and what to do, in a line or two, not in a traceback of
pydantic or asyncpg internals. Entry points call `load_settings`, then the checks
they need, and print `StartupError.lines`.
"""

import asyncio
import difflib
import ipaddress
import logging
import os
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError
from pydantic_settings import SettingsError

from gql_media.settings import Settings, env_names

PREFIX = "GQL_MEDIA_"
# Variables read outside Settings (the test suite's admin database).
_NOT_SETTINGS = {"GQL_MEDIA_TEST_PG"}
# Tortoise URL schemes of the two databases gql-media supports.
DB_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg", "psycopg")


class StartupError(Exception):
    """The process cannot start; `lines` say why, one problem per line."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def env_name(loc: tuple[int | str, ...], model: type[BaseModel] = Settings) -> str:
    """The variable behind a validation error's location, e.g. ("storage",
    "backend") -> GQL_MEDIA_STORAGE__BACKEND."""
    parts: list[str] = []
    current: Any = model
    for part in loc:
        fields = getattr(current, "model_fields", {})
        match = next((f"{n}" for n, f in fields.items() if part in (n, f.alias)), None)
        if match is None:
            break
        field = fields[match]
        parts.append((field.alias or match).upper().removeprefix(PREFIX))
        current = field.annotation
    return PREFIX + "__".join(parts)


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_settings(**values: Any) -> Settings:
    """Settings from the environment; a bad value raises StartupError.

    Raises:
        StartupError: one line per invalid variable, naming it and its value.
    """
    try:
        return Settings(**values)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = env_name(tuple(error["loc"]))
            reason = error["msg"]
            lines.append(
                f"{name}={_shown(error.get('input'))} is invalid: {reason}; "
                f"fix or unset {name} (see the settings table in README.md)"
            )
        raise StartupError(*lines) from exc
    except SettingsError as exc:  # e.g. a group variable that is not valid JSON
        raise StartupError(f"{exc}; fix the GQL_MEDIA_ variable it names") from exc


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each `GQL_MEDIA_*` variable no setting reads (a typo is
    otherwise silently ignored), naming the closest known variable."""
    environ = os.environ if environ is None else environ
    known = env_names()
    # A whole group may also be given as JSON, e.g. GQL_MEDIA_STORAGE='{...}'.
    groups = {name.split("__")[0] for name in known if "__" in name}
    warnings = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(PREFIX) or upper in known | groups | _NOT_SETTINGS:
            continue
        close = difflib.get_close_matches(upper, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.append(f"{name} is not a gql-media setting and is ignored{hint}")
    return warnings


def check_data_dir(settings: Settings) -> None:
    """Create the data directories and prove they are writable.

    Raises:
        StartupError: naming GQL_MEDIA_DATA_DIR (or the storage dir's variable).
    """
    dirs: list[tuple[str, Path]] = [
        ("GQL_MEDIA_DATA_DIR", settings.data_dir),
        ("GQL_MEDIA_DATA_DIR", settings.tmp_dir),
    ]
    if settings.storage.backend == "local":
        name = "GQL_MEDIA_STORAGE__LOCAL_DIR" if settings.storage.local_dir else None
        dirs.append((name or "GQL_MEDIA_DATA_DIR", settings.storage_dir))
    for name, path in dirs:
        probe = path / f".write-test-{uuid.uuid4().hex}"
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise StartupError(
                f"{name}: cannot write to {path} ({exc.strerror or exc}); "
                f"set {name} to a writable directory"
            ) from exc


def check_database_url(url: str) -> None:
    """Refuse a database URL whose scheme gql-media cannot use.

    Raises:
        StartupError: naming GQL_MEDIA_DATABASE_URL.
    """
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in DB_SCHEMES:
        raise StartupError(
            f"GQL_MEDIA_DATABASE_URL: unsupported scheme {scheme or url!r}; use "
            "postgres://user:password@host:5432/name, or unset it for the SQLite "
            "file in the data dir"
        )


async def check_database(url: str, seconds: float = 5.0) -> None:
    """Connect to the database once, run `SELECT 1`, and disconnect.

    Raises:
        StartupError: naming GQL_MEDIA_DATABASE_URL and what the driver said.
    """
    from gql_media import db  # imports Tortoise; keep `load_settings` light

    check_database_url(url)
    # Tortoise logs its connect and shutdown at INFO: noise around one line.
    tortoise_log = logging.getLogger("tortoise")
    level = tortoise_log.level
    tortoise_log.setLevel(logging.WARNING)
    try:
        async with asyncio.timeout(seconds):
            await db.ping_once(url)
    except Exception as exc:  # any failure means "cannot connect", with its reason
        if isinstance(exc, TimeoutError):
            reason = f"timed out after {seconds:g} s"
        else:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise StartupError(
            f"GQL_MEDIA_DATABASE_URL={db.redact(url)}: cannot connect ({reason}); "
            "start the database or fix the URL"
        ) from exc
    finally:
        tortoise_log.setLevel(level)


def is_loopback(host: str) -> bool:
    """Whether `host` (a bind address) is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def check_access(settings: Settings, host: str) -> str:
    """Refuse to serve without tokens where others can reach the port.

    Returns:
        the line to log about anonymous access ("" when tokens are required).

    Raises:
        StartupError: a non-loopback bind or the distributed mode with anonymous
            access neither allowed nor refused explicitly.
    """
    allowed = settings.auth.allow_anonymous
    if allowed is False:
        return ""
    exposed = not is_loopback(host)
    if allowed is None and (exposed or settings.redis_url):
        where = f"on {host}" if exposed else "in the distributed mode"
        raise StartupError(
            f"GQL_MEDIA_AUTH__ALLOW_ANONYMOUS: serving {where} needs API tokens; "
            "create one with `gql-media token create --owner NAME --name WHO` and "
            "set GQL_MEDIA_AUTH__ALLOW_ANONYMOUS=false (or true to allow anyone)"
        )
    if allowed:
        return (
            f"anonymous access is allowed on {host}: requests without a token act "
            "for the 'local' owner with every scope (GQL_MEDIA_AUTH__ALLOW_ANONYMOUS)"
        )
    return (
        f"requests without a token act for the 'local' owner (loopback {host}, "
        "embedded mode); tokens are still checked when sent"
    )


def exit_with(error: StartupError, code: int = 2) -> NoReturn:
    """Print the error's lines on stderr and exit (for entry points)."""
    for line in error.lines:
        print(f"error: {line}", file=sys.stderr)
    raise SystemExit(code)


_warned = False


def warn_unknown_variables() -> None:
    """Print `unknown_variables()` on stderr, once per process."""
    global _warned
    if not _warned:
        _warned = True
        for line in unknown_variables():
            print(f"warning: {line}", file=sys.stderr)


def settings_or_exit() -> Settings:
    """`load_settings` for entry points that cannot return an exit code (the
    ASGI factory, the arq worker module): warn, and exit on a bad value."""
    warn_unknown_variables()
    try:
        return load_settings()
    except StartupError as exc:
        exit_with(exc)
