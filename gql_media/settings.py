"""Settings read from `GQL_MEDIA_*` environment variables (nested groups use `__`).

Built only in entry points (cli, worker, the ASGI factory) and passed down.
"""

import ipaddress
import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gql_media.settings_auth import AuthSettings
from gql_media.settings_platforms import PlatformSettings

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

GiB = 1024**3


class StorageSettings(BaseModel):
    """Where blobs and thumbnails live: a local directory or an S3 bucket."""

    backend: Literal["local", "s3"] = "local"
    # Local backend: defaults to <data_dir>/storage.
    local_dir: Path | None = None
    # S3 backend.
    bucket: str = "gql-media"
    endpoint_url: str | None = None
    # The endpoint clients reach when it differs from the server's (compose:
    # the server uses http://minio:9000, browsers http://localhost:9000):
    # presigned links are signed for this host.
    public_endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    # Files at least this large go up as multipart uploads of `part_size` parts.
    multipart_threshold_bytes: int = Field(default=16 * 1024 * 1024, ge=5 * 1024**2)
    part_size_bytes: int = Field(default=8 * 1024 * 1024, ge=5 * 1024**2)
    # Parts of one multipart upload in flight at once (connections, not memory).
    part_concurrency: int = Field(default=4, ge=1, le=64)


class LimitsSettings(BaseModel):
    """Caps on what one request, upload or import may be."""

    max_upload_bytes: int = Field(default=2 * GiB, gt=0)
    max_import_bytes: int = Field(default=2 * GiB, gt=0)
    max_duration_seconds: float = Field(default=4 * 3600, gt=0)
    # 8K UHD (7680 x 4320) is the largest frame admitted by default.
    max_pixels: int = Field(default=7680 * 4320, gt=0)
    # Longest total duration one stitch job may produce (refused before any work).
    max_stitch_seconds: float = Field(default=3600, gt=0)
    # Bytes of stored files one owner may hold (each blob once); unset: no quota.
    owner_quota_bytes: int | None = Field(default=None, gt=0)
    # A JSON request body, GET query string or WebSocket message; counted while
    # reading. Multipart file parts have max_upload_bytes instead.
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    # A WebSocket that has not sent connection_init by then is closed (4408).
    ws_init_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # A resumable (tus) upload nobody wrote to for this long is removed.
    upload_expiry_seconds: int = Field(default=24 * 3600, ge=60)


