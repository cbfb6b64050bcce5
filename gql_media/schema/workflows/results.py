"""Results of the workflow mutations: a success type each, unioned with errors."""

from typing import Annotated

import strawberry

from gql_media.schema.assets.types import Asset
from gql_media.schema.common.errors import (
    ConflictError,
    FetchFailedError,
    ForbiddenError,
    ForbiddenUrlError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    TooLargeError,
)
from gql_media.schema.jobs.types import Job
from gql_media.schema.workflows.types import (
    NodeRun,
    Workflow,
    WorkflowExecution,
    WorkflowVideo,
)


@strawberry.type
class WorkflowSuccess:
    workflow: Workflow


@strawberry.type
class CreateWorkflowSuccess(WorkflowSuccess):
    pass


@strawberry.type
class SaveWorkflowSuccess(WorkflowSuccess):
    pass


@strawberry.type
class UpdateWorkflowDraftSuccess(WorkflowSuccess):
    pass


@strawberry.type
class ArchiveWorkflowSuccess(WorkflowSuccess):
    pass


@strawberry.type
class RestoreWorkflowRevisionSuccess(WorkflowSuccess):
    pass


@strawberry.type
class DeleteWorkflowSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class ExecutionSuccess:
    execution: WorkflowExecution


@strawberry.type
class StartWorkflowExecutionSuccess(ExecutionSuccess):
    pass


@strawberry.type
class FinishWorkflowExecutionSuccess(ExecutionSuccess):
    pass


@strawberry.type
class CancelWorkflowExecutionSuccess(ExecutionSuccess):
    pass


@strawberry.type
class ReportNodeRunSuccess:
    node: NodeRun


@strawberry.type
class LinkWorkflowVideoSuccess:
    link: WorkflowVideo
    job: Job | None = strawberry.field(
        description="The job bringing the asset (an import or upload); null for an "
        "existing asset."
    )


@strawberry.type
class StitchVideosSuccess:
    asset: Asset = strawberry.field(description="The new STITCHED asset (PENDING).")
    job: Job


_EDIT = NotFoundError | InvalidInputError | InvalidStateError | TooLargeError

CreateWorkflowResult = Annotated[
    CreateWorkflowSuccess | InvalidInputError | TooLargeError | ForbiddenError,
    strawberry.union("CreateWorkflowResult"),
]
SaveWorkflowResult = Annotated[
    SaveWorkflowSuccess | ConflictError | _EDIT | ForbiddenError,
    strawberry.union("SaveWorkflowResult"),
]
UpdateWorkflowDraftResult = Annotated[
    UpdateWorkflowDraftSuccess | _EDIT | ForbiddenError,
    strawberry.union("UpdateWorkflowDraftResult"),
]
ArchiveWorkflowResult = Annotated[
    ArchiveWorkflowSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("ArchiveWorkflowResult"),
]
RestoreWorkflowRevisionResult = Annotated[
    RestoreWorkflowRevisionSuccess
    | ConflictError
    | NotFoundError
    | InvalidStateError
    | ForbiddenError,
    strawberry.union("RestoreWorkflowRevisionResult"),
]
DeleteWorkflowResult = Annotated[
    DeleteWorkflowSuccess | NotFoundError | ForbiddenError,
    strawberry.union("DeleteWorkflowResult"),
]
StartWorkflowExecutionResult = Annotated[
    StartWorkflowExecutionSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | ForbiddenError,
    strawberry.union("StartWorkflowExecutionResult"),
]
FinishWorkflowExecutionResult = Annotated[
    FinishWorkflowExecutionSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | ForbiddenError,
    strawberry.union("FinishWorkflowExecutionResult"),
]
CancelWorkflowExecutionResult = Annotated[
    CancelWorkflowExecutionSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("CancelWorkflowExecutionResult"),
]
ReportNodeRunResult = Annotated[
    ReportNodeRunSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | ForbiddenError,
    strawberry.union("ReportNodeRunResult"),
]
LinkWorkflowVideoResult = Annotated[
    LinkWorkflowVideoSuccess
    | _EDIT
    | ForbiddenUrlError
    | FetchFailedError
    | ForbiddenError,
    strawberry.union("LinkWorkflowVideoResult"),
]
StitchVideosResult = Annotated[
    StitchVideosSuccess | _EDIT | ForbiddenError, strawberry.union("StitchVideosResult")
]
