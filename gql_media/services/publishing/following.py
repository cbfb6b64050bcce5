"""How a publication follows its PUBLISH job when the job ends abnormally.

The attempt records every outcome it sees itself; a job that crashed, ran past
its time limit, lost its worker past its attempts, or was cancelled through
`cancelJob` never got to. Registered at wiring time (`FOLLOWER`).
"""

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.models import JobKind, JobStatus, PublicationStatus
from gql_media.runtime import JobFollower, Runtime
from gql_media.services.publishing import attempt, ledger
from gql_media.services.publishing.state import STARTABLE, Trigger


async def on_job_end(runtime: Runtime, job: models.Job) -> None:
    if job.kind is not JobKind.PUBLISH or job.status is JobStatus.SUCCEEDED:
        return
    row = await models.Publication.get_or_none(id=job.payload.get("publication_id"))
    if row is None or row.job_id != job.id:  # type: ignore[attr-defined]
        return
    reason = job.error_message or "the attempt's job ended"
    if row.status is PublicationStatus.IN_PROGRESS:
        await attempt.failed(runtime, row, job.error_code or "JOB_FAILED", reason)
    elif row.status in STARTABLE and job.status is JobStatus.CANCELED:
        await ledger.transition(runtime, row, Trigger.CANCEL, error=reason)


async def on_job_retry(runtime: Runtime, job: models.Job) -> None:
    if job.kind is JobKind.PUBLISH:
        raise InvalidState("publication attempts are retried with retryPublication")


FOLLOWER = JobFollower("publications", on_job_end, on_job_retry)
