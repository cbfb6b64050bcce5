"""The workflows contract: saved graphs, revisions, executions, node runs, links."""
