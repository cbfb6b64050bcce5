"""The standard introspection query succeeds: GraphiQL (docs, explorer, completion)
and code generators run it first and show nothing when it fails."""

from graphql import get_introspection_query

from gql_media.schema.root import build_schema


def test_introspection_query_as_graphiql_sends_it() -> None:
    result = build_schema().execute_sync(
        get_introspection_query(input_value_deprecation=True)
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["__schema"]["subscriptionType"]["name"] == "Subscription"
