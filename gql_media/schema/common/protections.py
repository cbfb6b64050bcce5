"""What protects every request: depth, alias and token limits, and error masking
that keeps our typed errors' codes in `extensions.code`."""

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from gql_media.errors import GqlMediaError
from gql_media.schema.common.access import RequireReadScope
from gql_media.schema.common.input_guard import RefuseNul

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000
# Distinct documents whose parse and validation are kept (each process; LRU).
# Clients send a handful of documents over and over, and validating one costs
# more than answering a small query (about 1.5 ms for `assets(first: 20)`).
CACHED_DOCUMENTS = 256

# The depth and alias rules, made once: Strawberry's limiters make a new rule
# class per instance, and the validation cache is keyed by the rules too.
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask everything but validation and input errors and our own typed errors."""
    original = error.original_error
    if original is None:
        return False  # syntax and validation errors are the client's to see
    if error.path is None and error.nodes:
        # Located in the document but raised before execution: graphql-core checking
        # a literal or a variable against its type. Whatever the scalar raised (and
        # graphql-core wraps even a scalar's own GraphQLError), it is about the
        # client's input, not a bug; resolver errors always have a path.
        return False
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


class GuardedSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        """Log only unexpected errors; typed ones are answers, not incidents."""
        unexpected = [e for e in errors if _is_unexpected(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def protections() -> list[Callable[[], SchemaExtension]]:
    """Depth, alias and token limits, NUL-free strings, and error masking with codes.

    Factories rather than instances: each request gets fresh extensions. A
    document seen before is neither parsed nor validated again (Strawberry's
    caches: the parse by text and token limit, the validation by schema,
    document and rules; nothing there depends on variables or the caller).
    """
    return [
        lambda: AddValidationRules(_LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
        RefuseNul,
        RequireReadScope,
        lambda: _ErrorCodes(should_mask_error=_is_unexpected),
    ]
