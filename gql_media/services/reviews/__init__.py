"""The reviews domain: task-linked versions, review decisions, annotations."""
