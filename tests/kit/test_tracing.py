"""Tracing is off unless configured: no context rides on jobs, no-op spans."""

from opentelemetry import trace

from gql_media.kit import tracing


def test_off_by_default_leaves_no_trace_context() -> None:
    assert not tracing.enabled()
    assert tracing.carrier() == {}
    assert isinstance(tracing.tracer(), trace.NoOpTracer)
    tracing.configure("none", "api")  # no exporter chosen: still off
    assert not tracing.enabled()
