"""Input types of the workflow operations."""

import strawberry

from gql_media.schema.workflows.enums import WorkflowStatus


@strawberry.input(description="Every given condition must hold.")
class WorkflowFilter:
    status: WorkflowStatus | None = None
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive text in the name or description."
    )


@strawberry.input
class StitchVideosInput:
    asset_ids: list[strawberry.ID] = strawberry.field(
        description="2 to 100 READY videos of yours, joined in this order."
    )
    name: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    workflow_execution_id: strawberry.ID | None = strawberry.field(
        default=None, description="With nodeId: the VideoStitcher node this runs."
    )
    node_id: str | None = None


@strawberry.input(description="Exactly one of assetId and url (or a file upload).")
class LinkVideoInput:
    asset_id: strawberry.ID | None = None
    url: str | None = strawberry.field(
        default=None, description="An http(s) URL to import (a job)."
    )
