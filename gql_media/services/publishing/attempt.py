"""One attempt to post a publication, run by the PUBLISH job.

Checks first (the asset is a READY, live video; the platform is configured and
accepts the metadata; the file is stored), then uploads inside the platform's
limits, streaming the verified file, and records the outcome as the table in
`state.py` says: success, a scheduled retry, FAILED_FINAL, or RATE_LIMITED.
"""

import logging
from datetime import timedelta
from typing import Any

import httpx

from gql_media import models
from gql_media.errors import GqlMediaError
from gql_media.kit.clock import now
from gql_media.models import PublicationStatus
from gql_media.runtime import Runtime
from gql_media.services.publishing import ledger, limits, registry
from gql_media.services.publishing.media import (
    ChecksumMismatch,
    FileMissing,
    VerifiedFile,
)
from gql_media.services.publishing.state import (
    STARTABLE,
    Trigger,
    backoff_seconds,
    failure_trigger,
)
from gql_media.services.publishing.uploaders.base import (
    PermanentError,
    PublishMetadata,
    RateLimited,
    Resume,
    TransientError,
    UploadResult,
)
from gql_media.services.publishing.validation import (
    check_for_platform,
    publishable,
)

logger = logging.getLogger(__name__)

# Errors of the layers under an uploader that mean "try again later".
_NETWORK = (httpx.TransportError, OSError, TimeoutError)


def metadata_of(row: models.Publication) -> PublishMetadata:
    return PublishMetadata(
        title=row.title,
        caption=row.caption,
        hashtags=list(row.hashtags or []),
        privacy=row.privacy,
    )


async def run(runtime: Runtime, job: models.Job) -> None:
    """The attempt the job `job` stands for, if it is still the row's job."""
    row = await models.Publication.get_or_none(id=job.payload.get("publication_id"))
    if row is None or row.job_id != job.id:  # type: ignore[attr-defined]
        logger.info("job %s: its publication moved on; nothing to do", job.id)
        return
    if row.status in STARTABLE:
        due = row.next_retry_at or row.scheduled_at
        if due is not None and due > now() + timedelta(seconds=0.05):
            await ledger.reschedule(runtime, row, due)
            return
        row = await ledger.transition(
            runtime, row, Trigger.START, last_attempt_at=now(), next_retry_at=None
        )
    elif row.status is PublicationStatus.IN_PROGRESS:
        # This job's earlier run stopped mid-upload (a killed worker).
        row = await ledger.transition(
            runtime,
            row,
            Trigger.RESUME,
            error="the previous attempt was interrupted; resuming it",
            last_attempt_at=now(),
        )
    else:
        return
    await _attempt(runtime, row)


async def _attempt(runtime: Runtime, row: models.Publication) -> None:
    asset = await models.Asset.get_or_none(id=row.asset_id)  # type: ignore[attr-defined]
    reason = publishable(asset) if asset else "the asset was deleted"
    if asset is None or reason is not None:
        await reject(runtime, row, "ASSET_NOT_PUBLISHABLE", reason or "")
        return
    try:
        uploader = registry.build(runtime.settings, row.platform)
    except GqlMediaError as error:
        await reject(runtime, row, error.code, error.message)
        return
    file = VerifiedFile(runtime, asset)

    async def save(state: dict[str, Any]) -> None:
        await ledger.save_resume(row, state)

    try:
        metadata = metadata_of(row)
        check_for_platform(uploader, metadata)
        await file.check_present()
        async with limits.attempt(runtime, row.platform):
            result = await uploader.upload(
                file.media(), metadata, Resume(dict(row.resume_state or {}), save)
            )
    except RateLimited as error:
        await rate_limited(runtime, row, error)
        return
    except (PermanentError, GqlMediaError) as error:
        code = "CHECKSUM_MISMATCH" if file.mismatch else _code(error, "REJECTED")
        await reject(runtime, row, code, _words(error))
        return
    except TransientError as error:
        await failed(runtime, row, "PLATFORM_UNAVAILABLE", error.message)
        return
    except _NETWORK as error:
        await failed(runtime, row, "NETWORK", f"{type(error).__name__}: {error}")
        return
    except Exception as error:  # an uploader's bug: retried, within the limit
        if file.mismatch:
            await reject(runtime, row, "CHECKSUM_MISMATCH", "checksum mismatch")
            return
        logger.exception("publication %s: the uploader crashed", row.id)
        await failed(
            runtime, row, "INTERNAL", f"uploader error ({type(error).__name__})"
        )
        return
    finally:
        await uploader.close()
    await succeeded(runtime, row, result)


def _code(error: Exception, default: str) -> str:
    if isinstance(error, ChecksumMismatch):
        return "CHECKSUM_MISMATCH"
    if isinstance(error, GqlMediaError):
        return error.code
    if isinstance(error, FileMissing):
        return "FILE_NOT_FOUND"
    return default


def _words(error: Exception) -> str:
    return str(getattr(error, "message", error))[:2000]


async def succeeded(
    runtime: Runtime, row: models.Publication, result: UploadResult
) -> None:
    await ledger.transition(
        runtime,
        row,
        Trigger.SUCCEED,
        post_id=result.post_id[:255],
        post_url=result.url,
        published_at=now(),
        resume_state={},
        error_code=None,
        last_error=None,
        next_retry_at=None,
    )
    logger.info("publication %s: posted as %s", row.id, result.post_id)


async def reject(
    runtime: Runtime, row: models.Publication, code: str, message: str
) -> models.Publication:
    """FAILED_FINAL at once: nothing would make a retry succeed."""
    logger.info("publication %s: %s %s", row.id, code, message)
    return await ledger.transition(
        runtime,
        row,
        Trigger.REJECT,
        error=message,
        error_code=code,
        last_error=message,
        next_retry_at=None,
        resume_state={},
    )


async def failed(
    runtime: Runtime, row: models.Publication, code: str, message: str
) -> models.Publication:
    """A failure that may pass: FAILED with a retry, or FAILED_FINAL past them.
    The resume state stays, so the retry continues the platform's session."""
    settings = runtime.settings.publishing
    failures = row.retry_count + 1
    trigger = failure_trigger(failures, settings)
    retry_at = None
    if trigger is Trigger.FAIL:
        retry_at = now() + timedelta(seconds=backoff_seconds(failures, settings))
    logger.info("publication %s: failure %d: %s %s", row.id, failures, code, message)
    return await ledger.transition(
        runtime,
        row,
        trigger,
        error=message,
        attempt_at=retry_at,
        retry_count=failures,
        error_code=code,
        last_error=message,
        next_retry_at=retry_at,
    )


async def rate_limited(
    runtime: Runtime, row: models.Publication, error: RateLimited
) -> models.Publication:
    """RATE_LIMITED until the platform's Retry-After or reset time; the retry
    count does not move."""
    wait = error.retry_after
    if wait is None or wait < 0:
        wait = runtime.settings.publishing.rate_limited_default_seconds
    retry_at = now() + timedelta(seconds=wait)
    return await ledger.transition(
        runtime,
        row,
        Trigger.RATE_LIMIT,
        error=error.message,
        attempt_at=retry_at,
        error_code="RATE_LIMITED",
        last_error=error.message,
        next_retry_at=retry_at,
    )
