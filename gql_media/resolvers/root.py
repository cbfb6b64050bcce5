"""The schema: root types assembled from the domains, with protective extensions."""

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from gql_media.errors import GqlMediaError
from gql_media.schema.assets import AssetMutation, AssetQuery
from gql_media.schema.common.errors import (
    ForbiddenUrlError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    TooLargeError,
)
from gql_media.schema.common.scalars import SCALARS
from gql_media.schema.generations import (
    GenerationMutation,
    GenerationQuery,
    GenerationSubscription,
)
from gql_media.schema.jobs import JobMutation, JobQuery, JobSubscription

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000


@strawberry.type
class Query(AssetQuery, JobQuery, GenerationQuery):
    pass


@strawberry.type
class Mutation(AssetMutation, JobMutation, GenerationMutation):
    pass


@strawberry.type
class Subscription(JobSubscription, GenerationSubscription):
    pass


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask everything but validation errors and our own typed errors."""
    original = error.original_error
    if original is None:
        return False  # syntax and validation errors are the client's to see
    return not isinstance(original, GqlMediaError)


class _ErrorCodes(MaskErrors):
    """Masks unexpected errors and puts our errors' code in `extensions.code`."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if isinstance(error.original_error, GqlMediaError):
                error.extensions = {
                    **(error.extensions or {}),
                    "code": error.original_error.code,
                }
        return processed

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        return GraphQLError(
            masked.message,
            nodes=masked.nodes,
            path=masked.path,
            extensions={"code": "INTERNAL"},
        )


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        """Log only unexpected errors; typed ones are answers, not incidents."""
        unexpected = [e for e in errors if _is_unexpected(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema() -> strawberry.Schema:
    return _Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALARS),
        types=[
            NotFoundError,
            InvalidInputError,
            InvalidStateError,
            ForbiddenUrlError,
            TooLargeError,
        ],
        extensions=protections(),
    )


def protections() -> list[Callable[[], SchemaExtension]]:
    """Depth, alias and token limits, and error masking with codes.

    Factories rather than instances: each request gets fresh extensions.
    """
    return [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: _ErrorCodes(should_mask_error=_is_unexpected),
    ]
