"""cleanup_storage: remove stray stored objects and dead jobs' temp directories,
and mark rows whose blob is missing (services/assets/cleanup.py)."""

from pathlib import Path

from gql_media import models
from gql_media.jobs.base import Outcome
from gql_media.runtime import Runtime
from gql_media.services.assets import cleanup
from gql_media.services.jobs.lifecycle import Reporter


async def cleanup_storage(
    runtime: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
) -> Outcome:
    dry_run = bool(job.payload.get("dry_run", True))
    await reporter.stage("scan", 0.1, "dry run" if dry_run else "cleaning up")
    owner = None if job.payload.get("all_owners") else job.owner_id
    report = await cleanup.cleanup(
        runtime, dry_run=dry_run, current_job_id=str(job.id), owner_id=owner
    )
    # The counts travel on the row: the job's result, read as Job.cleanupReport.
    await models.Job.filter(id=job.id).update(
        payload={**job.payload, "report": report.to_json()}
    )
    return Outcome(None)
