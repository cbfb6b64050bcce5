"""The reviews contract: versions, review events, annotations, activity."""