class ImportSettings(BaseModel):
    """How URL imports reach the network."""

    # CIDRs that imports may reach although they are private or loopback.
    allow_networks: Annotated[list[IPNetwork], NoDecode] = Field(default_factory=list)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    # A download that receives nothing for this long is abandoned.
    idle_timeout_seconds: float = Field(default=30.0, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)

    @field_validator("allow_networks", mode="before")
    @classmethod
    def _split_cidrs(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class CorsSettings(BaseModel):
    """Which browser origins besides our own may call the API (HTTP and WebSocket)."""

    # Exact origins like https://app.example.com or http://localhost:5173. Requests
    # may carry credentials, so "*" is refused rather than opening the API to all.
    allow_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("allow_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allow_origins")
    @classmethod
    def _exact_origins(cls, origins: list[str]) -> list[str]:
        return list(dict.fromkeys(normalize_origin(origin) for origin in origins))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(origin: str) -> str:
    """`origin` as browsers send it in `Origin` (lower case, no default port).

    Raises:
        ValueError: for "*" or anything but scheme://host[:port].
    """
    if origin.strip() == "*":
        raise ValueError(
            "'*' is not allowed: the API accepts credentials, so list the exact "
            "origins (scheme://host[:port]) that may call it"
        )
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{origin!r} is not an origin: {exc}") from None
    scheme = parts.scheme.lower()
    if (
        scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ValueError(
            f"{origin!r} is not an origin: expected http(s)://host[:port] with "
            "no path, e.g. https://app.example.com"
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}"


class MediaSettings(BaseModel):
    """ffmpeg and ffprobe."""

    ffmpeg_path: str = "ffmpeg"
    ffprobe_path: str = "ffprobe"
    probe_timeout_seconds: float = Field(default=30.0, gt=0)
    thumbnail_timeout_seconds: float = Field(default=60.0, gt=0)


class WebhookSettings(BaseModel):
    """Webhooks from generation providers."""

    # Replicate's signing secret ("whsec_..."); the endpoint answers 503 when unset.
    replicate_secret: str | None = None
    # The owner (its id) whose assets deliveries signed with that secret create.
    replicate_owner: str = Field(default="local", min_length=1, max_length=64)
    # Deliveries whose timestamp is further than this from now are refused.
    tolerance_seconds: int = Field(default=300, ge=1, le=3600)


class PublishingSettings(BaseModel):
    """The publication ledger: retries, per-platform limits, the audit log, and
    the `webhook` uploader."""

    # Failures 1..max_failures leave FAILED with a retry scheduled after
    # base * 2^(n-1) seconds (capped, with +-jitter); the next one is FAILED_FINAL.
    max_failures: int = Field(default=3, ge=0, le=20)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    retry_jitter: float = Field(default=0.2, ge=0, le=1)
    # A rate-limit answer without Retry-After waits this long.
    rate_limited_default_seconds: float = Field(default=60.0, gt=0)
    # Uploads to one platform at once, and attempts started per second, per
    # platform; shared through Redis across workers in the distributed mode.
    concurrency: int = Field(default=2, ge=1, le=64)
    requests_per_second: float = Field(default=5.0, gt=0)
    # Per-platform overrides, e.g. {"youtube": 1} (JSON in the environment).
    platform_concurrency: dict[str, int] = Field(default_factory=dict)
    platform_requests_per_second: dict[str, float] = Field(default_factory=dict)
    # Each rate window is this much longer than the rate says, for the delays
    # between taking a token and the request reaching the platform.
    rate_margin_seconds: float = Field(default=0.25, ge=0, le=10)
    # The audit trail's JSON lines file (<data dir>/logs/publications.jsonl) is
    # rotated at this size, keeping `audit_log_backups` old files.
    audit_log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    audit_log_backups: int = Field(default=5, ge=0, le=100)
    # The `webhook` uploader: a signed notification to an in-house endpoint.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout_seconds: float = Field(default=30.0, gt=0)
    # publishAllPending considers at most this many assets per call (paginated).
    bulk_max_assets: int = Field(default=500, ge=1, le=5000)

    def concurrency_of(self, platform: str) -> int:
        return self.platform_concurrency.get(platform, self.concurrency)

    def rate_of(self, platform: str) -> float:
        return self.platform_requests_per_second.get(platform, self.requests_per_second)


class RetentionSettings(BaseModel):
    """Housekeeping: storage cleanup and how long archived assets are kept."""

    # Stored objects younger than this are never cleaned up: an upload or an
    # import may be between storing its blob and committing its row.
    cleanup_grace_seconds: float = Field(default=3600.0, ge=0)
    # Archived assets are deleted this many days after archiving; unset keeps them.
    purge_archived_after_days: int | None = Field(default=None, ge=1)


class LogSettings(BaseModel):
    """How log lines look."""

    # "json": one JSON object per line (for log shippers); "console": for people.
    format: Literal["console", "json"] = "console"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class TracingSettings(BaseModel):
    """OpenTelemetry traces; off unless an exporter is chosen."""

    # "otlp": OTLP over HTTP (to otlp_endpoint, or the OTEL_EXPORTER_OTLP_*
    # variables); "console": spans printed to stdout, for debugging.
    exporter: Literal["none", "otlp", "console"] = "none"
    otlp_endpoint: str | None = None


class MetricsSettings(BaseModel):
    """Who may read /metrics."""

    # A bearer token for /metrics; unset: only loopback clients may read it.
    token: str | None = None


class Settings(BaseSettings):
    """All settings of one gql-media process."""

    model_config = SettingsConfigDict(
        env_prefix="GQL_MEDIA_",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Path("data")
    # Defaults to a SQLite file under data_dir; a postgres:// URL selects PostgreSQL.
    database_url: str | None = None
    # Signs local /files/ links; generated once and kept in data_dir when unset.
    secret_key: str | None = None
    thumbnail_width: int = Field(default=320, ge=16, le=4096)
    url_ttl_seconds: int = Field(default=3600, ge=1, le=7 * 24 * 3600)
    # How many jobs the in-process runner runs at once.
    job_concurrency: int = Field(default=2, ge=1, le=64)
    job_max_attempts: int = Field(default=3, ge=1, le=50)
    # Transient failures wait base * 2^(attempt-1) seconds (capped) before a retry.
    job_retry_base_seconds: float = Field(default=2.0, gt=0)
    job_retry_max_seconds: float = Field(default=300.0, gt=0)
    # Time limits of one attempt: imports of videos and of images, and other jobs.
    job_timeout_video_seconds: float = Field(default=1800.0, gt=0)
    job_timeout_image_seconds: float = Field(default=600.0, gt=0)
    # A running job writes a heartbeat this often; the sweeper takes back jobs
    # whose heartbeat is older than job_stale_seconds (a killed worker). A dead
    # worker's job runs again within stale + sweep (+ one arq poll): 12 s by
    # default, for 20 heartbeat UPDATEs per running job per minute.
    job_heartbeat_seconds: float = Field(default=3.0, gt=0)
    job_stale_seconds: float = Field(default=10.0, gt=0)
    job_sweep_seconds: float = Field(default=2.0, gt=0)
    # Prefix of links to local files, e.g. https://media.example.com; relative if unset.
    public_base_url: str | None = None
    # Set to use the distributed mode: arq workers and the Redis progress bus.
    redis_url: str | None = None
    # A subscription waits this long for Redis to confirm it before it sends the
    # row's state anyway and keeps trying (re-reading the row each time).
    bus_subscribe_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    # How long a subscription waits for the bus to come back before it ends with
    # UNAVAILABLE ("live updates are down").
    bus_unavailable_grace_seconds: float = Field(default=30.0, ge=0, le=3600)
    # Per-message deflate on WebSockets (uvicorn's `ws_per_message_deflate`).
    # Off: compression runs once per socket per frame, the dominant cost of a
    # fan-out to many subscribers, for frames of a few hundred bytes.
    ws_per_message_deflate: bool = False
    # `gql-media serve` freezes start-up's objects (gc.freeze) and collects young
    # objects after this many allocations (Python: 700); 0 keeps the defaults.
    gc_gen0_threshold: int = Field(default=50_000, ge=0)
    # Each check of /readyz (database, storage, Redis) fails after this long.
    readiness_timeout_seconds: float = Field(default=2.0, gt=0, le=60)

    storage: StorageSettings = Field(default_factory=StorageSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    import_: ImportSettings = Field(
        default_factory=ImportSettings, alias="gql_media_import"
    )
    media: MediaSettings = Field(default_factory=MediaSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    cors: CorsSettings = Field(default_factory=CorsSettings)
    publishing: PublishingSettings = Field(default_factory=PublishingSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    platforms: PlatformSettings = Field(default_factory=PlatformSettings)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'gql_media.sqlite3').resolve()}"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def storage_dir(self) -> Path:
        return self.storage.local_dir or self.data_dir / "storage"

    def secrets(self) -> list[str | None]:
        """Values that must never reach a log line."""
        return [
            self.secret_key,
            self.storage.secret_access_key,
            self.webhooks.replicate_secret,
            self.metrics.token,
            self.platforms.youtube.client_secret,
            self.platforms.youtube.refresh_token,
            self.platforms.tiktok.access_token,
            self.platforms.instagram.access_token,
        ]

    def ensure_dirs(self) -> None:
        """Create the data directories this process writes to."""
        for path in (self.data_dir, self.tmp_dir):
            path.mkdir(parents=True, exist_ok=True)

    def signing_key(self) -> bytes:
        """The HMAC key for local links: the setting, or one kept in data_dir."""
        if self.secret_key:
            return self.secret_key.encode()
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip().encode()


def env_names(
    model: type[BaseModel] = Settings, prefix: str = "GQL_MEDIA_"
) -> set[str]:
    """Every environment variable the settings read, e.g. GQL_MEDIA_STORAGE__BUCKET."""
    names = set()
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name).upper().removeprefix("GQL_MEDIA_")
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= env_names(annotation, key + "__")
        else:
            names.add(key)
    return names
