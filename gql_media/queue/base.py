"""The `JobQueue` interface: hand a job row's id to whatever runs job functions.

The queue carries only ids; the job row is the truth. Enqueue only after the
transaction that wrote the row has committed. Backends: `local.LocalQueue`
(in-process, bounded concurrency) and `arq.ArqQueue` (Redis, `worker.py` processes).
"""

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

# Runs one job by id; supplied by the entry point (it knows the job functions).
JobHandler = Callable[[str], Awaitable[None]]


class RetryLater(Exception):
    """Raised by a job handler: run this job again after `defer_seconds`.

    The job row is already QUEUED; each backend re-queues in its own way (arq's
    Retry, a deferred task in the local queue).
    """

    def __init__(self, defer_seconds: float) -> None:
        super().__init__(f"retry in {defer_seconds:.1f} s")
        self.defer_seconds = defer_seconds


class JobQueue(ABC):
    """Where job ids wait for a worker."""

    @abstractmethod
    async def enqueue(self, job_id: str, *, defer_seconds: float = 0.0) -> None:
        """Queue the job `job_id` (the job row's id, also the queue's job id).

        Enqueueing an id that is already waiting or running does nothing.

        Args:
            job_id: the id of a committed job row.
            defer_seconds: start no earlier than this many seconds from now.
        """

    @abstractmethod
    async def abort(self, job_id: str) -> bool:
        """Stop the job if it is waiting or running; True if it was found.

        A running job is cancelled (asyncio.CancelledError inside the job function),
        which kills its ffmpeg child and removes its temp files.
        """

    async def requeue(self, job_id: str) -> None:
        """Run again a job whose worker stopped without finishing it."""
        await self.enqueue(job_id)

    @abstractmethod
    async def is_known(self, job_id: str) -> bool:
        """Whether the queue holds the job (waiting or running)."""

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Begin taking jobs."""

    async def check(self) -> None:  # noqa: B027 - optional hook
        """Prove the queue's backend answers now (readiness); an in-process
        queue always does.

        Raises:
            Exception: the backend is unreachable (the message says why).
        """

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Stop taking jobs and cancel what is running."""
