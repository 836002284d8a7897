"""Durability helpers shared by the store and the export."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
_syncfs = getattr(_libc, "syncfs", None)


def fsync_path(path: Path) -> None:
    """fsync a file or a directory by path (for a directory: its renames and new entries)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_filesystem(path: Path) -> None:
    """Make everything written to the file system holding ``path`` durable: file data,
    new directory entries and renames, in one call (Linux ``syncfs(2)``, which reports
    write-back errors since 5.8; elsewhere ``sync(2)``). A group commit's barrier: one
    call for many items where fsyncing each file and folder would take several each."""
    if _syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if _syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"syncfs: {os.strerror(err)}", str(path))
    finally:
        os.close(fd)
