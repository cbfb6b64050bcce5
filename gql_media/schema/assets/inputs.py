"""Input types of the asset operations."""

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from gql_media.schema.assets.enums import AssetKind, AssetStatus, SourceType
from gql_media.schema.common.scalars import BigInt
from gql_media.schema.reviews.enums import ReviewStatus
from gql_media.services.assets.validation import AssetDetails, Provenance

JSONObject = dict[str, Any]


@strawberry.input(description="Generation provenance of an AI-generated asset.")
class ProvenanceInput:
    provider: str | None = None
    model: str | None = None
    prompt: str | None = None
    params: JSON | None = None
    external_job_id: str | None = None
    cost: Decimal | None = None
    completed_at: datetime | None = None

    def to_domain(self) -> Provenance:
        return Provenance(
            provider=self.provider,
            model=self.model,
            prompt=self.prompt,
            params=cast(JSONObject | None, self.params),  # validate() checks it
            external_job_id=self.external_job_id,
            cost=self.cost,
            completed_at=self.completed_at,
        )


@strawberry.input
class UploadAssetInput:
    name: str | None = strawberry.field(
        default=None, description="Defaults to the uploaded file name."
    )
    kind: AssetKind | None = strawberry.field(
        default=None, description="Expected kind; a file of another kind fails."
    )
    tags: list[str] = strawberry.field(default_factory=list)
    # A null default rather than `{}`: many introspection clients (graphql-js 16,
    # codegen tools) cannot print an object default of a custom scalar.
    metadata: JSON | None = strawberry.field(
        default=None, description="A JSON object; omitted or null means {}."
    )
    provenance: ProvenanceInput | None = None

    def to_domain(self) -> AssetDetails:
        return AssetDetails(
            name=self.name,
            kind=self.kind,
            tags=list(self.tags),
            metadata={}
            if self.metadata is None
            else cast(JSONObject, self.metadata),  # validate() checks it
            provenance=self.provenance.to_domain() if self.provenance else None,
        ).validate()


@strawberry.input
class ImportAssetInput(UploadAssetInput):
    url: str = strawberry.field(description="http(s) URL of the file, e.g. a CDN link.")


@strawberry.input
class UpdateAssetInput:
    name: str | None = None
    tags: list[str] | None = strawberry.field(
        default=None, description="Replaces all tags when given."
    )
    metadata: JSON | None = strawberry.field(
        default=None, description="Replaces the metadata object when given."
    )


@strawberry.input(description="Every given condition must hold.")
class AssetFilter:
    kind: AssetKind | None = None
    status: AssetStatus | None = None
    source_type: SourceType | None = None
    tag: str | None = None
    text: str | None = strawberry.field(
        default=None,
        description="Full-text search of name, task, tags, description and prompt: "
        "every word (letters and digits; a word may be the start of one) must match.",
    )
    min_duration_seconds: float | None = None
    max_duration_seconds: float | None = None
    min_size_bytes: BigInt | None = None
    max_size_bytes: BigInt | None = None
    archived: bool | None = strawberry.field(
        default=False,
        description="false (default): live only; true: archived only; null: both.",
    )
    workflow_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only assets linked to a node of this workflow."
    )
    project: str | None = strawberry.field(default=None, description="A project code.")
    task: str | None = strawberry.field(default=None, description="A task name.")
    version: int | None = None
    author: str | None = None
    review_status: ReviewStatus | None = None
