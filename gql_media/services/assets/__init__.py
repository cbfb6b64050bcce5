"""The assets domain: stored media files, their blobs, imports and processing."""
