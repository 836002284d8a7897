"""Export records and the shards they are written to (JSONL, Parquet or WARC).

One record per exported item (:data:`SCHEMA`), in ``shard-00000.jsonl`` (or ``.parquet``),
``shard-00001...``; beside them, :data:`ATTRIBUTIONS` holds one credit line per record. A WARC
shard (``shard-00000.warc.gz``, :mod:`crawler.dataset.warc`) holds the stored response of each
item instead, with a metadata record made from the record and the item's sidecar.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.dataset.warc import SUFFIX as WARC_SUFFIX
from crawler.dataset.warc import WarcShard
from crawler.durable import fsync_path

# every log line of an export goes to one logger, whichever module writes it
logger = logging.getLogger("crawler.export")

SHARD_PREFIX = "shard-"
ATTRIBUTIONS = "attributions.jsonl"
_PARQUET_ROW_GROUP = 1000
#: export format -> shard file name suffix
SUFFIXES = {"jsonl": "jsonl", "parquet": "parquet", "warc": WARC_SUFFIX}

#: One record per exported item; the Parquet schema, and the key order of JSONL records.
SCHEMA = pa.schema([
    pa.field("id", pa.string(), nullable=False),  # content sha256
    pa.field("url", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),  # page | image
    pa.field("text", pa.string()),  # pages: extracted main text; images: null
    pa.field("content_path", pa.string()),  # images: content file, relative to the store root
    pa.field("content_type", pa.string()),
    pa.field("title", pa.string()),
    pa.field("license", pa.string(), nullable=False),  # SPDX id
    pa.field("license_url", pa.string()),
    pa.field("attribution", pa.string()),  # the sidecar's ready-made credit line
    pa.field("obligations", pa.list_(pa.string())),  # subset of BY, SA, NC, ND
    pa.field("sidecar", pa.string(), nullable=False),  # sidecar file, relative to the store
    pa.field("host", pa.string()),
    pa.field("policy", pa.string()),  # site policy name
    pa.field("purpose", pa.string()),  # the purpose the item was crawled for
    pa.field("fetched_at", pa.string()),  # ISO 8601, as in the sidecar
])
RECORD_FIELDS: tuple[str, ...] = tuple(SCHEMA.names)


def is_shard_name(name: str) -> bool:
    """Is ``name`` the name of a shard file (of any format)?"""
    return name.startswith(SHARD_PREFIX) and any(
        name.endswith(f".{suffix}") for suffix in SUFFIXES.values())


class Shards:
    """Writes records into numbered shards of at most ``size`` records, opened lazily so the
    last shard is never empty. ``warcinfo`` are the fields of each WARC file's warcinfo record
    (what it is part of, the export's filters)."""

    def __init__(self, directory: Path, fmt: str, size: int, *,
                 warcinfo: Mapping[str, str] | None = None):
        self.directory = directory
        self.fmt = fmt
        self.size = size
        self.paths: list[Path] = []
        self.counts: list[int] = []
        self._jsonl: IO[str] | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._warc: WarcShard | None = None
        self._warcinfo = dict(warcinfo or {})
        self._rows: list[dict[str, Any]] = []
        self._open = False

    @property
    def pattern(self) -> str:
        """A glob for the shard files (``shard-*.parquet``)."""
        return f"{SHARD_PREFIX}*.{SUFFIXES[self.fmt]}"

    @property
    def needs_text(self) -> bool:
        """Do records carry the extracted page text? (A WARC carries the stored response.)"""
        return self.fmt != "warc"

    def write(self, record: dict[str, Any], content: bytes = b"",
              sidecar: Mapping[str, Any] | None = None) -> None:
        """Write one record; a WARC shard also takes the item's stored ``content`` and its
        ``sidecar``."""
        if self._open and self.counts[-1] >= self.size:
            self._close_current()
        if not self._open:
            self._open_next()
        if self._jsonl is not None:
            self._jsonl.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif self._warc is not None:
            self._warc.write(record, content, sidecar or {})
        else:
            self._rows.append(record)
            if len(self._rows) >= _PARQUET_ROW_GROUP:
                self._flush_rows()
        self.counts[-1] += 1

    def _open_next(self) -> None:
        path = self.directory / f"{SHARD_PREFIX}{len(self.paths):05d}.{SUFFIXES[self.fmt]}"
        if self.fmt == "jsonl":
            self._jsonl = path.open("w", encoding="utf-8")
        elif self.fmt == "warc":
            self._warc = WarcShard(path, self._warcinfo)
        else:
            self._parquet = pq.ParquetWriter(path, SCHEMA, compression="zstd")
        self.paths.append(path)
        self.counts.append(0)
        self._open = True

    def _flush_rows(self) -> None:
        if self._rows and self._parquet is not None:
            self._parquet.write_table(pa.Table.from_pylist(self._rows, schema=SCHEMA))
        self._rows = []

    def _close_current(self) -> None:
        if self._jsonl is not None:
            self._jsonl.flush()
            os.fsync(self._jsonl.fileno())
            self._jsonl.close()
            self._jsonl = None
        if self._warc is not None:
            self._warc.finish()
            self._warc = None
        if self._parquet is not None:
            self._flush_rows()
            self._parquet.close()
            self._parquet = None
            fsync_path(self.paths[-1])
        self._open = False
        logger.info("export: shard %s complete (%d records)", self.paths[-1].name,
                    self.counts[-1])

    def close(self) -> None:
        if self._open:
            self._close_current()

    def abort(self) -> None:
        """Release open files without completing the shard (the directory is discarded)."""
        for closer in (self._jsonl, self._parquet, self._warc):
            if closer is not None:
                try:
                    closer.close()
                except Exception:  # the export already failed; the first error is the one
                    logger.debug("export: closing an aborted shard failed", exc_info=True)
        self._jsonl = self._parquet = self._warc = None
        self._open = False
