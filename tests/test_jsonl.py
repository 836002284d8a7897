"""The append-only JSON-lines files: a single writer's log (a run ledger) is appended to
without a lock, so it must leave no torn line behind it either."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.jsonl import AppendLog, encode, read_jsonl, utcnow


def test_a_single_writers_log_trims_a_crashed_writers_tail_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b'{"n": 1}\n{"n": 2, "ur')  # the last process died mid-line
    log = AppendLog(path, shared=False)
    log.append({"n": 3})
    log.close()
    assert read_jsonl(path) == [{"n": 1}, {"n": 3}]
    assert path.read_bytes().endswith(b"\n")


def test_a_failed_write_leaves_no_part_of_its_line(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ledger.jsonl"
    log = AppendLog(path, shared=False)
    log.append({"n": 1})
    real_write = os.write

    def half_then_full_disk(fd: int, data: bytes | memoryview) -> int:
        if len(data) > 4:
            return real_write(fd, bytes(data[:4]))  # a short write, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full_disk)
    with pytest.raises(OSError):
        log.append({"n": 2, "text": "a line that does not fit"})
    monkeypatch.setattr(os, "write", real_write)
    log.append({"n": 3})
    log.close()
    assert read_jsonl(path) == [{"n": 1}, {"n": 3}]


def test_shared_logs_of_two_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "manifest.jsonl"
    first, second = AppendLog(path), AppendLog(path)
    for n in range(50):
        first.append({"w": 1, "n": n, "pad": "x" * 300})
        second.append({"w": 2, "n": n, "pad": "y" * 300})
    first.close()
    second.close()
    records = read_jsonl(path)
    assert len(records) == 100
    assert [r["n"] for r in records if r["w"] == 1] == list(range(50))


def test_utcnow_is_iso_8601_utc_to_the_millisecond() -> None:
    """Truncated like ``datetime.isoformat(timespec="milliseconds")``, between two readings
    of the clock taken around it."""
    ms = timedelta(milliseconds=1)
    for _ in range(2000):  # across several milliseconds and, at times, a second
        before = datetime.now(UTC)
        stamp = utcnow()
        after = datetime.now(UTC)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp), stamp
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert before - ms < when <= after


@dataclass
class _Point:
    x: int


def test_encode_reads_back_as_json_gives_it() -> None:
    """Compact UTF-8; what JSON cannot hold is written as ``str()`` gives it, as
    ``json.dumps(default=str)`` did, datetimes and dataclasses included."""
    when = datetime(2026, 12, 2, 15, 57, 32, 531000, tzinfo=UTC)
    record = {"url": "https://例え.jp/ü", 3: "int key", "when": when, "point": _Point(1),
              "path": Path("/a/b"), "nested": [{"b": 2, "a": 1}, (1, 2)], "none": None,
              "flag": True, "ratio": 0.1}
    line = encode(record)
    assert b"\n" not in line and "例え".encode() in line
    assert json.loads(line) == json.loads(json.dumps(record, default=str))
    assert json.loads(line)["when"] == "2026-12-02 15:57:32.531000+00:00"


def test_encode_sorts_keys_on_request() -> None:
    record = {"b": {"z": 1, "a": 2}, "a": 1, "é": 3}
    assert encode(record, sort_keys=True) == json.dumps(
        record, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("value", [2**70, "lone \udc80 surrogate"])
def test_encode_falls_back_to_json_where_orjson_refuses(value: object) -> None:
    line = encode({"v": value, "s": "ü"})
    assert line.isascii()  # json escapes then: a lone surrogate is no UTF-8
    assert json.loads(line) == {"v": value, "s": "ü"}
