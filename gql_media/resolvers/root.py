"""The schema: each domain's root fields merged into one Query, Mutation and
Subscription. A new domain adds its three classes here, nothing else."""

import functools
from typing import Any

import strawberry
from strawberry.extensions.tracing import OpenTelemetryExtension
from strawberry.schema.config import StrawberryConfig

from gql_media.resolvers.accounts import AccountMutation, AccountQuery
from gql_media.resolvers.assets import AssetMutation, AssetQuery
from gql_media.resolvers.direct_uploads import DirectUploadMutation
from gql_media.resolvers.generations import (
    GenerationMutation,
    GenerationQuery,
    GenerationSubscription,
)
from gql_media.resolvers.jobs import JobMutation, JobQuery, JobSubscription
from gql_media.resolvers.publishing import (
    PublishingMutation,
    PublishingQuery,
    PublishingSubscription,
)
from gql_media.resolvers.reviews import (
    ReviewMutation,
    ReviewQuery,
    ReviewSubscription,
)
from gql_media.resolvers.workflows import (
    WorkflowMutation,
    WorkflowQuery,
    WorkflowSubscription,
)
from gql_media.schema.common.context import ReleaseLoaders
from gql_media.schema.common.errors import (
    ConflictError,
    ForbiddenError,
    ForbiddenUrlError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    TooLargeError,
)
from gql_media.schema.common.metrics import RequestMetrics
from gql_media.schema.common.protections import GuardedSchema, protections
from gql_media.schema.common.scalars import SCALARS


@strawberry.type
class Query(
    AssetQuery,
    JobQuery,
    GenerationQuery,
    WorkflowQuery,
    PublishingQuery,
    ReviewQuery,
    AccountQuery,
):
    pass


@strawberry.type
class Mutation(
    AssetMutation,
    DirectUploadMutation,
    JobMutation,
    GenerationMutation,
    WorkflowMutation,
    PublishingMutation,
    ReviewMutation,
    AccountMutation,
):
    pass


@strawberry.type
class Subscription(
    JobSubscription,
    GenerationSubscription,
    WorkflowSubscription,
    PublishingSubscription,
    ReviewSubscription,
):
    pass


# Built once per process for each `tracing`: it depends on no setting and holds no
# request state (extensions are factories), and building it takes a fraction of a
# second, which every app made in a process (hundreds in the tests) paid again.
@functools.cache
def build_schema(*, tracing: bool = False) -> strawberry.Schema:
    """The schema; with `tracing`, Strawberry's OpenTelemetry extension too."""
    extensions: list[Any] = [*protections(), RequestMetrics, ReleaseLoaders]
    if tracing:
        extensions.append(OpenTelemetryExtension)
    return GuardedSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALARS),
        types=[
            ConflictError,
            NotFoundError,
            ForbiddenError,
            InvalidInputError,
            InvalidStateError,
            ForbiddenUrlError,
            TooLargeError,
        ],
        extensions=extensions,
    )
