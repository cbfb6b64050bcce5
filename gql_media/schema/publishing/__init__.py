"""The publishing contract: publications, their trail, inputs and results."""
