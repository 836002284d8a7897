"""Integrity of the real-page license dev set (``bench/license_devset``).

Only the set itself is checked (its labels parse, its files are the recorded bytes, its SPDX
ids exist): how well the detector does on it is ``bench/licenses.py``'s business, never a test.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from crawler.signals.licenses import known_spdx_ids

DEVSET = Path(__file__).resolve().parents[1] / "bench" / "license_devset"
KEYS = {"id", "file", "source", "url", "sha256", "lang", "cms", "spdx", "scope", "classes",
        "note"}
SCOPES = {"page", "images", "text", "site", "exception", "none"}
SOURCE = re.compile(r"^github:[\w.-]+/[\w.-]+@[0-9a-f]{40}:\S.*$|^https?://\S+$")


def _entries() -> list[dict[str, Any]]:
    lines = (DEVSET / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


ENTRIES = _entries()


def test_every_line_has_the_schema() -> None:
    for entry in ENTRIES:
        assert entry.keys() >= KEYS, entry.get("id")
        assert re.fullmatch(r"[a-z]{2}-[a-z0-9-]+", entry["id"]), entry["id"]
        assert entry["scope"] in SCOPES, entry["id"]
        assert isinstance(entry["classes"], list), entry["id"]
        assert all(isinstance(c, str) and c for c in entry["classes"]), entry["id"]
        assert entry["note"].strip(), entry["id"]
        assert SOURCE.match(entry["source"]), entry["id"]
        assert entry["url"].startswith(("http://", "https://")), entry["id"]
        assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]), entry["id"]
        # a licensed page says what the license covers ("none" is for pages without one;
        # an unversioned or out-of-table statement keeps its scope with a null spdx)
        assert entry["spdx"] is None or entry["scope"] != "none", entry["id"]


def test_ids_are_unique() -> None:
    ids = [e["id"] for e in ENTRIES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["file"]], ids=lambda e: e["id"])
def test_committed_file_matches_its_sha256(entry: dict[str, Any]) -> None:
    path = DEVSET / entry["file"]
    assert path.is_file()
    assert path.resolve().is_relative_to(DEVSET.resolve())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]


def test_spdx_ids_are_known() -> None:
    known = known_spdx_ids()
    unknown = {e["id"]: e["spdx"] for e in ENTRIES if e["spdx"] is not None
               and e["spdx"] not in known}
    assert not unknown


def test_size_and_languages() -> None:
    assert len(ENTRIES) >= 150
    assert len({e["lang"] for e in ENTRIES}) >= 10
    assert sum(1 for e in ENTRIES if e["file"]) > len(ENTRIES) / 2  # mostly committed


def test_only_labelled_pages_are_committed() -> None:
    files = {e["file"] for e in ENTRIES if e["file"]}
    on_disk = {f"pages/{p.name}" for p in (DEVSET / "pages").iterdir()}
    assert on_disk == files
