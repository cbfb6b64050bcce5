"""Benchmarks of the main paths, each reported as a ratio against a baseline
measured in the same run: `make bench`, or `python -m bench.run --only <name>`."""
