"""Direct uploads to S3: the upload, its part links, inputs and results."""

from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from gql_media import models
from gql_media.models import DirectUploadStatus
from gql_media.schema.assets.enums import AssetKind
from gql_media.schema.assets.types import Asset
from gql_media.schema.common.errors import (
    ForbiddenError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    TooLargeError,
)
from gql_media.schema.common.scalars import BigInt
from gql_media.schema.jobs.types import Job
from gql_media.services.assets.direct import DirectUploadRequest
from gql_media.services.assets.validation import AssetDetails

strawberry.enum(
    DirectUploadStatus,
    description="PENDING (parts may be sent) -> COMPLETED (an asset) or FAILED.",
)


@strawberry.type(description="Where to PUT one part of a direct upload.")
class DirectUploadPart:
    number: int = strawberry.field(description="1-based, in file order.")
    url: str = strawberry.field(
        description="A presigned S3 URL: PUT exactly this part's bytes to it."
    )


@strawberry.type(description="A file sent straight to S3 in parts.")
class DirectUpload:
    id: strawberry.ID
    status: DirectUploadStatus
    size_bytes: BigInt = strawberry.field(description="As declared.")
    sha256: str = strawberry.field(description="As declared, lowercase hex.")
    part_size_bytes: BigInt = strawberry.field(
        description="Every part but the last has exactly this many bytes."
    )
    part_count: int
    expires_at: datetime = strawberry.field(description="When the part links end.")
    error_code: str | None = strawberry.field(description="Why it FAILED.")
    error_message: str | None

    @classmethod
    def from_model(cls, row: models.DirectUpload) -> "DirectUpload":
        return cls(
            id=strawberry.ID(str(row.id)),
            status=row.status,
            size_bytes=BigInt(row.size_bytes),
            sha256=row.sha256,
            part_size_bytes=BigInt(row.part_size_bytes),
            part_count=row.part_count,
            expires_at=row.expires_at,
            error_code=row.error_code,
            error_message=row.error_message,
        )


@strawberry.input
class CreateDirectUploadInput:
    size_bytes: BigInt = strawberry.field(description="The file's exact size.")
    sha256: str = strawberry.field(description="The file's SHA-256, hex.")
    filename: str | None = None
    content_type: str | None = None
    name: str | None = strawberry.field(
        default=None, description="Defaults to the file name."
    )
    kind: AssetKind | None = strawberry.field(
        default=None, description="Expected kind; a file of another kind fails."
    )
    tags: list[str] = strawberry.field(default_factory=list)
    metadata: JSON | None = strawberry.field(
        default=None, description="A JSON object; omitted or null means {}."
    )

    def to_domain(self) -> DirectUploadRequest:
        metadata = cast(dict[str, Any], self.metadata or {})  # validate() checks it
        details = AssetDetails(
            name=self.name or self.filename,
            kind=self.kind,
            tags=list(self.tags),
            metadata=metadata,
        ).validate()
        return DirectUploadRequest(
            size=self.size_bytes,
            sha256=self.sha256,
            filename=self.filename,
            content_type=self.content_type,
            details=details,
        )


@strawberry.type
class CreateDirectUploadSuccess:
    upload: DirectUpload
    parts: list[DirectUploadPart]


@strawberry.type
class CompleteDirectUploadSuccess:
    upload: DirectUpload
    asset: Asset
    job: Job | None = strawberry.field(description="Null when isDuplicate.")
    is_duplicate: bool = strawberry.field(
        description="The owner already had these bytes; `asset` is that asset."
    )


CreateDirectUploadResult = Annotated[
    CreateDirectUploadSuccess
    | InvalidInputError
    | InvalidStateError
    | TooLargeError
    | ForbiddenError,
    strawberry.union("CreateDirectUploadResult"),
]
CompleteDirectUploadResult = Annotated[
    CompleteDirectUploadSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | TooLargeError
    | ForbiddenError,
    strawberry.union("CompleteDirectUploadResult"),
]
