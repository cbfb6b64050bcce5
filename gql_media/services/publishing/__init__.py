"""Publishing: the per-platform ledger, its jobs and its uploaders."""
