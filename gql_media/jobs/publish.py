"""PUBLISH: one attempt to post a publication (services/publishing/attempt.py).

The job row is the attempt's carrier: retries and scheduled publications are new
PUBLISH jobs enqueued with a delay (arq's deferred jobs, the local queue's
sleeping task), so nothing polls for due rows; a job that runs early (after a
restart, or enqueued again by the sweeper) finds its row not due and sets a new
job for the right time. The ledger records every outcome, so the job itself
succeeds unless it crashes, and the publication follower turns a crash, a time
limit or a lost worker into a failure of the attempt.
"""

from pathlib import Path

from gql_media import models
from gql_media.jobs.base import Outcome
from gql_media.runtime import Runtime
from gql_media.services.jobs.lifecycle import Reporter
from gql_media.services.publishing import attempt


async def publish(
    runtime: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
) -> Outcome:
    await reporter.stage("publishing", 0.0)
    await attempt.run(runtime, job)
    return Outcome(asset_id=None)
