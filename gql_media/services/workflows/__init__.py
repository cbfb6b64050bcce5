"""The workflows domain: saved node graphs, revisions, executions, stitching."""
