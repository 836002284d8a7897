"""Append-only JSON-lines files (the ledger, the manifest) that survive crashes.

Each record is one ``write`` of a complete line followed by a flush (and an fsync when
asked), so a crash loses at most the record being written; a torn last line is trimmed
when the file is opened again. Readers ignore a line without its newline.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def trim_torn_tail(path: Path) -> None:
    """Drop a last line that a crash left without its newline."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        end = fh.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:
            step = min(65536, pos)
            pos -= step
            fh.seek(pos)
            chunk = fh.read(step)
            if pos + step == end and chunk.endswith(b"\n"):
                return
            nl = chunk.rfind(b"\n")
            if nl != -1:
                fh.truncate(pos + nl + 1)
                return
        fh.truncate(0)


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.endswith("\n") and line.strip()]


class AppendLog:
    def __init__(self, path: str | Path, fsync: bool = False):
        self.path = Path(path)
        self.fsync = fsync
        self.path.parent.mkdir(parents=True, exist_ok=True)
        trim_torn_tail(self.path)
        self._fh: IO[str] | None = self.path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            if self._fh is None:
                raise RuntimeError(f"{self.path} is closed")
            self._fh.write(line)
            self._fh.flush()
            if self.fsync:
                os.fsync(self._fh.fileno())

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
                self._fh.close()
                self._fh = None
