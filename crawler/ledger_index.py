"""The index of one ledger file: where each URL's lines are, so that ``crawler explain URL``
reads two small ranges of the index and the matching lines, not every line of every run.

Laid out like a git pack index, for ranged reads from a file or an S3 object::

    MAGIC (8 bytes) | count (u64) | fan-out: 256 u64 | count records

A record is (key u64, offset u64, length u32), sorted by key; the key is the first 8
bytes of the URL's SHA-256, so different URLs may share one (a reader checks the URL of
each line it reads). Fan-out entry ``b`` counts the records whose key's top byte is at
most ``b``: a lookup reads the header, then the records of one byte value only.
"""

from __future__ import annotations

import hashlib
import json
import struct
from array import array
from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path

MAGIC = b"CCLIDX1\n"
SUFFIX = ".idx"
_HEAD = struct.Struct("<8sQ256Q")
_RECORD = struct.Struct("<QQI")
HEADER_SIZE = _HEAD.size


def url_key(url: str) -> int:
    return int.from_bytes(hashlib.sha256(url.encode("utf-8", "surrogatepass")).digest()[:8],
                          "big")


def index_path(ledger_path: str) -> str:
    """The index of ``ledger/<run>/<writer>.jsonl``: ``ledger/<run>/<writer>.idx``."""
    return ledger_path.removesuffix(".jsonl") + SUFFIX


def line_spans(path: Path) -> Iterable[tuple[str, int, int]]:
    """(url, offset, length) of each complete JSON line of a ledger file, streamed."""
    offset = 0
    with path.open("rb") as fh:
        for line in fh:
            if line.endswith(b"\n"):
                try:
                    url = json.loads(line)["url"]
                except (ValueError, KeyError, TypeError):
                    url = None
                if isinstance(url, str):
                    yield url, offset, len(line)
            offset += len(line)


def build(spans: Iterable[tuple[str, int, int]]) -> bytes:
    """The index of a ledger file's lines: records sorted by key, a key's lines in file
    order.

    Built in compact arrays and sorted one fan-out bucket at a time, so that it takes about
    twice the index's own size (20 bytes a line) at its peak: sorting every line at once as
    Python objects took some 220 bytes a line, 47 MB when a 50,000-page run closed, the
    largest part of the crawl's peak memory growth (``bench/memory.py``)."""
    out = _packed(spans)
    return bytes(out)  # the arrays the records were sorted from are freed by now


def _packed(spans: Iterable[tuple[str, int, int]]) -> bytearray:
    keys, offsets, lengths = array("Q"), array("Q"), array("I")
    buckets = [array("I") for _ in range(256)]  # line numbers by the key's top byte
    for url, offset, length in spans:
        key = url_key(url)
        buckets[key >> 56].append(len(keys))
        keys.append(key)
        offsets.append(offset)
        lengths.append(length)
    out = bytearray(HEADER_SIZE + len(keys) * _RECORD.size)
    _HEAD.pack_into(out, 0, MAGIC, len(keys), *accumulate(len(b) for b in buckets))
    at = HEADER_SIZE
    for lines in buckets:
        for i in sorted(lines, key=keys.__getitem__):  # stable: file order within a key
            _RECORD.pack_into(out, at, keys[i], offsets[i], lengths[i])
            at += _RECORD.size
    return out


def bucket(header: bytes, key: int) -> tuple[int, int]:
    """(start, length) in bytes of the records that may hold ``key``, from the header."""
    magic, _count, *fanout = _HEAD.unpack(header[:HEADER_SIZE])
    if magic != MAGIC:
        raise ValueError("not a ledger index")
    top = key >> 56
    first = fanout[top - 1] if top else 0
    return HEADER_SIZE + first * _RECORD.size, (fanout[top] - first) * _RECORD.size


def spans_of(records: bytes, key: int) -> list[tuple[int, int]]:
    """(offset, length) of the ledger lines whose URL has ``key``, from one bucket."""
    return [(offset, length) for k, offset, length in _RECORD.iter_unpack(records) if k == key]


def keys(index: bytes) -> set[int]:
    """Every URL key of an index (a retention check of a whole run)."""
    return {k for k, _o, _l in _RECORD.iter_unpack(index[HEADER_SIZE:])}
