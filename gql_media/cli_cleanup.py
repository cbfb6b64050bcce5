"""`gql-media cleanup [--dry-run]`: the storage cleanup job, run in this process,
with its report printed as JSON."""

from typing import Any

from gql_media import db, models
from gql_media.jobs import run_job
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.services.assets import cleanup
from gql_media.settings import Settings
from gql_media.wiring import wire


async def run_cleanup(settings: Settings, dry_run: bool) -> dict[str, Any]:
    settings.ensure_dirs()
    await db.connect(settings.db_url)
    runtime = wire(settings)
    try:
        job = await cleanup.create_cleanup_job(
            runtime, LOCAL_OWNER, dry_run, all_owners=True
        )
        await run_job(runtime, str(job.id))
        job = await models.Job.get(id=job.id)
        if job.status is not models.JobStatus.SUCCEEDED:
            return {"status": job.status.value, "error": job.error_code,
                    "message": job.error_message}  # fmt: skip
        report: dict[str, Any] = job.payload["report"]
        return {"status": job.status.value, "job_id": str(job.id), **report}
    finally:
        await runtime.close()
        await db.close()
