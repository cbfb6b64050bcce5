"""OpenTelemetry tracing, off unless an exporter is configured.

On: GraphQL operations and resolvers (Strawberry's extension), SQL on PostgreSQL
(asyncpg) and Redis (the official instrumentations), SQL on SQLite (a span around
each statement Tortoise's SQLite client runs: there is no instrumentation for
aiosqlite, and the sqlite3 one would start its spans on aiosqlite's thread,
outside the request's trace), and our own spans for S3 calls, ffmpeg runs and
jobs. A job's span continues the trace of the request that
created the job: the W3C trace context is stored with the job row (`carrier()`)
and taken up by whichever process runs it (`job_span`).
"""

import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

logger = logging.getLogger(__name__)

TRACE_KEY = "_trace"  # where the context sits in a job's payload
_NOOP = trace.NoOpTracer()
_state: dict[str, Any] = {"tracer": None}


def configure(
    exporter: str, role: str, *, endpoint: str | None = None, span_exporter: Any = None
) -> None:
    """Start tracing for this process (once), or leave it off.

    Args:
        exporter: "none" (off), "otlp" (OTLP over HTTP to `endpoint`, or the
            OTEL_EXPORTER_OTLP_* variables), or "console" (stdout, for debugging).
        role: "api" or "worker", recorded on every span.
        span_exporter: an exporter object to use instead (tests: in-memory).
    """
    if _state["tracer"] is not None:
        return
    chosen: SpanExporter | None = span_exporter
    if chosen is None and exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )

        chosen = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
    elif chosen is None and exporter == "console":
        chosen = ConsoleSpanExporter()
    if chosen is None:
        return
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        # The global provider can be set once per process; a process that turned
        # tracing off and on again (tests) keeps it and adds the new exporter.
        provider = current
    else:
        provider = TracerProvider(
            resource=Resource.create(
                {"service.name": "gql-media", "gql_media.role": role}
            )
        )
        trace.set_tracer_provider(provider)
    # In-memory (tests) exports as spans end; real exporters batch in a thread.
    processor = (
        SimpleSpanProcessor(chosen)
        if span_exporter is not None
        else BatchSpanProcessor(chosen)
    )
    provider.add_span_processor(processor)
    _instrument_libraries()
    _state["tracer"] = provider.get_tracer("gql_media")
    _state["processor"] = processor
    logger.info("tracing on (%s exporter)", type(chosen).__name__)


def _instrument_libraries() -> None:
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    AsyncPGInstrumentor().instrument()
    RedisInstrumentor().instrument()
    _sqlite(instrument=True)


_SQLITE_METHODS = (
    "execute_insert",
    "execute_many",
    "execute_query",
    "execute_query_dict",
    "execute_script",
)


def _sqlite(*, instrument: bool) -> None:
    """Wrap (or unwrap) the statement methods of Tortoise's SQLite client and its
    transaction wrapper in a CLIENT span named like asyncpg's ("SELECT", ...)."""
    from tortoise.backends.sqlite import client

    for cls in (client.SqliteClient, client.SqliteTransactionWrapper):
        for name in _SQLITE_METHODS:
            method = cls.__dict__.get(name)
            if method is None:
                continue
            traced = getattr(method, "_gql_media_traced", False)
            if instrument and not traced:
                setattr(cls, name, _traced_statement(method))
            elif not instrument and traced:
                setattr(cls, name, method.__wrapped__)


def _traced_statement(
    method: Callable[..., Awaitable[Any]],
) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def run(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if not enabled():
            return await method(self, query, *args, **kwargs)
        verb = query.lstrip().split(None, 1)[0].upper() if query.strip() else "SQL"
        with tracer().start_as_current_span(
            verb,
            kind=trace.SpanKind.CLIENT,
            attributes={"db.system": "sqlite", "db.statement": query[:2048]},
        ):
            return await method(self, query, *args, **kwargs)

    run._gql_media_traced = True  # type: ignore[attr-defined]
    return run


def enabled() -> bool:
    return _state["tracer"] is not None


def tracer() -> trace.Tracer:
    """Our tracer; a no-op one while tracing is off."""
    return _state["tracer"] or _NOOP


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (empty while tracing is off)."""
    headers: dict[str, str] = {}
    if enabled():
        propagate.inject(headers)
    return headers


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[None]:
    """A child span of the current one (nothing while tracing is off)."""
    if not enabled():
        yield
        return
    with tracer().start_as_current_span(name, attributes=attributes):
        yield


@contextmanager
def job_span(kind: str, job_id: str, payload: dict[str, Any]) -> Iterator[None]:
    """The span of one job run, a child of the request that created the job."""
    if not enabled():
        yield
        return
    parent = propagate.extract(payload.get(TRACE_KEY) or {})
    with tracer().start_as_current_span(
        f"job {kind}",
        context=parent,
        kind=trace.SpanKind.CONSUMER,
        attributes={"gql_media.job.id": job_id, "gql_media.job.kind": kind},
    ):
        yield


def shutdown() -> None:
    """Flush and stop tracing in this process (tests turn it off again)."""
    if _state["tracer"] is None:
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    AsyncPGInstrumentor().uninstrument()
    RedisInstrumentor().uninstrument()
    _sqlite(instrument=False)
    # Flushes what is pending, then stops the exporter for good.
    _state.pop("processor").shutdown()
    _state["tracer"] = None
