"""The errors of gql-media, each with a stable `code` that clients can switch on.

    GqlMediaError                 base; `code`, `message`
    ├── NotFound                  NOT_FOUND: no such row for this owner
    ├── InvalidInput              INVALID_INPUT: arguments fail validation
    ├── InvalidState              INVALID_STATE: the row's state does not allow it
    │   └── Conflict              CONFLICT: a stale expected revision (a newer save won)
    ├── ForbiddenUrl              FORBIDDEN_URL: scheme or address refused for imports
    ├── TooLarge                  TOO_LARGE: bytes, pixels or duration over a limit
    │   └── QuotaExceeded         QUOTA_EXCEEDED: the owner's storage quota is full
    ├── FetchFailed               FETCH_FAILED: the remote answered with an error
    ├── MediaError                INVALID_MEDIA: ffprobe/ffmpeg cannot read the file
    │   ├── UnsupportedFormat     UNSUPPORTED_FORMAT: a container outside the allowlist
    │   └── MediaTimeout          MEDIA_TIMEOUT: ffmpeg/ffprobe ran past its timeout
    ├── Cancelled                 CANCELED: a user cancelled the job
    ├── JobTimeout                JOB_TIMEOUT: an attempt ran past its time limit
    ├── Forbidden                 FORBIDDEN: the token lacks the scope this needs
    ├── Internal                  INTERNAL: a bug (details only in the log)
    ├── Unavailable               UNAVAILABLE: a backend (the progress bus) stayed down
    ├── WorkerLost                WORKER_LOST (services/jobs/sweeper.py): past attempts
    ├── WebhookError              WEBHOOK_* (services/assets/replicate.py): refused
    └── TransientError            (retryable) network, storage or database hiccups
        └── FetchTimeout          FETCH_TIMEOUT: the source stalled or did not connect

Services and jobs raise these; resolvers map them to GraphQL error types and jobs store
`code` and `message` on the job and asset rows. Anything else is a bug and is masked.
"""


class GqlMediaError(Exception):
    """Base of all expected errors."""

    code = "ERROR"
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(GqlMediaError):
    code = "NOT_FOUND"


class InvalidInput(GqlMediaError):
    code = "INVALID_INPUT"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidState(GqlMediaError):
    code = "INVALID_STATE"


class Conflict(InvalidState):
    """Someone else changed the row first (a stale `expectedRevision`)."""

    code = "CONFLICT"

    def __init__(self, message: str, current: int | None = None) -> None:
        super().__init__(message)
        self.current = current


class ForbiddenUrl(GqlMediaError):
    code = "FORBIDDEN_URL"


class TooLarge(GqlMediaError):
    code = "TOO_LARGE"

    def __init__(self, message: str, limit: int | float | None = None) -> None:
        super().__init__(message)
        self.limit = limit


class QuotaExceeded(TooLarge):
    """The owner's stored bytes would pass GQL_MEDIA_LIMITS__OWNER_QUOTA_BYTES."""

    code = "QUOTA_EXCEEDED"


class FetchFailed(GqlMediaError):
    code = "FETCH_FAILED"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MediaError(GqlMediaError):
    code = "INVALID_MEDIA"


class UnsupportedFormat(MediaError):
    code = "UNSUPPORTED_FORMAT"


class MediaTimeout(MediaError):
    code = "MEDIA_TIMEOUT"


class TransientError(GqlMediaError):
    code = "TRANSIENT"
    retryable = True


class FetchTimeout(TransientError):
    code = "FETCH_TIMEOUT"


class Cancelled(GqlMediaError):
    """The job was cancelled by a user (recorded as CANCELED, not FAILED)."""

    code = "CANCELED"


class JobTimeout(GqlMediaError):
    """An attempt ran past its time limit (its ffmpeg child is killed)."""

    code = "JOB_TIMEOUT"


class Unavailable(GqlMediaError):
    """A backend stayed unreachable past its grace period (live updates are down);
    the rows it would have carried news of stay readable."""

    code = "UNAVAILABLE"


class Forbidden(GqlMediaError):
    """The request's token does not carry the scope the operation needs."""

    code = "FORBIDDEN"

    def __init__(self, message: str, scope: str | None = None) -> None:
        super().__init__(message)
        self.scope = scope


class Internal(GqlMediaError):
    """A bug; the message names only the exception type, never its details."""

    code = "INTERNAL"
