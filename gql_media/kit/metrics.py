"""Prometheus metrics of every gql-media process, safe for several processes.

With `PROMETHEUS_MULTIPROC_DIR` set (before the process starts) prometheus_client
keeps each process's values in files there, and /metrics of any API process adds
up the API and worker processes that share the directory. Without it the values
live in this process and /metrics shows them.
"""

import os

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

PREFIX = "gql_media"

REQUESTS = Counter(
    f"{PREFIX}_graphql_requests_total",
    "GraphQL operations by operation name, type and outcome (ok or error).",
    ["operation", "type", "outcome"],
)
REQUEST_SECONDS = Histogram(
    f"{PREFIX}_graphql_request_seconds",
    "Time to execute a GraphQL query or mutation.",
    ["operation", "type", "outcome"],
)
SUBSCRIPTIONS_OPEN = Gauge(
    f"{PREFIX}_subscriptions_open",
    "Subscriptions following a row (jobProgress, generationProgress) right now.",
    multiprocess_mode="livesum",
)
BUS_PUBLISHED = Counter(
    f"{PREFIX}_bus_events_published_total",
    "Events published on the progress bus.",
    ["bus"],
)
BUS_DELIVERED = Counter(
    f"{PREFIX}_bus_events_delivered_total",
    "Events from the progress bus handed to a subscription.",
)
JOBS_ENDED = Counter(
    f"{PREFIX}_jobs_ended_total",
    "Jobs that reached a terminal status, counted by the process that ended them.",
    ["kind", "status"],
)
JOB_SECONDS = Histogram(
    f"{PREFIX}_job_seconds",
    "Time of one job attempt from its start to its end, by kind and status.",
    ["kind", "status"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600),
)
JOB_STAGE_SECONDS = Histogram(
    f"{PREFIX}_job_stage_seconds",
    "Time a running job spent in one stage (download, probe, thumbnail, ...).",
    ["kind", "stage"],
    buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
WEBHOOK_DELIVERIES = Counter(
    f"{PREFIX}_webhook_deliveries_total",
    "Webhook deliveries received, by provider and HTTP status answered.",
    ["provider", "status"],
)
# Read from the database when /metrics is scraped: the rows are the truth, so the
# value of whichever process read last is right ("mostrecent").
JOBS = Gauge(
    f"{PREFIX}_jobs",
    "Jobs in the database by kind and status.",
    ["kind", "status"],
    multiprocess_mode="mostrecent",
)
QUEUE_DEPTH = Gauge(
    f"{PREFIX}_queue_depth",
    "Jobs waiting to run (QUEUED).",
    multiprocess_mode="mostrecent",
)
QUEUE_OLDEST_SECONDS = Gauge(
    f"{PREFIX}_queue_oldest_age_seconds",
    "Age of the oldest QUEUED job (0 when none waits).",
    multiprocess_mode="mostrecent",
)
STORAGE_BYTES = Gauge(
    f"{PREFIX}_storage_bytes",
    "Bytes of the stored blobs of live assets (each blob counted once).",
    multiprocess_mode="mostrecent",
)
ASSETS = Gauge(
    f"{PREFIX}_assets",
    "Live assets by status.",
    ["status"],
    multiprocess_mode="mostrecent",
)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> bytes:
    """The text exposition of this process, or of all processes sharing the
    multiprocess directory."""
    path = multiprocess_dir()
    if path is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    _multiprocess.MultiProcessCollector(registry, path=path)
    return generate_latest(registry)
