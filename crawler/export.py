"""Export the store as a training-ready corpus: shards, a dataset card and attributions.

:func:`export_corpus` reads the manifest view of a :class:`~crawler.storage.base.Store`, keeps
the items that pass the filters, and writes::

    OUT/shard-00000.jsonl      (or .parquet)  one record per item, see RECORD_FIELDS
                               (or .warc.gz: each item's stored response and a metadata
                               record of its license and provenance, :mod:`crawler.dataset.warc`)
    OUT/attributions.jsonl     url + credit line (+ license, sidecar) per exported item
    OUT/ledger.jsonl           every ledger line, of every run, about an exported item's URL:
                               why each item was allowed in (``crawler explain --ledger``)
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
    * A WARC export carries the stored bytes of pages and images, not extracted text: no page
      is skipped for want of text (``no_text``), and none is run through trafilatura.

Filters
    * ``licenses``: license patterns, as in policy accept lists
      (:mod:`crawler.signals.license_patterns`): exact SPDX ids, case-insensitive, or a family
      ``<LICENSE>-*``, one license unit with all its versions and ports (``CC-BY-*`` is
      CC-BY-2.0, CC-BY-3.0-DE, CC-BY-4.0, ..., never CC-BY-SA, -NC or -ND). An unknown id or
      family is a ``ValueError``. Empty means every license.
    * ``purpose``: the use the export is for. An item is exported for purpose P only when

      1. it was *crawled* under a purpose that covers P (:data:`crawler.purposes.COVERS`):
         a commercial crawl passed the stricter gates (ToS allows all AI training, license
         accepted for commercial use), so it also serves research; a research crawl never
         serves a commercial export, because the site's policy or ToS may allow research
         only;
      2. the ToS verdict recorded in the sidecar permits P (``prohibited`` never,
         ``research-only`` only for research), a second check on the same decision;
      3. its license permits P: for ``commercial`` the license must be a known SPDX id or
         a family taken as a license (:func:`crawler.signals.unversioned.lookup`) without
         NC, and the sidecar's obligations must not list NC either.

      ``None`` applies no purpose filter; the card then states which purposes *every*
      exported item allows (``permitted_purposes``), which is how the export may be used.

Atomicity: everything is written into a hidden sibling directory (``.OUT.export-XXXX``),
fsynced, then renamed to ``OUT`` in one step, so ``OUT`` either holds a complete export or does
not exist. A process killed mid-export leaves only the hidden directory; an exception removes
it. An existing non-empty ``OUT`` is replaced only with ``overwrite=True`` and only when it holds
nothing but export files.

The parts live in :mod:`crawler.dataset`: what may be exported (``selection``), page text
(``text``), records and shards (``shards``), the report and the dataset card (``report``,
``card``); this module reads the store, applies them item by item and publishes the result.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any, Literal

from crawler.dataset.card import CARD, render_card
from crawler.dataset.report import CardStats, ExportReport
from crawler.dataset.selection import license_filter, license_selected, purpose_problem
from crawler.dataset.shards import ATTRIBUTIONS, RECORD_FIELDS, SCHEMA, Shards, is_shard_name
from crawler.dataset.text import extract_text
from crawler.durable import fsync_path
from crawler.ledger_reader import records
from crawler.purposes import PURPOSES
from crawler.signals.license_patterns import LicenseSelector
from crawler.signals.licenses import BY
from crawler.storage.base import Store, StoreError

#: the export's own ledger: the lines that explain its items
LEDGER = "ledger.jsonl"

__all__ = [
    "FORMATS",
    "KINDS",
    "RECORD_FIELDS",
    "SCHEMA",
    "ExportError",
    "ExportReport",
    "export_corpus",
    "extract_text",
]

logger = logging.getLogger(__name__)

Format = Literal["jsonl", "parquet", "warc"]
FORMATS: tuple[str, ...] = ("jsonl", "parquet", "warc")
KINDS: tuple[str, ...] = ("page", "image")

_TMP_MARK = ".export-"


class ExportError(Exception):
    """The export could not be written (bad destination, I/O failure)."""


# ---------------------------------------------------------------------------------------------
# Destination handling
# ---------------------------------------------------------------------------------------------


def _is_export_file(path: Path) -> bool:
    return path.is_file() and (path.name in (CARD, ATTRIBUTIONS, LEDGER)
                               or is_shard_name(path.name))


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
        fmt: ``"jsonl"``, ``"parquet"`` (Parquet with the explicit :data:`SCHEMA`) or
            ``"warc"`` (gzip-compressed WARC/1.1, see :mod:`crawler.dataset.warc`).
        licenses: SPDX ids or license families (``CC-BY-*``), case-insensitive; empty = all.
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
        ValueError: an invalid argument (an unknown license id or family included).
        ExportError: ``out`` cannot be used or written.
    """
    out = Path(out).absolute()
    kinds = _validate(fmt, kinds, purpose, shard_size, progress_every)
    selector = license_filter(licenses)
    _check_destination(out, overwrite)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}{_TMP_MARK}{uuid.uuid4().hex[:12]}")
        tmp.mkdir()
    except OSError as exc:
        raise ExportError(f"cannot create the export directory next to {out}: {exc}") from exc

    report = ExportReport(out=out, fmt=fmt)
    shards = Shards(tmp, fmt, shard_size, warcinfo=_warcinfo(
        out, store, purpose=purpose, patterns=list(selector.texts), kinds=kinds,
        current_only=current_only))
    try:
        with (tmp / ATTRIBUTIONS).open("w", encoding="utf-8") as attributions:
            stats = _export_items(store, report, shards, attributions, kinds=kinds,
                                  selector=selector, purpose=purpose,
                                  current_only=current_only, progress_every=progress_every)
            shards.close()
            attributions.flush()
            os.fsync(attributions.fileno())
        _export_ledger(store, tmp / ATTRIBUTIONS, tmp / LEDGER)
        report.permitted_purposes = [
            p for p in PURPOSES if report.exported and not stats.not_for[p]]
        card = render_card(report, stats, shards, store_root=str(store.root), purpose=purpose,
                           patterns=list(selector.texts), kinds=kinds,
                           current_only=current_only)
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


