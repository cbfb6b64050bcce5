"""Job followers: every way a job ends goes through `finish`, which tells each
registered follower exactly once; a failing follower changes no outcome.

The runner, the in-process queue, the sweeper and the database are real; only
the work a job does is a small function of this test (so each ending can be
produced on purpose), put in place of the thumbnail job's function.
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from gql_media import models
from gql_media.errors import MediaError, TransientError
from gql_media.jobs import runner
from gql_media.jobs.base import Outcome
from gql_media.kit.clock import now
from gql_media.models import JobKind, JobStatus
from gql_media.runtime import JobFollower, Runtime
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.jobs.lifecycle import Reporter
from gql_media.services.jobs.sweeper import sweep
from tests.conftest import wait_for_job

OWNER = "alice"
Work = Callable[[Runtime, Reporter, models.Job, Path], Awaitable[Outcome]]
Use = Callable[[Work], None]


class Recorder:
    """A follower that counts the calls per job and keeps the status it saw."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.seen: dict[str, JobStatus] = {}

    async def on_end(self, runtime: Runtime, job: models.Job) -> None:
        self.calls[str(job.id)] += 1
        self.seen[str(job.id)] = job.status

    def once(self, job_id: object, status: JobStatus) -> bool:
        return self.calls[str(job_id)] == 1 and self.seen[str(job_id)] is status


@pytest.fixture
def recorder(runtime: Runtime) -> Recorder:
    recorder = Recorder()
    runtime.job_followers.append(JobFollower("recorder", recorder.on_end))
    return recorder


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Use:
    def use(function: Work) -> None:
        monkeypatch.setitem(
            runner.JOB_FUNCTIONS, JobKind.REGENERATE_THUMBNAIL, function
        )

    return use


async def new_job(
    runtime: Runtime, *, enqueue: bool = True, max_attempts: int = 3
) -> models.Job:
    asset = await models.Asset.create(
        owner_id=OWNER,
        kind=models.AssetKind.VIDEO,
        status=models.AssetStatus.READY,
        source_type=models.SourceType.UPLOADED,
    )
    job = await jobs.create_job(
        OWNER, JobKind.REGENERATE_THUMBNAIL, asset=asset, max_attempts=max_attempts
    )
    if enqueue:
        await jobs.enqueue(runtime, job.id)
    return job


async def test_success(runtime: Runtime, recorder: Recorder, work: Use) -> None:
    async def succeed(
        rt: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
    ) -> Outcome:
        return Outcome(str(job.asset_id))

    work(succeed)
    job = await new_job(runtime)
    assert (await wait_for_job(str(job.id))).status is JobStatus.SUCCEEDED
    assert recorder.once(job.id, JobStatus.SUCCEEDED)


async def test_permanent_failure(
    runtime: Runtime, recorder: Recorder, work: Use
) -> None:
    async def broken(
        rt: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
    ) -> Outcome:
        raise MediaError("not a video")

    work(broken)
    job = await new_job(runtime)
    done = await wait_for_job(str(job.id))
    assert (done.status, done.attempts) == (JobStatus.FAILED, 1)
    assert recorder.once(job.id, JobStatus.FAILED)


async def test_retry_limit(runtime: Runtime, recorder: Recorder, work: Use) -> None:
    async def flaky(
        rt: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
    ) -> Outcome:
        raise TransientError("the network hiccuped")

    work(flaky)
    job = await new_job(runtime, max_attempts=2)
    done = await wait_for_job(str(job.id))
    assert (done.status, done.attempts) == (JobStatus.FAILED, 2)
    assert recorder.once(job.id, JobStatus.FAILED)


async def test_time_limit(runtime: Runtime, recorder: Recorder, work: Use) -> None:
    async def slow(
        rt: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
    ) -> Outcome:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    work(slow)
    runtime.settings.job_timeout_video_seconds = 0.3
    job = await new_job(runtime, max_attempts=1)
    done = await wait_for_job(str(job.id))
    assert (done.status, done.error_code) == (JobStatus.FAILED, "JOB_TIMEOUT")
    assert recorder.once(job.id, JobStatus.FAILED)


async def test_cancel_a_queued_job(runtime: Runtime, recorder: Recorder) -> None:
    job = await new_job(runtime, enqueue=False)  # nothing runs it
    cancelled = await jobs.cancel(runtime, OWNER, str(job.id))
    assert cancelled.status is JobStatus.CANCELED
    assert recorder.once(job.id, JobStatus.CANCELED)


async def test_cancel_a_running_job(
    runtime: Runtime, recorder: Recorder, work: Use
) -> None:
    started = asyncio.Event()

    async def long(
        rt: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
    ) -> Outcome:
        started.set()
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    work(long)
    job = await new_job(runtime)
    await asyncio.wait_for(started.wait(), 10)
    cancelled = await jobs.cancel(runtime, OWNER, str(job.id))
    assert cancelled.status is JobStatus.CANCELED
    assert recorder.once(job.id, JobStatus.CANCELED)


async def test_worker_lost(runtime: Runtime, recorder: Recorder) -> None:
    runtime.settings.job_stale_seconds = 5
    job = await new_job(runtime, enqueue=False, max_attempts=1)
    await models.Job.filter(id=job.id).update(
        status=JobStatus.RUNNING,
        attempts=1,
        heartbeat_at=now() - timedelta(seconds=60),
    )
    report = await sweep(runtime)
    assert report.failed == [str(job.id)]
    assert recorder.once(job.id, JobStatus.FAILED)


async def test_a_failing_follower_changes_no_outcome(
    runtime: Runtime,
    recorder: Recorder,
    work: Use,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken_follower(rt: Runtime, job: models.Job) -> None:
        raise RuntimeError("a follower's bug")

    # First in line: the followers after it are still told.
    runtime.job_followers.insert(0, JobFollower("broken", broken_follower))

    async def succeed(
        rt: Runtime, reporter: Reporter, job: models.Job, work_dir: Path
    ) -> Outcome:
        return Outcome(str(job.asset_id))

    work(succeed)
    job = await new_job(runtime)
    assert (await wait_for_job(str(job.id))).status is JobStatus.SUCCEEDED
    assert recorder.once(job.id, JobStatus.SUCCEEDED)
    assert "follower broken failed" in caplog.text


async def test_an_ended_job_does_not_end_again(
    runtime: Runtime, recorder: Recorder
) -> None:
    job = await new_job(runtime, enqueue=False)
    await jobs.finish(runtime, job.id, JobStatus.CANCELED)
    again = await jobs.finish(runtime, job.id, JobStatus.FAILED)
    assert again.status is JobStatus.CANCELED
    assert recorder.once(job.id, JobStatus.CANCELED)
