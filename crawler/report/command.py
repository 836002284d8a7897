"""``crawler report [--store STORE] [--run RUN_ID] [--out FILE]``: the HTML report of a
run, from the run's ledger and run report in the store (opened read-only).

This module only reads the store and writes the file; the figures and the page are made
by the pure :mod:`crawler.report.figures` and :mod:`crawler.report.html`. Every mistake
(no store, no such run, an unwritable ``--out``) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler import exit_status
from crawler.jsonl import iter_jsonl
from crawler.ledger import LEGACY_LEDGER
from crawler.ledger_reader import ledger_files, records
from crawler.report import figures, html
from crawler.run_report import report_path
from crawler.storage.base import MARKER, READ, Store, StoreError
from crawler.storage.registry import open_store, s3_options

#: a run id as crawls make them (12 hex digits), and nothing that could leave ``runs/``
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
#: sidecars read at once from a remote store, for the stored items' titles
TITLE_READERS = 8
TITLE_CHARS = 300


class ReportError(Exception):
    """A mistake the user can fix; its message is the one line printed."""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def add_parser(subparsers: Any) -> None:
    """Add ``report`` to the ``crawler`` command's subparsers."""
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report of a run",
        description="Write one HTML file (no external assets, readable offline) with a run's "
                    "decisions per site, drops, opt-outs, license mix, request rate and "
                    "every URL with the explain command for it.")
    parser.add_argument("--store", default=os.environ.get("COMPLIANCE_STORE") or "corpus",
                        help="corpus location: a path or s3://BUCKET/PREFIX (default: "
                             "$COMPLIANCE_STORE, else ./corpus)")
    parser.add_argument("--run", metavar="RUN_ID",
                        help="the run (default: the newest run report in the store)")
    parser.add_argument("--out", metavar="FILE",
                        help="where to write it (default: report-<run-id>.html here)")
    parser.add_argument("--max-urls", type=_positive, default=figures.URL_CAP, metavar="N",
                        help=f"URLs listed in the table (default {figures.URL_CAP:,})")


def _load(store: Store, path: str) -> dict[str, Any] | None:
    """A run report, or None when it is not in the store or not a JSON object."""
    try:
        report = json.loads(store.read(path))
    except (StoreError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def choose_run(store: Store, run_id: str | None) -> tuple[str, dict[str, Any] | None]:
    """The run to report on and its run report (None: the store has only its ledger)."""
    if run_id is not None:
        if not RUN_ID.match(run_id):
            raise ReportError(f"--run: {run_id!r} is not a run id")
        path = report_path(run_id)
        return run_id, _load(store, path) if path in store.list_files("runs") else None
    found = [(report, Path(path).stem) for path in store.list_files("runs")
             if path.endswith(".json") and (report := _load(store, path)) is not None]
    if not found:
        raise ReportError("the store has no run report: crawl into it first, or name a run "
                          "with --run")
    report, run_id = max(found, key=lambda r: (str(r[0].get("started") or ""),
                                               str(r[0].get("finished") or ""), r[1]))
    return run_id, report


def run_records(store: Store, run_id: str) -> Iterator[dict[str, Any]]:
    """The run's ledger lines: its own files or, in a store of before, the single
    ``ledger.jsonl`` (every run's lines: the figures keep only this run's)."""
    if ledger_files(store, run_id):
        yield from records(store, run_id)
        return
    legacy = store.local_path(LEGACY_LEDGER)
    if legacy is not None and legacy.is_file():
        yield from iter_jsonl(legacy)


def add_titles(store: Store, rows: list[figures.UrlRow]) -> None:
    """The title of each stored item in ``rows``, from its sidecar's attribution (left
    empty when the sidecar is gone: purged since, for instance)."""
    def title(row: figures.UrlRow) -> str:
        try:
            card = json.loads(store.read(row.sidecar))
        except (StoreError, ValueError, OSError):
            return ""
        attribution = card.get("attribution") if isinstance(card, dict) else None
        text = attribution.get("title") if isinstance(attribution, dict) else None
        return " ".join(str(text).split())[:TITLE_CHARS] if text else ""

    wanted = [row for row in rows if row.sidecar]
    workers = 1 if store.local_path(MARKER) is not None else TITLE_READERS
    with ThreadPoolExecutor(workers) as pool:
        for row, text in zip(wanted, pool.map(title, wanted), strict=True):
            row.title = text


def explain_store(uri: str) -> str:
    """The store as the report's explain commands name it: a local path made absolute,
    so a command works from any folder."""
    if "://" not in uri or uri.lower().startswith("file://"):
        return os.path.abspath(uri.removeprefix("file://"))
    return uri


def write(out: Path, page: str) -> None:
    """Write the page in one step: a reader never meets half a report."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make(store: Store, store_uri: str, run_id: str | None,
         max_urls: int = figures.URL_CAP) -> tuple[str, figures.Figures]:
    """The page and its figures for ``run_id`` (None: the newest run)."""
    run_id, report = choose_run(store, run_id)
    fig = figures.build(run_records(store, run_id), report, run_id, max_urls)
    if report is None and not fig.lines:
        raise ReportError(f"no run {run_id} in the store (no run report, no ledger)")
    add_titles(store, fig.urls)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    return html.render(fig, explain_store(store_uri), generated), fig


def run(args: argparse.Namespace) -> int:
    """``crawler report``; the exit status of :mod:`crawler.exit_status`."""
    try:
        store = open_store(args.store, mode=READ, **s3_options(os.environ.get))
    except StoreError as exc:
        print(f"crawler: {exc}", file=sys.stderr)
        return exit_status.CONFIG
    try:
        page, fig = make(store, args.store, args.run, args.max_urls)
    except (StoreError, ReportError, OSError) as exc:
        print(f"crawler: {exc}", file=sys.stderr)
        return exit_status.CONFIG
    finally:
        store.close()
    out = Path(args.out or f"report-{fig.run_id}.html")
    try:
        write(out, page)
    except OSError as exc:
        print(f"crawler: cannot write the report to {out}: {exc.strerror or exc}",
              file=sys.stderr)
        return exit_status.CONFIG
    print(f"report: {out} (run {fig.run_id}: {fig.lines:,} ledger lines, "
          f"{fig.url_total:,} URLs, {len(page.encode()):,} bytes)")
    return exit_status.OK


def main(argv: list[str] | None = None) -> int:
    """``crawler report …`` on its own, until the ``crawler`` command has it."""
    parser = argparse.ArgumentParser(prog="crawler")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
