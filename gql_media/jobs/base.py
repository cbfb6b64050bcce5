"""What every job function shares: its signature and its outcome."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from gql_media import models
from gql_media.errors import InvalidState
from gql_media.runtime import Runtime
from gql_media.services.jobs.lifecycle import Reporter


@dataclass(frozen=True)
class Outcome:
    """The asset a successful job leaves (None for an export), and whether it was
    already there."""

    asset_id: str | None
    is_duplicate: bool = False


# (runtime, reporter, job row, private temp dir) -> outcome. The runner claims the
# job, creates and removes the temp dir, and records success or failure.
JobFunction = Callable[[Runtime, Reporter, models.Job, Path], Awaitable[Outcome]]


async def load_asset(job: models.Job) -> models.Asset:
    """The live asset a job works on (re-read: the job may run twice)."""
    asset = await models.Asset.get_or_none(id=job.asset_id, deleted_at=None)  # type: ignore[attr-defined]
    if asset is None:
        raise InvalidState("the job's asset was deleted")
    return asset


async def local_copy(runtime: Runtime, key: str, work_dir: Path) -> Path:
    """A local path of a stored blob: the file itself, or a download of it."""
    path = runtime.storage.local_path(key)
    if path is not None:
        return path
    dest = work_dir / "blob"
    await runtime.storage.download(key, dest)
    return dest
