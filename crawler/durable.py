"""Durability helpers shared by the store and the export."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from pathlib import Path

_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
_fallocate = getattr(_libc, "fallocate", None)
if _fallocate is not None:
    _fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
_KEEP_SIZE, _PUNCH_HOLE = 0x01, 0x02  # fallocate(2) modes


def fsync_path(path: Path) -> None:
    """fsync a file or a directory by path (for a directory: its renames and new entries)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def punch_hole(fd: int, offset: int, length: int) -> bool:
    """Free a file's blocks over a range, keeping its size (``fallocate(2)`` with
    ``FALLOC_FL_PUNCH_HOLE``): the range then reads as zeros. False where the file system
    or the platform cannot; other failures raise."""
    if _fallocate is None:
        return False
    if _fallocate(fd, _PUNCH_HOLE | _KEEP_SIZE, offset, length) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(err, f"fallocate: {os.strerror(err)}")
