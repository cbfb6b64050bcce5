"""GraphQL over HTTP answers: which media type a client asked for, and the status
of a result under `application/graphql-response+json`.

The spec (graphql.github.io/graphql-over-http) keeps `application/json` answering
200 for every GraphQL response, so existing clients see no change; a client that
accepts `application/graphql-response+json` gets a 4xx without `data` when the
request fails before execution (parse, validation, variable coercion).
"""

from collections.abc import Mapping

from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str:
    """The media type of the answer: the new one when it is accepted at least as
    much as application/json; application/json otherwise (also for */* or none)."""
    weights: dict[str, float] = {}
    for item in (accept or "").split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        media_type = media_type.lower()
        weights[media_type] = max(weight, weights.get(media_type, 0.0))
    preferred = weights.get(GRAPHQL_RESPONSE, 0.0)
    if preferred > 0 and preferred >= weights.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    return JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Whether the request failed before execution, so the response has no data.

    Errors raised while executing fields carry a `path`; parse, validation and
    variable-coercion errors never do, and then execution never started.
    """
    return (
        result.data is None
        and bool(result.errors)
        and all(not error.path for error in result.errors or ())
    )


def without_data(body: Mapping[str, object]) -> dict[str, object]:
    return {key: value for key, value in body.items() if key != "data"}
