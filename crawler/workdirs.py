"""Working folders that belong to a live process, and the removal of those whose process
is gone however it ended.

A folder ``<parent>/<name>`` comes with ``<parent>/<name>.lock``, on which its process
holds an ``flock`` while it lives. The kernel drops the lock when the process ends, also
on SIGKILL, so a later process that takes the lock knows the folder was abandoned and
removes it: a killed crawl's temporary frontier (its whole request queue) or a killed
store writer's staging folder does not stay behind for good.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import time
import uuid
from collections.abc import Callable
from pathlib import Path

#: a lock younger than this is left alone, whoever holds it: its folder may be being made
STALE_AFTER = 30.0


class OwnedFolder:
    """A new folder ``<parent>/<prefix><random>``, held by this process until
    :meth:`remove`. The lock is taken before the folder is made, so no one removes it."""

    def __init__(self, parent: Path, prefix: str = ""):
        name = f"{prefix}{uuid.uuid4().hex}"
        self._lock = parent / f"{name}.lock"
        self._fd: int | None = os.open(self._lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                                       0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self.path = parent / name
        self.path.mkdir(mode=0o700)

    def remove(self) -> None:
        """The folder, its contents and its lock, then let the lock go."""
        if self._fd is None:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None


def remove_abandoned(parent: Path, prefix: str = "",
                     salvage: Callable[[Path], bool] | None = None) -> int:
    """Remove the folders ``<parent>/<prefix>*`` whose lock no process holds; how many.
    Only this user's real folders and lock files are touched (a shared temporary folder
    may hold anyone's, or a trap of symbolic links). ``salvage`` is first called with
    each (its lock held by this process): what it left is removed only if it answers
    True."""
    removed = 0
    for lock in parent.glob(f"{prefix}*.lock"):
        folder = parent / lock.stem
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if not _abandoned(fd, folder):
                continue
            if salvage is not None and not salvage(folder):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            lock.unlink(missing_ok=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


def _abandoned(fd: int, folder: Path) -> bool:
    """Is the lock open on ``fd`` free and old, and it and ``folder`` this user's own (the
    folder a real one)? Takes the lock when so."""
    try:
        held, made = os.fstat(fd), folder.lstat()
    except OSError:
        return False
    uid = os.getuid()
    if held.st_uid != uid or made.st_uid != uid or not stat.S_ISDIR(made.st_mode) or \
            time.time() - held.st_mtime < STALE_AFTER:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # its process is alive
    return True
