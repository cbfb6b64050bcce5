"""The accounts contract: the viewer, tokens and their mutations."""
