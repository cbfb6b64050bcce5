"""The contract of the generations domain: the tree, inputs, results, events."""
