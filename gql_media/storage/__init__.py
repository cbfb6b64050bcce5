"""File storage: the `Storage` interface and its local and S3 backends."""

from gql_media.settings import Settings
from gql_media.storage.base import Storage
from gql_media.storage.local import LocalStorage
from gql_media.storage.s3 import S3Storage

__all__ = ["LocalStorage", "S3Storage", "Storage", "build_storage"]


def build_storage(settings: Settings) -> Storage:
    """The backend selected by `settings.storage.backend`.

    Local storage keeps files under `settings.storage_dir` and signs its links with
    `settings.signing_key()`; S3 storage opens its clients in `start()` (the
    server's lifespan and the worker's start-up call it) or on first use (call
    `S3Storage.ensure_bucket()` at startup to create a missing bucket).
    """
    if settings.storage.backend == "s3":
        return S3Storage(settings.storage)
    return LocalStorage(
        settings.storage_dir, settings.signing_key(), settings.public_base_url or ""
    )
