"""Enumerations stored in model columns (shared with the GraphQL enums)."""

from enum import StrEnum


class AssetKind(StrEnum):
    VIDEO = "VIDEO"
    IMAGE = "IMAGE"
    AUDIO = "AUDIO"


class AssetStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


class SourceType(StrEnum):
    UPLOADED = "UPLOADED"
    IMPORTED = "IMPORTED"
    GENERATED = "GENERATED"
    STITCHED = "STITCHED"


class JobKind(StrEnum):
    IMPORT_URL = "IMPORT_URL"
    PROCESS_UPLOAD = "PROCESS_UPLOAD"
    REGENERATE_THUMBNAIL = "REGENERATE_THUMBNAIL"
    EXPORT_GENERATION = "EXPORT_GENERATION"
    STITCH = "STITCH"
    PUBLISH = "PUBLISH"
    CLEANUP_STORAGE = "CLEANUP_STORAGE"


class JobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL_JOB_STATUSES


# Asked once per progress event: a set, not a tuple built per call.
_TERMINAL_JOB_STATUSES = frozenset(
    {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED}
)


class GenerationSourceType(StrEnum):
    URL = "URL"
    UPLOAD = "UPLOAD"
    FILE = "FILE"


class GenerationStatus(StrEnum):
    """The status of a generation and of each of its variants."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def is_finished(self) -> bool:
        return self in (GenerationStatus.COMPLETED, GenerationStatus.FAILED)


class SceneStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


class MetadataKind(StrEnum):
    """The JSON documents kept per generation, one of each kind."""

    ANALYSIS = "ANALYSIS"
    TRANSFORMATION = "TRANSFORMATION"
    PROMPTS = "PROMPTS"
    EVALUATION = "EVALUATION"


class ReviewStatus(StrEnum):
    """Where a version of a task stands in review (services/reviews/state.py)."""

    NOT_SUBMITTED = "NOT_SUBMITTED"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    REJECTED = "REJECTED"
    # Was APPROVED until another version of its task was approved.
    SUPERSEDED = "SUPERSEDED"


class ReviewAction(StrEnum):
    """What a ReviewEvent records: a submission, a decision, or a supersession."""

    SUBMIT = "SUBMIT"
    APPROVE = "APPROVE"
    REQUEST_CHANGES = "REQUEST_CHANGES"
    REJECT = "REJECT"
    SUPERSEDE = "SUPERSEDE"


class AnnotationShape(StrEnum):
    POINT = "POINT"
    RECTANGLE = "RECTANGLE"
    PATH = "PATH"


class DirectUploadStatus(StrEnum):
    """A direct (presigned S3) upload: waiting for its parts, then registered as an
    asset, or refused because the bytes did not match what was declared."""

    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
