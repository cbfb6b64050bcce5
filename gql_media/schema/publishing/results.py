"""Results of the publishing mutations: a success type each, unioned with errors."""

from typing import Annotated

import strawberry

from gql_media.schema.assets.types import Asset
from gql_media.schema.common.errors import (
    ForbiddenError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
)
from gql_media.schema.common.pagination import PageInfo
from gql_media.schema.publishing.types import Publication


@strawberry.type
class PublishAssetSuccess:
    publication: Publication
    blocked: bool = strawberry.field(
        description="True when duplicate prevention stopped it: the asset (or the "
        "same bytes) is already posted there; the publication is BLOCKED and keeps "
        "the existing post id. Set allowDuplicatePublish to post it again."
    )


@strawberry.type(description="Counts of one page of publishAllPending.")
class PublishAllPendingSuccess:
    created: int = strawberry.field(description="New PENDING publications.")
    skipped_existing: int = strawberry.field(
        description="Pairs that already have a publication (any status)."
    )
    skipped_duplicates: int = strawberry.field(
        description="Pairs whose bytes are already posted on the platform."
    )
    assets_considered: int
    page_info: PageInfo = strawberry.field(
        description="Call again with `after: endCursor` while hasNextPage."
    )
    publications: list[Publication]


@strawberry.type
class RetryPublicationSuccess:
    publication: Publication
    retry_count_restarted: bool = strawberry.field(
        description="Always true: a manual retry starts the count at 0 again."
    )


@strawberry.type
class CancelPublicationSuccess:
    publication: Publication


@strawberry.type
class SetAllowDuplicatePublishSuccess:
    asset: Asset


PublishAssetResult = Annotated[
    PublishAssetSuccess
    | NotFoundError
    | InvalidInputError
    | InvalidStateError
    | ForbiddenError,
    strawberry.union("PublishAssetResult"),
]
PublishAllPendingResult = Annotated[
    PublishAllPendingSuccess | InvalidInputError | InvalidStateError | ForbiddenError,
    strawberry.union("PublishAllPendingResult"),
]
RetryPublicationResult = Annotated[
    RetryPublicationSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("RetryPublicationResult"),
]
CancelPublicationResult = Annotated[
    CancelPublicationSuccess | NotFoundError | InvalidStateError | ForbiddenError,
    strawberry.union("CancelPublicationResult"),
]
SetAllowDuplicatePublishResult = Annotated[
    SetAllowDuplicatePublishSuccess | NotFoundError | ForbiddenError,
    strawberry.union("SetAllowDuplicatePublishResult"),
]
