"""Entry point of the distributed-mode worker: `arq worker.WorkerSettings`.

The settings live in the package (`gql_media.arq_worker`) so that the installed
`gql-media worker` command runs the same thing.
"""

import arq.worker

from gql_media.arq_worker import WorkerSettings
from gql_media.queue.arq_worker import ResilientWorker

# arq's CLI has no option for the worker class: it builds `arq.worker.Worker`.
# This module is imported only by that CLI, so the swap reaches nothing else, and
# `arq worker.WorkerSettings` gets the worker that waits out a Redis outage.
arq.worker.Worker = ResilientWorker  # type: ignore[misc]

__all__ = ["WorkerSettings"]
