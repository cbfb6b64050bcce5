"""The publication state machine as a table: (status, trigger) -> next status.

    (none)        --publish-->        PENDING       a new row (scheduledAt or now)
    (none)        --block-->          BLOCKED       a new asset whose bytes (SHA-256)
                                                    are already posted there
    PENDING       --start-->          IN_PROGRESS   an attempt begins (when due)
    FAILED        --start-->          IN_PROGRESS   the automatic retry, when due
    RATE_LIMITED  --start-->          IN_PROGRESS   after Retry-After / the reset
    IN_PROGRESS   --resume-->         IN_PROGRESS   the attempt of a killed worker
    IN_PROGRESS   --succeed-->        SUCCESS       the platform has the post
    IN_PROGRESS   --fail-->           FAILED        failures 1..3: a retry is set
    IN_PROGRESS   --fail_last-->      FAILED_FINAL  the 4th failure: no more retries
    IN_PROGRESS   --reject-->         FAILED_FINAL  permanent: credentials, content,
                                                    file missing, checksum mismatch
    IN_PROGRESS   --rate_limit-->     RATE_LIMITED  429 / quota: not a failure
    SUCCESS       --block-->          BLOCKED       published again: a duplicate
    BLOCKED       --block-->          BLOCKED       (each attempt is in the trail)
    SUCCESS       --republish-->      PENDING       allowDuplicatePublish is set
    BLOCKED       --republish-->      PENDING
    FAILED_FINAL  --republish-->      PENDING       publishAsset again, new metadata
    CANCELED      --republish-->      PENDING
    FAILED_FINAL  --retry-->          PENDING       retryPublication: count restarts
    FAILED        --retry-->          PENDING       (now, not at the scheduled time)
    CANCELED      --retry-->          PENDING
    PENDING       --cancel-->         CANCELED      PENDING or a scheduled retry
    FAILED        --cancel-->         CANCELED
    RATE_LIMITED  --cancel-->         CANCELED

Anything else is refused with InvalidState. CANCELED is ours: the issue's list
has no word for "a person stopped it", and FAILED_FINAL would count it as a
platform failure.
"""

import random
from enum import StrEnum

from gql_media.errors import InvalidState
from gql_media.models import PublicationStatus as S
from gql_media.settings import PublishingSettings


class Trigger(StrEnum):
    PUBLISH = "publish"
    START = "start"
    RESUME = "resume"
    SUCCEED = "succeed"
    FAIL = "fail"
    FAIL_LAST = "fail_last"
    REJECT = "reject"
    RATE_LIMIT = "rate_limit"
    BLOCK = "block"
    REPUBLISH = "republish"
    RETRY = "retry"
    CANCEL = "cancel"


T = Trigger
TABLE: dict[tuple[S | None, Trigger], S] = {
    (None, T.PUBLISH): S.PENDING,
    (None, T.BLOCK): S.BLOCKED,
    (S.PENDING, T.START): S.IN_PROGRESS,
    (S.FAILED, T.START): S.IN_PROGRESS,
    (S.RATE_LIMITED, T.START): S.IN_PROGRESS,
    (S.IN_PROGRESS, T.RESUME): S.IN_PROGRESS,
    (S.IN_PROGRESS, T.SUCCEED): S.SUCCESS,
    (S.IN_PROGRESS, T.FAIL): S.FAILED,
    (S.IN_PROGRESS, T.FAIL_LAST): S.FAILED_FINAL,
    (S.IN_PROGRESS, T.REJECT): S.FAILED_FINAL,
    (S.IN_PROGRESS, T.RATE_LIMIT): S.RATE_LIMITED,
    (S.SUCCESS, T.BLOCK): S.BLOCKED,
    (S.BLOCKED, T.BLOCK): S.BLOCKED,
    (S.SUCCESS, T.REPUBLISH): S.PENDING,
    (S.BLOCKED, T.REPUBLISH): S.PENDING,
    (S.FAILED_FINAL, T.REPUBLISH): S.PENDING,
    (S.CANCELED, T.REPUBLISH): S.PENDING,
    (S.FAILED_FINAL, T.RETRY): S.PENDING,
    (S.FAILED, T.RETRY): S.PENDING,
    (S.CANCELED, T.RETRY): S.PENDING,
    (S.PENDING, T.CANCEL): S.CANCELED,
    (S.FAILED, T.CANCEL): S.CANCELED,
    (S.RATE_LIMITED, T.CANCEL): S.CANCELED,
}

# Statuses an attempt may start from, and those that have a post on the platform.
STARTABLE = frozenset(s for (s, t) in TABLE if t is T.START)
POSTED = frozenset({S.SUCCESS, S.BLOCKED})


def next_status(current: S | None, trigger: Trigger) -> S:
    """The status `trigger` leads to from `current`, or InvalidState."""
    try:
        return TABLE[(current, trigger)]
    except KeyError:
        shown = current.value if current is not None else "no publication"
        raise InvalidState(
            f"the publication is {shown}; it cannot {trigger.value}"
        ) from None


def failure_trigger(failures: int, settings: PublishingSettings) -> Trigger:
    """FAIL while `failures` (this one included) is within the automatic
    retries, FAIL_LAST for the one after."""
    return T.FAIL if failures <= settings.max_failures else T.FAIL_LAST


def backoff_seconds(failures: int, settings: PublishingSettings) -> float:
    """The wait before the retry after failure number `failures` (1-based):
    exponential, capped, with jitter so many failed rows do not retry at once."""
    base = min(
        settings.retry_max_seconds,
        settings.retry_base_seconds * 2 ** max(0, failures - 1),
    )
    spread = settings.retry_jitter
    return base * random.uniform(1 - spread, 1 + spread)
