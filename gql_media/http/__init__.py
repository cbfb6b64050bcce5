"""Plain HTTP endpoints served next to the GraphQL API."""
