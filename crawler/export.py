"""Export the store as a training-ready corpus: shards, a dataset card and attributions.

:func:`export_corpus` reads the manifest view of a :class:`~crawler.storage.base.Store`, keeps
the items that pass the filters, and writes::

    OUT/shard-00000.jsonl      (or .parquet)  one record per item, see RECORD_FIELDS
    OUT/attributions.jsonl     url + credit line (+ license, sidecar) per exported item
    OUT/README.md              dataset card, Hugging Face style (YAML front matter + prose)

What is exported
    * Only live versions (deleted versions are not in the manifest view); with
      ``current_only`` (the default) only the newest version of each URL.
    * The sidecar is authoritative: its ``url``/``sha256`` must match the manifest entry and the
      content bytes must hash to that ``sha256``, otherwise the item is skipped.
    * Pages carry ``text``, the main text extracted by trafilatura (never hand-written
      extraction); a page whose extraction is empty is skipped (``no_text``). ``text/plain``
      pages are exported as they are. Images carry ``content_path`` (relative to the *store*
      root, like ``sidecar``) and ``content_type`` instead of text; bytes are not copied.
    * Identical content stored under several URLs is exported once (``id`` is the content
      sha256, so it stays unique); later copies count as ``duplicate``.

Filters
    * ``licenses``: SPDX ids or fnmatch patterns, case-insensitive (``CC-BY-*`` matches every
      CC BY variant, NC and SA included: use ``CC-BY-4.0`` or ``CC-BY-SA-*`` to be narrow).
      Empty means every license.
    * ``purpose``: the use the export is for. An item is exported for purpose P only when

      1. it was *crawled* under a purpose that covers P (:data:`PURPOSE_COVERS`): a commercial
         crawl passed the stricter gates (ToS allows all AI training, license accepted for
         commercial use), so it also serves research; a research crawl never serves a
         commercial export, because the site's policy or ToS may allow research only;
      2. the ToS verdict recorded in the sidecar permits P (``prohibited`` never,
         ``research-only`` only for research), a second check on the same decision;
      3. its license permits P: for ``commercial`` the license must be a known SPDX id
         (:func:`crawler.signals.licenses.lookup_spdx`) without NC, and the sidecar's
         obligations must not list NC either.

      ``None`` applies no purpose filter; the card then states which purposes *every*
      exported item allows (``permitted_purposes``), which is how the export may be used.

Atomicity: everything is written into a hidden sibling directory (``.OUT.export-XXXX``),
fsynced, then renamed to ``OUT`` in one step, so ``OUT`` either holds a complete export or does
not exist. A process killed mid-export leaves only the hidden directory; an exception removes
it. An existing non-empty ``OUT`` is replaced only with ``overwrite=True`` and only when it holds
nothing but export files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
import trafilatura
import yaml

from crawler.durable import fsync_path
from crawler.jsonl import utcnow
from crawler.policy.model import PURPOSES
from crawler.signals.licenses import BY, NC, ND, SA, lookup_spdx
from crawler.storage.base import Store, StoreError

__all__ = [
    "FORMATS",
    "KINDS",
    "PURPOSE_COVERS",
    "RECORD_FIELDS",
    "SCHEMA",
    "ExportError",
    "ExportReport",
    "export_corpus",
    "extract_text",
]

logger = logging.getLogger(__name__)

Format = Literal["jsonl", "parquet"]
FORMATS: tuple[str, ...] = ("jsonl", "parquet")
KINDS: tuple[str, ...] = ("page", "image")

#: export purpose -> crawl purposes whose items may serve it
PURPOSE_COVERS: dict[str, frozenset[str]] = {
    "research": frozenset({"research", "commercial"}),
    "commercial": frozenset({"commercial"}),
}

CARD = "README.md"
ATTRIBUTIONS = "attributions.jsonl"
_SHARD_PREFIX = "shard-"
_TMP_MARK = ".export-"
_PARQUET_ROW_GROUP = 1000

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

_OBLIGATION_TEXT = {
    BY: "Attribution required: keep the credit line (see attributions.jsonl).",
    SA: "Share-alike: adaptations must be shared under the same or a compatible license.",
    NC: "Non-commercial: no commercial use.",
    ND: "No derivatives: adapted material may not be shared.",
}

# SPDX id -> Hugging Face Hub license id, where the Hub has one; anything else is "other".
_HF_LICENSES = {
    "CC0-1.0": "cc0-1.0", "CC-BY-2.0": "cc-by-2.0", "CC-BY-2.5": "cc-by-2.5",
    "CC-BY-3.0": "cc-by-3.0", "CC-BY-4.0": "cc-by-4.0", "CC-BY-SA-3.0": "cc-by-sa-3.0",
    "CC-BY-SA-4.0": "cc-by-sa-4.0", "CC-BY-NC-2.0": "cc-by-nc-2.0",
    "CC-BY-NC-3.0": "cc-by-nc-3.0", "CC-BY-NC-4.0": "cc-by-nc-4.0",
    "CC-BY-ND-4.0": "cc-by-nd-4.0", "CC-BY-NC-ND-3.0": "cc-by-nc-nd-3.0",
    "CC-BY-NC-ND-4.0": "cc-by-nc-nd-4.0", "CC-BY-NC-SA-2.0": "cc-by-nc-sa-2.0",
    "CC-BY-NC-SA-3.0": "cc-by-nc-sa-3.0", "CC-BY-NC-SA-4.0": "cc-by-nc-sa-4.0",
    "MIT": "mit", "Apache-2.0": "apache-2.0", "BSD-2-Clause": "bsd-2-clause",
    "BSD-3-Clause": "bsd-3-clause", "GPL-2.0-only": "gpl-2.0", "GPL-2.0-or-later": "gpl-2.0",
    "GPL-3.0-only": "gpl-3.0", "GPL-3.0-or-later": "gpl-3.0", "LGPL-3.0-only": "lgpl-3.0",
    "LGPL-3.0-or-later": "lgpl-3.0", "AGPL-3.0-only": "agpl-3.0",
    "AGPL-3.0-or-later": "agpl-3.0", "ODbL-1.0": "odbl", "ODC-By-1.0": "odc-by",
    "PDDL-1.0": "pddl",
}


class ExportError(Exception):
    """The export could not be written (bad destination, I/O failure)."""


@dataclass
class ExportReport:
    """What one export did.

    ``skipped`` reasons: ``kind_not_selected``, ``not_current``, ``sidecar_unreadable``,
    ``sidecar_mismatch`` (sidecar url/sha256 differ from the manifest), ``license_missing``,
    ``license_not_selected``, ``purpose_not_covered`` (crawled for a narrower purpose),
    ``tos_forbids_purpose``, ``license_unknown`` / ``license_forbids_purpose`` (commercial
    export), ``duplicate`` (same content already exported), ``content_unreadable``,
    ``content_hash_mismatch``, ``extraction_error``, ``no_text``.
    """

    out: Path
    fmt: str
    exported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count
    shards: list[Path] = field(default_factory=list)  # final paths, in order
    licenses: Counter[str] = field(default_factory=Counter)  # SPDX id -> exported count
    kinds: Counter[str] = field(default_factory=Counter)  # page/image -> exported count
    permitted_purposes: list[str] = field(default_factory=list)  # uses every item allows
    card: Path | None = None
    attributions: Path | None = None

    def lines(self) -> list[str]:
        """Human-readable summary, one line per fact (for the CLI)."""
        out = [f"export {self.out}: {self.exported} item(s) in {len(self.shards)} "
               f"{self.fmt} shard(s), {sum(self.skipped.values())} skipped"]
        out += [f"  skipped   {reason:<28} {n}" for reason, n in self.skipped.most_common()]
        out += [f"  license   {spdx:<28} {n}" for spdx, n in self.licenses.most_common()]
        out.append(f"  usable for: {', '.join(self.permitted_purposes) or 'nothing'}")
        return out


# ---------------------------------------------------------------------------------------------
# Text extraction
# ---------------------------------------------------------------------------------------------


def extract_text(content: bytes, url: str, content_type: str = "text/html") -> str | None:
    """Main text of a stored page: trafilatura for HTML, the decoded body for ``text/plain``.

    None when there is no text (an empty page, a page of navigation only)."""
    if content_type.split(";")[0].strip().lower() == "text/plain":
        text: str | None = content.decode("utf-8", errors="replace")
    else:
        text = trafilatura.extract(content, url=url, include_comments=False,
                                   favor_precision=True, include_tables=True,
                                   include_images=False, include_links=False,
                                   with_metadata=False, deduplicate=False, output_format="txt")
    text = (text or "").strip()
    return text or None


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


def _license_selected(spdx: str, patterns: list[str]) -> bool:
    return not patterns or any(fnmatchcase(spdx.upper(), p) for p in patterns)


def _tos_permits(verdict: str | None, purpose: str) -> bool:
    """Mirror of :meth:`crawler.policy.model.ToSReview.permits` for the recorded AI verdict."""
    if verdict == "allowed":
        return True
    return verdict == "research-only" and purpose == "research"


def _purpose_problem(card: Mapping[str, Any], spdx: str, obligations: list[str],
                     purpose: str) -> str | None:
    """Why an item may not serve ``purpose`` (a skip reason), or None when it may."""
    crawled = card.get("purpose")
    if crawled not in PURPOSE_COVERS.get(purpose, frozenset({purpose})):
        return "purpose_not_covered"
    if not _tos_permits((card.get("policy") or {}).get("tos_ai_training"), purpose):
        return "tos_forbids_purpose"
    if purpose != "research":
        lic = lookup_spdx(spdx)
        if lic is None:
            return "license_unknown"
        if not lic.allows_commercial or NC in obligations:
            return "license_forbids_purpose"
    return None


# ---------------------------------------------------------------------------------------------
# Shard writers
# ---------------------------------------------------------------------------------------------



class _Shards:
    """Writes records into numbered shards of at most ``size`` records, opened lazily so the
    last shard is never empty."""

    def __init__(self, directory: Path, fmt: str, size: int):
        self.directory = directory
        self.fmt = fmt
        self.size = size
        self.paths: list[Path] = []
        self.counts: list[int] = []
        self._jsonl: IO[str] | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._rows: list[dict[str, Any]] = []
        self._open = False

    def write(self, record: dict[str, Any]) -> None:
        if self._open and self.counts[-1] >= self.size:
            self._close_current()
        if not self._open:
            self._open_next()
        if self._jsonl is not None:
            self._jsonl.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self._rows.append(record)
            if len(self._rows) >= _PARQUET_ROW_GROUP:
                self._flush_rows()
        self.counts[-1] += 1

    def _open_next(self) -> None:
        path = self.directory / f"{_SHARD_PREFIX}{len(self.paths):05d}.{self.fmt}"
        if self.fmt == "jsonl":
            self._jsonl = path.open("w", encoding="utf-8")
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
        for closer in (self._jsonl, self._parquet):
            if closer is not None:
                try:
                    closer.close()
                except Exception:  # the export already failed; the first error is the one
                    logger.debug("export: closing an aborted shard failed", exc_info=True)
        self._jsonl = self._parquet = None
        self._open = False


# ---------------------------------------------------------------------------------------------
# Destination handling
# ---------------------------------------------------------------------------------------------


def _is_export_file(path: Path) -> bool:
    return path.is_file() and (path.name in (CARD, ATTRIBUTIONS) or (
        path.name.startswith(_SHARD_PREFIX) and path.suffix in (".jsonl", ".parquet")))


def _check_destination(out: Path, overwrite: bool) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise ExportError(f"{out} exists and is not a directory")
    contents = list(out.iterdir())
    if not contents:
        return
    if not overwrite:
        raise ExportError(f"{out} is not empty (use overwrite to replace a previous export)")
    strangers = [p.name for p in contents if not _is_export_file(p)]
    if strangers:
        raise ExportError(f"refusing to replace {out}: it holds files that are not part of an "
                          f"export ({', '.join(sorted(strangers)[:5])})")


def _publish(tmp: Path, out: Path, overwrite: bool) -> None:
    """Rename the finished export into place (replacing a previous export if allowed)."""
    _check_destination(out, overwrite)
    old: Path | None = None
    if out.exists():
        if any(out.iterdir()):
            old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:12]}")
            out.rename(old)
        else:
            out.rmdir()
    try:
        tmp.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)  # put the previous export back
        raise
    fsync_path(out.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The export
# ---------------------------------------------------------------------------------------------


@dataclass
class _Stats:
    """What the dataset card needs, gathered while exporting."""

    license_names: dict[str, str] = field(default_factory=dict)
    license_urls: dict[str, str] = field(default_factory=dict)
    license_obligations: dict[str, list[str]] = field(default_factory=dict)
    sites: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    crawl_purposes: Counter[str] = field(default_factory=Counter)
    not_for: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def _validate(fmt: str, kinds: Iterable[str], purpose: str | None, shard_size: int,
              progress_every: int) -> tuple[str, ...]:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    kinds = tuple(kinds)
    if not kinds or not set(kinds) <= set(KINDS):
        raise ValueError(f"kinds must be a non-empty subset of {KINDS}, not {kinds!r}")
    if purpose is not None and purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)} or None, "
                         f"not {purpose!r}")
    if shard_size < 1 or progress_every < 1:
        raise ValueError("shard_size and progress_every must be positive")
    return kinds


def _read_sidecar(store: Store, entry: Mapping[str, Any]) -> dict[str, Any] | None:
    try:
        card = json.loads(store.read(entry["sidecar"]))
    except (StoreError, KeyError, ValueError):
        return None
    return card if isinstance(card, dict) else None


def export_corpus(store: Store, out: str | Path, fmt: Format = "jsonl", *,
                  licenses: Iterable[str] = (), purpose: str | None = None,
                  kinds: Iterable[str] = ("page",), shard_size: int = 10_000,
                  current_only: bool = True, overwrite: bool = False,
                  progress_every: int = 1000) -> ExportReport:
    """Export the store's permitted items to ``out`` as training-ready shards.

    Args:
        store: the corpus store (its manifest view and files are read, nothing is changed).
        out: destination directory; must not exist or be empty unless ``overwrite``.
        fmt: ``"jsonl"`` or ``"parquet"`` (Parquet with the explicit :data:`SCHEMA`).
        licenses: SPDX ids or fnmatch patterns (``CC-BY-*``), case-insensitive; empty = all.
        purpose: ``"research"``, ``"commercial"`` or None (no purpose filter); see the module
            docstring for what an item needs to be exported for a purpose.
        kinds: item kinds to export, a subset of ``("page", "image")``.
        shard_size: maximum records per shard.
        current_only: export only the newest live version of each URL.
        overwrite: replace an existing export at ``out`` (never a directory holding other files).
        progress_every: log progress every this many manifest entries.

    Returns:
        An :class:`ExportReport` (counts exported and skipped by reason, shards written).

    Raises:
        ValueError: an invalid argument.
        ExportError: ``out`` cannot be used or written.
    """
    out = Path(out).absolute()
    kinds = _validate(fmt, kinds, purpose, shard_size, progress_every)
    patterns = [p.strip().upper() for p in licenses if p.strip()]
    for pattern in patterns:
        if not any(ch in pattern for ch in "*?[") and lookup_spdx(pattern) is None:
            logger.warning("export: license filter %r is not a known SPDX id", pattern)
    _check_destination(out, overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}{_TMP_MARK}{uuid.uuid4().hex[:12]}")
        tmp.mkdir()
    except OSError as exc:
        raise ExportError(f"cannot create the export directory next to {out}: {exc}") from exc

    report = ExportReport(out=out, fmt=fmt)
    shards = _Shards(tmp, fmt, shard_size)
    try:
        with (tmp / ATTRIBUTIONS).open("w", encoding="utf-8") as attributions:
            stats = _export_items(store, report, shards, attributions, kinds=kinds,
                                  patterns=patterns, purpose=purpose,
                                  current_only=current_only, progress_every=progress_every)
            shards.close()
            attributions.flush()
            os.fsync(attributions.fileno())
        report.permitted_purposes = [
            p for p in PURPOSES if report.exported and not stats.not_for[p]]
        card = _render_card(report, stats, shards, store_root=str(store.root), purpose=purpose,
                            patterns=patterns, kinds=kinds, current_only=current_only)
        (tmp / CARD).write_text(card, encoding="utf-8")
        fsync_path(tmp / CARD)
        fsync_path(tmp)
        _publish(tmp, out, overwrite)
    except BaseException as exc:
        shards.abort()
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ExportError(f"export to {out} failed: {exc}") from exc
        raise
    report.shards = [out / p.name for p in shards.paths]
    report.card = out / CARD
    report.attributions = out / ATTRIBUTIONS
    logger.info("export: %d item(s) in %d shard(s) at %s; skipped %s", report.exported,
                len(report.shards), out, dict(report.skipped) or "none")
    return report


def _export_items(store: Store, report: ExportReport, shards: _Shards,
                  attributions: IO[str], *, kinds: tuple[str, ...], patterns: list[str],
                  purpose: str | None, current_only: bool, progress_every: int) -> _Stats:
    stats = _Stats()
    seen: set[str] = set()
    entries = store.entries()
    total = len(entries)
    for n, entry in enumerate(entries, 1):
        reason = _export_one(store, entry, report, shards, attributions, stats, seen,
                             kinds=kinds, patterns=patterns, purpose=purpose,
                             current_only=current_only)
        if reason is not None:
            report.skipped[reason] += 1
            logger.debug("export: skip %s (%s)", entry.get("url"), reason)
        if n % progress_every == 0 or n == total:
            logger.info("export: %d/%d entries read, %d exported, %d skipped", n, total,
                        report.exported, sum(report.skipped.values()))
    return stats


def _export_one(store: Store, entry: Mapping[str, Any], report: ExportReport, shards: _Shards,
                attributions: IO[str], stats: _Stats, seen: set[str], *,
                kinds: tuple[str, ...], patterns: list[str], purpose: str | None,
                current_only: bool) -> str | None:
    """Export one manifest entry; return the skip reason, or None when it was exported."""
    kind = entry.get("kind", "page")
    if kind not in kinds:
        return "kind_not_selected"
    if current_only and not entry.get("current", False):
        return "not_current"
    card = _read_sidecar(store, entry)
    if card is None:
        return "sidecar_unreadable"
    if card.get("url") != entry["url"] or card.get("sha256") != entry["sha256"]:
        return "sidecar_mismatch"
    lic = card.get("license") or {}
    spdx = lic.get("spdx") or ""
    if not spdx:
        return "license_missing"
    if not _license_selected(spdx, patterns):
        return "license_not_selected"
    obligations = sorted(lic.get("obligations") or [])
    if purpose is not None:
        problem = _purpose_problem(card, spdx, obligations, purpose)
        if problem is not None:
            return problem
    if entry["sha256"] in seen:
        return "duplicate"
    try:
        content = store.read(entry["content"])
    except StoreError:
        return "content_unreadable"
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        return "content_hash_mismatch"
    content_type = card.get("content_type") or ""
    text: str | None = None
    if kind == "page":
        try:
            text = extract_text(content, entry["url"], content_type or "text/html")
        except Exception:  # one malformed page must not end a corpus-wide export
            logger.warning("export: text extraction failed for %s", entry["url"], exc_info=True)
            return "extraction_error"
        if text is None:
            return "no_text"

    credit = card.get("attribution") or {}
    policy = card.get("policy") or {}
    record = {
        "id": entry["sha256"],
        "url": entry["url"],
        "kind": kind,
        "text": text,
        "content_path": entry["content"] if kind != "page" else None,
        "content_type": content_type or None,
        "title": credit.get("title") or None,
        "license": spdx,
        "license_url": lic.get("url") or credit.get("license_url"),
        "attribution": credit.get("text"),
        "obligations": obligations,
        "sidecar": entry["sidecar"],
        "host": entry.get("host"),
        "policy": policy.get("name") or entry.get("policy"),
        "purpose": card.get("purpose"),
        "fetched_at": card.get("fetched_at"),
    }
    shards.write(record)
    attributions.write(json.dumps({
        "id": record["id"], "url": record["url"], "attribution": record["attribution"],
        "license": spdx, "license_url": record["license_url"],
        "attribution_required": BY in obligations, "sidecar": record["sidecar"],
    }, ensure_ascii=False) + "\n")

    seen.add(entry["sha256"])
    report.exported += 1
    report.licenses[spdx] += 1
    report.kinds[kind] += 1
    stats.license_names.setdefault(spdx, lic.get("name") or spdx)
    stats.license_urls.setdefault(spdx, record["license_url"] or "")
    stats.license_obligations.setdefault(spdx, obligations)
    stats.sites[(entry.get("host") or "", record["policy"] or "",
                 str(policy.get("version") or ""), str(policy.get("tos_ai_training") or ""))] += 1
    stats.crawl_purposes[str(card.get("purpose"))] += 1
    for p in PURPOSES:
        problem = _purpose_problem(card, spdx, obligations, p)
        if problem is not None:
            stats.not_for[p][problem] += 1
    return None


# ---------------------------------------------------------------------------------------------
# Dataset card
# ---------------------------------------------------------------------------------------------


def _size_category(n: int) -> str:
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
              (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")]
    for bound, label in bounds:
        if n < bound:
            return label
    return "n>10M"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _render_card(report: ExportReport, stats: _Stats, shards: _Shards, *, store_root: str,
                 purpose: str | None, patterns: list[str], kinds: tuple[str, ...],
                 current_only: bool) -> str:
    created = utcnow()
    spdx_ids = sorted(report.licenses)
    hf_ids = sorted({_HF_LICENSES.get(s, "other") for s in spdx_ids}) or ["other"]
    front: dict[str, Any] = {
        "license": hf_ids,
        "spdx_licenses": spdx_ids,
        "pretty_name": f"Compliance crawler export ({report.out.name})",
        "size_categories": [_size_category(report.exported)],
        "tags": ["compliance-crawler", "license-filtered"],
        "configs": [{"config_name": "default",
                     "data_files": [{"split": "train",
                                     "path": f"{_SHARD_PREFIX}*.{report.fmt}"}]}],
        "export": {
            "created_at": created, "purpose": purpose,
            "permitted_purposes": report.permitted_purposes,
            "license_filter": patterns, "kinds": list(kinds), "current_only": current_only,
            "items": report.exported, "license_counts": dict(sorted(report.licenses.items())),
            "skipped": dict(sorted(report.skipped.items())), "store": store_root,
        },
    }
    lines = ["---", yaml.safe_dump(front, sort_keys=False, allow_unicode=True).rstrip(), "---",
             "", f"# {front['pretty_name']}", ""]
    lines += [
        f"Created {created} from the store `{store_root}` by `crawler.export`. Every item was "
        "admitted by the crawler's gates (site policy, robots.txt, opt-outs, license) and "
        "carries a license sidecar in the store recording why.", "",
        "## Use", "",
        f"- Export purpose: **{purpose or 'not filtered'}**.",
        f"- Permitted uses of this export as a whole: "
        f"**{', '.join(report.permitted_purposes) or 'none'}** (a use is permitted only when "
        "every item's crawl purpose, the site's ToS verdict and the item's license allow it).",
    ]
    for p in PURPOSES:
        if stats.not_for[p]:
            why = ", ".join(f"{r}: {n}" for r, n in sorted(stats.not_for[p].items()))
            lines.append(f"- Not for {p} use: {sum(stats.not_for[p].values())} item(s) ({why}).")
    crawled = ", ".join(f"{p} ({n})" for p, n in sorted(stats.crawl_purposes.items()))
    lines += [f"- Items were crawled for: {crawled or 'n/a'}.",
              f"- Kinds: {', '.join(kinds)}; "
              f"{'newest version of each URL only' if current_only else 'all live versions'}; "
              f"license filter: {', '.join(patterns) or 'none'}.", ""]

    lines += ["## License mix", "", "| SPDX id | License | Items | Obligations |",
              "|---|---|---:|---|"]
    for spdx, n in sorted(report.licenses.items(), key=lambda kv: (-kv[1], kv[0])):
        name = stats.license_names.get(spdx, spdx)
        url = stats.license_urls.get(spdx)
        label = f"[{_cell(name)}]({url})" if url else _cell(name)
        lines.append(f"| {spdx} | {label} | {n} | "
                     f"{', '.join(stats.license_obligations.get(spdx, [])) or 'none'} |")
    lines += ["", "## Obligations", ""]
    any_obligation = False
    for token, text in _OBLIGATION_TEXT.items():
        ids = [s for s in spdx_ids if token in stats.license_obligations.get(s, [])]
        if ids:
            any_obligation = True
            count = sum(report.licenses[s] for s in ids)
            lines.append(f"- **{token}** ({count} item(s): {', '.join(ids)}): {text}")
    if not any_obligation:
        lines.append("- None of the exported licenses carries BY, SA, NC or ND obligations.")

    lines += ["", "## Sites and policies", "",
              "| Host | Policy | Policy version | ToS AI-training verdict | Items |",
              "|---|---|---|---|---:|"]
    for (host, policy, version, verdict), n in sorted(stats.sites.items()):
        lines.append(f"| {_cell(host)} | {_cell(policy)} | {_cell(version)} | "
                     f"{_cell(verdict)} | {n} |")

    lines += ["", "## How to attribute", "",
              f"`{ATTRIBUTIONS}` (beside the shards) has one line per item: `id`, `url`, "
              "`attribution` (a ready-made TASL credit line: title, author, source, license), "
              "`license`, `license_url`, `attribution_required` and `sidecar`. Every record "
              "also carries its `attribution` and `sidecar`; the sidecar (a path relative to "
              "the store root) holds the full license evidence and the policy decisions. "
              "Keep the credit line with any redistribution of an item or of material adapted "
              "from it, and keep share-alike material under its license.", ""]

    lines += ["## Files", "", "| File | Records |", "|---|---:|"]
    for path, count in zip(shards.paths, shards.counts, strict=True):
        lines.append(f"| {path.name} | {count} |")
    lines.append(f"| {ATTRIBUTIONS} | {report.exported} |")
    lines += ["", f"Record fields: {', '.join(f'`{f}`' for f in RECORD_FIELDS)}. Pages carry "
              "`text` (main text extracted by trafilatura); images carry `content_path` "
              "(relative to the store root) and `content_type` instead of text.", ""]
    if report.skipped:
        lines += ["## Skipped", "", "| Reason | Items |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in report.skipped.most_common()]
        lines.append("")
    return "\n".join(lines)