def _warcinfo(out: Path, store: Store, *, purpose: str | None, patterns: list[str],
              kinds: tuple[str, ...], current_only: bool) -> dict[str, str]:
    """What a WARC shard's warcinfo record says about the export it is part of."""
    return {"isPartOf": out.name, "export-store": str(store.root),
            "export-purpose": purpose or "not filtered",
            "export-license-filter": ", ".join(patterns) or "none",
            "export-kinds": ", ".join(kinds),
            "export-versions": "current only" if current_only else "all live versions"}


def _export_ledger(store: Store, attributions: Path, out: Path) -> None:
    """The store's ledger lines (all runs, read as one) about the exported URLs."""
    with attributions.open("rb") as fh:
        urls = {json.loads(line)["url"] for line in fh}
    with out.open("w", encoding="utf-8") as ledger:
        for record in records(store):
            if record.get("url") in urls:
                ledger.write(json.dumps(record, ensure_ascii=False) + "\n")
        ledger.flush()
        os.fsync(ledger.fileno())


def _export_items(store: Store, report: ExportReport, shards: Shards,
                  attributions: IO[str], *, kinds: tuple[str, ...], selector: LicenseSelector,
                  purpose: str | None, current_only: bool, progress_every: int) -> CardStats:
    stats = CardStats()
    seen: set[str] = set()
    entries = store.entries()
    total = len(entries)
    for n, entry in enumerate(entries, 1):
        reason = _export_one(store, entry, report, shards, attributions, stats, seen,
                             kinds=kinds, selector=selector, purpose=purpose,
                             current_only=current_only)
        if reason is not None:
            report.skipped[reason] += 1
            logger.debug("export: skip %s (%s)", entry.get("url"), reason)
        if n % progress_every == 0 or n == total:
            logger.info("export: %d/%d entries read, %d exported, %d skipped", n, total,
                        report.exported, sum(report.skipped.values()))
    return stats


def _export_one(store: Store, entry: Mapping[str, Any], report: ExportReport, shards: Shards,
                attributions: IO[str], stats: CardStats, seen: set[str], *,
                kinds: tuple[str, ...], selector: LicenseSelector, purpose: str | None,
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
    if not license_selected(spdx, selector):
        return "license_not_selected"
    obligations = sorted(lic.get("obligations") or [])
    if purpose is not None:
        problem = purpose_problem(card, spdx, obligations, purpose)
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
    if kind == "page" and shards.needs_text:
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
    shards.write(record, content, card)
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
        problem = purpose_problem(card, spdx, obligations, p)
        if problem is not None:
            stats.not_for[p][problem] += 1
    return None
