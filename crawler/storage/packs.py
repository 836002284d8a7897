"""Pack files: where a local store keeps its items' content and sidecars.

Each writing process appends every group commit's files to its own pack file,
``packs/<writer>-<n>.pack``, in one write made durable with one ``fdatasync``: a group of
64 items costs one system call for its data and one barrier, where a folder per item
cost two folders, two files and a rename each (``mkdir`` and file creation are the dear
calls on a journalling file system). A stored file is addressed by a *range locator*,
``packs/<name>.pack#<offset>:<length>``, which the store reads like a path.

Only a manifest line makes a range visible, and it is written after the range is
durable; bytes past the last range a line names (a writer killed between its append and
its manifest line) are never read. A removed version's ranges are erased in place
(:func:`erase`): a hole punched in the file, so the bytes and their disk space both go.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from crawler.durable import fsync_path, punch_hole

PACKS = "packs"
#: a writer starts a new pack file once its current one is this large
PACK_LIMIT = 1 << 30
_LOCATOR = re.compile(r"(?P<file>[^#]+)#(?P<offset>\d{1,15}):(?P<length>\d{1,15})")

def locator(name: str, offset: int, length: int) -> str:
    return f"{PACKS}/{name}#{offset}:{length}"


def split_locator(path: str) -> tuple[str, int, int | None]:
    """(file, offset, length) of a range locator; (path, 0, None) for a whole file."""
    match = _LOCATOR.fullmatch(path)
    if match is None:
        return path, 0, None
    return match["file"], int(match["offset"]), int(match["length"])


def erase(path: Path, offset: int, length: int, fsync: bool) -> None:
    """Remove a range's bytes for good: punch a hole (the range then reads as zeros and
    its blocks are freed), or, where the file system cannot, overwrite it with zeros."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        if not punch_hole(fd, offset, length):
            zeros = bytes(min(length, 1 << 20))
            done = 0
            while done < length:
                done += os.pwrite(fd, zeros[:length - done], offset + done)
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


_BITS = 40  # offsets and lengths up to 1 TiB


class Locations:
    """Where each stored version's content and sidecar are, by version key, in about 130
    bytes a version, the key included (tracemalloc, 100,000 versions): a pack range pair
    is kept as one integer (the pack's number, the content's offset and length, the
    sidecar's length: it follows the content), anything else (a format-2 folder) as its
    two paths."""

    def __init__(self) -> None:
        self._packs: list[str] = []
        self._numbers: dict[str, int] = {}
        self._at: dict[int, int | tuple[str, str]] = {}

    def __contains__(self, key: int) -> bool:
        return key in self._at

    def get(self, key: int) -> tuple[str, str] | None:
        found = self._at.get(key)
        if found is None or isinstance(found, tuple):
            return found
        mask = (1 << _BITS) - 1
        sidecar, content = found & mask, (found >> _BITS) & mask
        offset, number = (found >> 2 * _BITS) & mask, found >> 3 * _BITS
        name = self._packs[number]
        return locator(name, offset, content), locator(name, offset + content, sidecar)

    def add(self, key: int, content: str, sidecar: str) -> None:
        """Note where a version is, unless it is noted already (the first copy stays)."""
        if key in self._at:
            return
        file, offset, length = split_locator(content)
        s_file, s_offset, s_length = split_locator(sidecar)
        if length is None or s_length is None or s_file != file or \
                s_offset != offset + length or not file.startswith(f"{PACKS}/") or \
                max(offset, length, s_length) >> _BITS:
            self._at[key] = (content, sidecar)
            return
        name = file.removeprefix(f"{PACKS}/")
        number = self._numbers.setdefault(name, len(self._packs))
        if number == len(self._packs):
            self._packs.append(name)
        self._at[key] = (((number << _BITS | offset) << _BITS | length) << _BITS) | s_length

    def pop(self, key: int) -> None:
        self._at.pop(key, None)


class PackWriter:
    """One writer's pack files, appended one group at a time."""

    def __init__(self, folder: Path, writer: str, fsync: bool):
        self.folder, self.writer, self.fsync = folder, writer, fsync
        self._lock = threading.Lock()  # one append at a time: each owns its offsets
        self._fd: int | None = None
        self._name = ""
        self._size = 0
        self._count = 0

    def append(self, files: list[bytes]) -> list[str]:
        """Append ``files`` in one write; their locators, once durable (with ``fsync``).
        After a failed write the pack is left as it is (its tail is named by no line)
        and the next group starts a new one."""
        if not files:
            return []
        with self._lock:
            return self._append(files)

    def _append(self, files: list[bytes]) -> list[str]:
        total = sum(len(data) for data in files)
        if self._fd is None or (self._size and self._size + total > PACK_LIMIT):
            self._open()
        assert self._fd is not None
        start, found = self._size, []
        for data in files:
            found.append(locator(self._name, start, len(data)))
            start += len(data)
        view = memoryview(b"".join(files))
        try:
            while view:
                view = view[os.write(self._fd, view):]
            if self.fsync:
                os.fdatasync(self._fd)
        except OSError:
            self.close()
            raise
        self._size = start
        return found

    def _open(self) -> None:
        self.close()
        self.folder.mkdir(exist_ok=True)
        self._name = f"{self.writer}-{self._count}.pack"
        self._count += 1
        self._fd = os.open(self.folder / self._name,
                           os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC,
                           0o644)
        self._size = 0
        if self.fsync:  # the new name durable before a manifest line can name it
            fsync_path(self.folder)

    def close(self) -> None:
        """Close the current pack file (the next append starts a new one)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
