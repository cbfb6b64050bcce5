"""Tortoise models, one module per aggregate.

Import as `from gql_media import models` and write `models.Asset`.
"""

from gql_media.models.asset import Asset, AssetTag
from gql_media.models.direct_upload import DirectUpload
from gql_media.models.enums import (
    AnnotationShape,
    AssetKind,
    AssetStatus,
    DirectUploadStatus,
    GenerationSourceType,
    GenerationStatus,
    JobKind,
    JobStatus,
    MetadataKind,
    ReviewAction,
    ReviewStatus,
    SceneStatus,
    SourceType,
)
from gql_media.models.generation import (
    Generation,
    GenerationMetadata,
    Scene,
    Variant,
)
from gql_media.models.job import Job
from gql_media.models.owner import ApiToken, Owner
from gql_media.models.publication import (
    Publication,
    PublicationEvent,
    PublicationStatus,
)
from gql_media.models.review import Annotation, ReviewEvent, TaskCounter
from gql_media.models.webhook import WebhookDelivery
from gql_media.models.workflow import (
    ExecutionStatus,
    NodeRun,
    NodeRunStatus,
    Workflow,
    WorkflowExecution,
    WorkflowRevision,
    WorkflowStatus,
    WorkflowVideo,
    WorkflowVideoRole,
)

__all__ = [
    "Annotation",
    "AnnotationShape",
    "ApiToken",
    "Asset",
    "AssetKind",
    "AssetStatus",
    "AssetTag",
    "DirectUpload",
    "DirectUploadStatus",
    "ExecutionStatus",
    "Generation",
    "GenerationMetadata",
    "GenerationSourceType",
    "GenerationStatus",
    "Job",
    "JobKind",
    "JobStatus",
    "MetadataKind",
    "NodeRun",
    "NodeRunStatus",
    "Owner",
    "Publication",
    "PublicationEvent",
    "PublicationStatus",
    "ReviewAction",
    "ReviewEvent",
    "ReviewStatus",
    "Scene",
    "SceneStatus",
    "SourceType",
    "TaskCounter",
    "Variant",
    "WebhookDelivery",
    "Workflow",
    "WorkflowExecution",
    "WorkflowRevision",
    "WorkflowStatus",
    "WorkflowVideo",
    "WorkflowVideoRole",
]
