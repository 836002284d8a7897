"""Download the pages of the license dev set that are not committed (``"file": null``).

Each such line of ``labels.jsonl`` names its source as ``github:owner/repo@commit:path``: the
raw file is fetched from ``raw.githubusercontent.com`` at that commit, gunzipped when the path
ends in ``.gz``, checked against the line's ``sha256`` and written to ``cache/<id>.html``
(ignored by git). ``bench/licenses.py`` reads a page from ``cache/`` when it has no ``file``.

Run: ``.venv/bin/python bench/license_devset/fetch.py [--force] [ID ...]``. Needs network
access to GitHub; a page whose bytes changed upstream is reported and not written.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.jsonl"
CACHE = HERE / "cache"
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def raw_url(source: str) -> str:
    """``github:owner/repo@commit:path`` -> the raw.githubusercontent.com URL."""
    if not source.startswith("github:"):
        raise ValueError(f"not a github source: {source}")
    repo, rest = source.removeprefix("github:").split("@", 1)
    commit, path = rest.split(":", 1)
    quoted = urllib.request.quote(path)
    return RAW.format(repo=repo, commit=commit, path=quoted)


def fetch(entry: dict[str, Any], force: bool = False) -> str:
    target = CACHE / f"{entry['id']}.html"
    if target.exists() and not force:
        ok = hashlib.sha256(target.read_bytes()).hexdigest() == entry["sha256"]
        if ok:
            return "cached"
    request = urllib.request.Request(raw_url(entry["source"]),
                                     headers={"User-Agent": "license-devset-fetch"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = answer.read()
    if entry["source"].endswith(".gz"):
        body = gzip.decompress(body)
    if hashlib.sha256(body).hexdigest() != entry["sha256"]:
        return "sha256 mismatch (not written)"
    CACHE.mkdir(exist_ok=True)
    target.write_bytes(body)
    return "fetched"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="only these page ids")
    parser.add_argument("--force", action="store_true", help="download even when cached")
    args = parser.parse_args()
    entries = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    todo = [e for e in entries if e["file"] is None and (not args.ids or e["id"] in args.ids)]
    failed = 0
    for entry in todo:
        try:
            status = fetch(entry, args.force)
        except (OSError, ValueError) as exc:
            status = f"error: {exc}"
        failed += not status.startswith(("cached", "fetched"))
        print(f"{entry['id']:<32} {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
