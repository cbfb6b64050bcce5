"""gql-media: a GraphQL media server for AI video tools."""

__version__ = "0.1.0"
