"""Domain-free helpers: ids and owner-scoped lookups, the clock, pagination."""
