"""Entry point of the distributed-mode worker: `arq worker.WorkerSettings`.

The settings live in the package (`gql_media.arq_worker`) so that the installed
`gql-media worker` command runs the same thing.
"""

from gql_media.arq_worker import WorkerSettings

__all__ = ["WorkerSettings"]
