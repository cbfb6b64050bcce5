"""How an asset follows the job that brings or remakes its file.

Registered on the runtime at wiring time (`FOLLOWER`): when a job ends FAILED
or CANCELED its asset is marked FAILED and what it held is freed; before such a
job runs again, its asset goes back to PENDING.
"""

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.models import AssetStatus, JobKind, JobStatus
from gql_media.runtime import JobFollower, Runtime
from gql_media.services.assets.library import release


async def on_job_end(runtime: Runtime, job: models.Job) -> None:
    """A failed or cancelled job leaves its asset FAILED, with the job's error."""
    if job.status is JobStatus.FAILED or job.status is JobStatus.CANCELED:
        code = job.error_code or "CANCELED"
        message = job.error_message or "the job was cancelled"
        await fail_after_job(runtime, job, code, message)


async def on_job_retry(runtime: Runtime, job: models.Job) -> None:
    await prepare_retry(job)


FOLLOWER = JobFollower("assets", on_job_end, on_job_retry)


async def fail_after_job(
    runtime: Runtime, job: models.Job, code: str, message: str
) -> None:
    """Mark the job's asset FAILED (unless it is READY) and free what it held."""
    if job.asset_id is None or job.is_duplicate:  # type: ignore[attr-defined]
        return
    asset = await models.Asset.get_or_none(id=job.asset_id)  # type: ignore[attr-defined]
    if asset is None or asset.status is AssetStatus.READY:
        return
    await models.Asset.filter(id=asset.id).update(
        status=AssetStatus.FAILED,
        error_code=code,
        error_message=message[:2000],
        dedup_key=None,
        storage_key=None,
        thumbnail_key=None,
    )
    await release(runtime, asset.storage_key, asset.thumbnail_key)


async def prepare_retry(job: models.Job) -> None:
    """Put a failed job's asset back to PENDING before the job is queued again."""
    if job.asset_id is None:  # type: ignore[attr-defined]
        return
    asset = await models.Asset.get_or_none(id=job.asset_id, deleted_at=None)  # type: ignore[attr-defined]
    if asset is None:
        raise InvalidState("the job's asset was deleted")
    if job.kind is JobKind.PROCESS_UPLOAD and asset.status is AssetStatus.FAILED:
        raise InvalidState("the uploaded file was discarded; upload it again")
    if asset.status is AssetStatus.FAILED:
        await models.Asset.filter(id=asset.id).update(
            status=AssetStatus.PENDING, error_code=None, error_message=None
        )
