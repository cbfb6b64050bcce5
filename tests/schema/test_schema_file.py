"""The committed schema.graphql is the public contract: it must match the code."""

from pathlib import Path

from gql_media.resolvers.root import build_schema

SCHEMA_FILE = Path(__file__).parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    current = build_schema().as_str().strip()
    committed = SCHEMA_FILE.read_text().strip()
    assert committed == current, (
        "schema.graphql is out of date; run `make schema` and commit it"
    )


def test_contract_names_are_present() -> None:
    sdl = build_schema().as_str()
    for name in (
        "asset(id: ID!): Asset",
        "interface Error",
        "union UploadAssetResult",
        # Extended with an optional afterRevision: old documents still validate.
        "jobProgress(\n    jobId: ID!\n",
        "afterRevision: Int = null\n  ): Job!",
        "scalar BigInt",
        "totalCount: Int!",
    ):
        assert name in sdl, name
