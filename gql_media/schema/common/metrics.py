"""Counts and times each GraphQL query and mutation by operation name and outcome."""

import re
import time
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gql_media.kit.metrics import REQUEST_SECONDS, REQUESTS

# Operation names come from clients: only identifiers, and at most this many
# distinct ones per process, so a client cannot blow up the metric's labels.
MAX_NAMES = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_seen: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME.fullmatch(name):
        return "other"
    if name not in _seen:
        if len(_seen) >= MAX_NAMES:
            return "other"
        _seen.add(name)
    return name


class RequestMetrics(SchemaExtension):
    """Subscriptions are left out: they are counted while open
    (`gql_media_subscriptions_open`), a duration would say nothing."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        try:
            kind = context.operation_type
        except RuntimeError:  # the document did not parse
            kind = OperationType.QUERY
        if kind is OperationType.SUBSCRIPTION:
            return
        result = context.result
        failed = context.pre_execution_errors or (result is not None and result.errors)
        labels = (
            operation_label(context.operation_name),
            kind.value,
            "error" if failed else "ok",
        )
        REQUESTS.labels(*labels).inc()
        REQUEST_SECONDS.labels(*labels).observe(time.perf_counter() - started)
