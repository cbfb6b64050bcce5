"""Job queues: the interface and its backends."""

from gql_media.queue.base import JobHandler, JobQueue, RetryLater
from gql_media.queue.local import LocalQueue

__all__ = ["JobHandler", "JobQueue", "LocalQueue", "RetryLater"]
