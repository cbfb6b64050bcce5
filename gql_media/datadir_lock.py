"""One embedded-mode process per data dir: an OS file lock on `gql-media.lock`.

In the embedded mode a server owns its data dir: its start-up recovery re-queues
every RUNNING job, so a second server on the same dir would take over the first
one's work. `flock` is released by the kernel when the holder exits or dies
(SIGKILL included), so a crash never leaves a stale lock behind; the pid written
into the file is only there to be shown.
"""

import fcntl
import os
from pathlib import Path

LOCK_NAME = "gql-media.lock"

# Locks this process holds, by lock file: taking one twice (the `serve` command,
# then the app's lifespan) is a no-op, since flock would refuse our own second fd.
_held: dict[Path, "DataDirLock"] = {}


class DataDirInUse(Exception):
    """Another process holds the data dir's lock."""

    def __init__(self, data_dir: Path, holder: str) -> None:
        self.data_dir = data_dir
        self.holder = holder
        super().__init__(
            f"data dir {data_dir} is in use by another gql-media process "
            f"({holder}); stop it, or give this one another GQL_MEDIA_DATA_DIR"
        )


class DataDirLock:
    """The exclusive lock of one data dir, held until `release()` or exit."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self._users = 1

    def release(self) -> None:
        """Give the lock up once its last user in this process is done."""
        self._users -= 1
        if self._users == 0:
            _held.pop(self.path, None)
            os.close(self._fd)  # closing the only fd drops the flock


def acquire(data_dir: Path, what: str = "serve") -> DataDirLock:
    """Take the data dir's lock without waiting.

    Args:
        data_dir: the directory (created if missing).
        what: the command holding it, shown to a process that is refused.

    Raises:
        DataDirInUse: another process holds it.
        OSError: the data dir cannot be created or the lock file opened.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = (data_dir / LOCK_NAME).resolve()
    if (held := _held.get(path)) is not None:
        held._users += 1
        return held
    # os.open makes a non-inheritable fd: an ffmpeg child that outlives a killed
    # server must not keep the lock alive.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
        os.close(fd)
        raise DataDirInUse(data_dir, holder or "pid unknown") from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}, gql-media {what}\n".encode(), 0)
    lock = DataDirLock(path, fd)
    _held[path] = lock
    return lock
