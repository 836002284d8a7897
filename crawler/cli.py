"""``crawler`` command line: crawl, demo, policy, report, explain, export, purge."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta

from crawler import exit_status
from crawler.fleet.connect import FleetUnavailable
from crawler.policy import command as policy_command
from crawler.purposes import PURPOSES
from crawler.report import command as report_command
from crawler.run import USER_ERRORS, run_crawl
from crawler.schedule import due, parse_period
from crawler.storage.base import READ, WRITE, Store, StoreError
from crawler.storage.registry import open_store, s3_options
from crawler.summary import RunSummary

EXIT_OK, EXIT_STORE_FAILURES, EXIT_CONFIG = exit_status.OK, exit_status.STORE_FAILURES, \
    exit_status.CONFIG


def _parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _period(text: str) -> timedelta | None:
    """``--ledger-keep``: a period, or ``forever`` (None: no ledger is removed)."""
    if text == "forever":
        return None
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_export(args: argparse.Namespace) -> int:
    from crawler.dataset.selection import license_filter
    from crawler.export import ExportError, export_corpus
    from crawler.signals.license_patterns import LicensePatternError

    try:  # before the store is opened: a typo in a filter is a usage error, whatever the store
        license_filter(args.license)
    except LicensePatternError as exc:
        print(f"crawler: --license: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    store = open_store(args.store, mode=READ, **s3_options(os.environ.get))
    try:
        report = export_corpus(store, args.out, args.format, licenses=args.license,
                               purpose=args.purpose, kinds=args.kind or ("page",),
                               shard_size=args.shard_size, current_only=not args.all_versions,
                               overwrite=args.overwrite)
    except (ValueError, ExportError) as exc:
        print(f"crawler: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    finally:
        store.close()
    print("\n".join(report.lines()))
    return EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    import json

    from crawler import explain, ledger_reader
    from crawler.jsonl import read_jsonl

    if args.ledger:
        if not os.path.isfile(args.ledger):
            print(f"crawler: no ledger file {args.ledger}", file=sys.stderr)
            return EXIT_CONFIG
        records = [r for r in read_jsonl(args.ledger) if r["url"] == args.url]
        where, entry, card = args.ledger, None, None
    else:
        store = open_store(args.store, mode=READ, **s3_options(os.environ.get))
        try:
            records, reads = ledger_reader.find(store, args.url, args.run)
            entry = next((e for e in store.entries()
                          if e["url"] == args.url and e["current"]), None)
            card = json.loads(store.read(entry["sidecar"])) if entry else None
        finally:
            store.close()
        where = f"the ledger of {args.store}"
        print(f"read {reads.bytes_read} bytes of ledger: {reads.indexed} file(s) through "
              f"their index, {reads.scanned} read whole (runs not finished), "
              f"{len(reads.runs)} run(s)", file=sys.stderr)
    if not records and entry is None:
        print(f"{args.url}: not in {where}")
        return EXIT_CONFIG
    for record in records:
        print(explain.line(record))
    print(f"verdict: {explain.verdict(records, entry, card)}")
    return EXIT_OK


def run_purge(args: argparse.Namespace) -> int:
    if args.expired and not args.policies:
        print("crawler: purge --expired needs --policies", file=sys.stderr)
        return EXIT_CONFIG
    store = open_store(args.store, mode=READ if args.dry_run else WRITE,
                       **s3_options(os.environ.get))
    try:
        return _purge(args, store)
    finally:
        store.close()


def _purge(args: argparse.Namespace, store: Store) -> int:
    from crawler import retention, suppression
    from crawler.ledger import Ledger
    from crawler.policy.registry import PolicyRegistry
    from crawler.purge import PURGE, QUARANTINE, Purger

    entries = store.entries()
    if args.expired:
        registry = PolicyRegistry.from_directory(args.policies,
                                                 allow_private=args.allow_private_networks)
        uncovered = retention.uncovered_hosts(entries, registry)
        if uncovered:
            hosts = ", ".join(f"{host} ({n})" for host, n in sorted(uncovered.items()))
            print(f"crawler: no policy in {args.policies} covers stored host(s) {hosts}: "
                  "restore the policy file, or keep it with 'retired: true' to remove the "
                  "site; nothing was removed", file=sys.stderr)
            return EXIT_CONFIG
        selected = retention.expired(entries, registry, datetime.now(UTC))
        reason = "retention_expired"
    elif args.site:
        selected = [(e, f"deletion requested for site {args.site}: {args.reason}")
                    for e in retention.for_site(entries, args.site)]
        reason = "deletion_requested"
    else:
        selected = [(e, f"deletion requested for this URL: {args.reason}")
                    for e in retention.for_url(entries, args.url)]
        reason = "deletion_requested"
    for entry, why in selected:
        print(f"{'would remove' if args.dry_run else 'remove'}  {entry['url']}  ({why})")
    if args.dry_run:
        print(f"{len(selected)} item(s) selected")
        if args.expired and args.ledger_keep is not None:
            _purge_ledgers(store, args.ledger_keep, dry_run=True)
        return EXIT_OK
    if not args.expired:  # a removal on request sticks: later crawls do not store it again
        scope, value = (suppression.SITE, args.site) if args.site else (suppression.URL, args.url)
        store.suppress(suppression.event("suppress", scope, value, args.reason))
        print(f"suppressed {scope} {value}: later crawls will not store it "
              "(lift with crawler unsuppress)")
    if not selected:
        print("0 item(s) selected")
    else:
        ledger = Ledger(store, uuid.uuid4().hex[:12])
        quarantine = (open_store(args.store.rstrip("/") + "/quarantine",
                                 **s3_options(os.environ.get)) if args.quarantine else None)
        purger = Purger(store, ledger, QUARANTINE if args.quarantine else PURGE, quarantine)
        purger.remove_all(selected, reason)
        ledger.close()
        print(f"{purger.removed} item(s) removed, {purger.failed} failed")
        if purger.failed:
            return EXIT_STORE_FAILURES
    if args.expired and args.ledger_keep is not None:
        _purge_ledgers(store, args.ledger_keep)
    return EXIT_OK


def _purge_ledgers(store: Store, keep: timedelta, dry_run: bool = False) -> None:
    """Remove the ledgers of finished runs that explain no stored item (and are older
    than ``keep``)."""
    from crawler import ledger_retention

    runs = ledger_retention.removable(store, store.entries(), datetime.now(UTC), keep)
    for run_id in sorted(runs):
        print(f"{'would remove' if dry_run else 'remove'}  ledger of run {run_id}  "
              "(it explains no stored item)")
    if not dry_run:
        store.delete_files([p for files in runs.values()
                            for p in ledger_retention.paths(files)])
    print(f"{len(runs)} run ledger(s) {'selected' if dry_run else 'removed'}")


def run_unsuppress(args: argparse.Namespace) -> int:
    from crawler import suppression

    store = open_store(args.store, mode=WRITE, **s3_options(os.environ.get))
    try:
        scope, value = ((suppression.SITE, args.site) if args.site
                        else (suppression.URL, args.url))
        record = suppression.event("unsuppress", scope, value, args.reason)
        active = suppression.Suppressions.fold(store.suppressions())
        table = active.sites if scope == suppression.SITE else active.urls
        if record["value"] not in table:
            print(f"crawler: {scope} {record['value']} is not suppressed", file=sys.stderr)
            return EXIT_CONFIG
        store.suppress(record)
    finally:
        store.close()
    print(f"unsuppressed {scope} {record['value']}: later crawls may store it again")
    return EXIT_OK


def _add_crawl_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--purpose", choices=PURPOSES, required=True)
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[],
                        type=_parse_setting, metavar="NAME=VALUE", help="Scrapy setting")


PRIVATE_HELP = ("let policies name private, loopback and link-local hosts (test sites on "
                "loopback); a policy can never allow this itself")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crawler", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="crawl the sites of a policy directory")
    crawl.add_argument("--policies", required=True, help="directory of site policies")
    crawl.add_argument("--store", required=True, help="corpus location: a path or s3://BUCKET/PREFIX")
    crawl.add_argument("--site", action="append", default=[], help="only this host/policy")
    crawl.add_argument("--allow-private-networks", action="store_true", help=PRIVATE_HELP)
    crawl.add_argument("--due", action="store_true",
                       help="only the sites whose policy's recrawl_every has passed since "
                            "their last successful run (from the run reports in the store)")
    crawl.add_argument("--resume", metavar="DIR",
                       help="keep the run's state (queue, seen requests) in DIR; run again "
                            "with the same DIR to continue a run that was stopped")
    crawl.add_argument("--contact", help="the operator's contact, a URL or e-mail address, "
                       "sent in the User-Agent (required; or -s COMPLIANCE_CONTACT=...)")
    crawl.add_argument("--redis", metavar="URL",
                       help="redis://HOST:PORT/DB: run as one worker of a fleet sharing the "
                            "run's queue, duplicate filter and politeness budgets")
    crawl.add_argument("--idle-exit", metavar="SECONDS", type=float,
                       help="with --redis: leave once the fleet has had nothing queued or in "
                            "flight this long (default 30)")
    _add_crawl_args(crawl)

    demo = sub.add_parser("demo", help="crawl the bundled demo sites on loopback")
    demo.add_argument("--out", default="corpus", help="corpus directory (default ./corpus)")
    demo.add_argument("--store", help="store URI instead of --out, e.g. s3://bucket/prefix")
    demo.add_argument("--purpose", choices=PURPOSES, default="research")

    validate = sub.add_parser("validate", help="check a policy directory, crawl nothing")
    validate.add_argument("--policies", required=True)
    validate.add_argument("--allow-private-networks", action="store_true", help=PRIVATE_HELP)

    from crawler.export import FORMATS, KINDS

    export = sub.add_parser("export", help="write training-ready shards and a dataset card")
    export.add_argument("store", help="corpus location")
    export.add_argument("--format", choices=FORMATS, default="jsonl")
    export.add_argument("--out", required=True, help="output directory")
    export.add_argument("--license", action="append", default=[],
                        help="only this license: an SPDX id, or a family like 'CC-BY-*' (every "
                        "version and port of CC BY, never BY-SA/NC/ND); repeatable")
    export.add_argument("--purpose", choices=PURPOSES,
                        help="only items usable for this purpose")
    export.add_argument("--kind", action="append", choices=KINDS, default=[],
                        help="item kinds (default: page)")
    export.add_argument("--shard-size", type=int, default=10_000)
    export.add_argument("--all-versions", action="store_true",
                        help="every stored version, not only the current one")
    export.add_argument("--overwrite", action="store_true",
                        help="replace an earlier export in --out")

    explain = sub.add_parser("explain", help="show every decision the ledger holds for a URL")
    explain.add_argument("url")
    source = explain.add_mutually_exclusive_group()
    source.add_argument("--store", default=os.environ.get("COMPLIANCE_STORE", "corpus"),
                        help="corpus location: every run's ledger in it (default: "
                        "$COMPLIANCE_STORE, else ./corpus)")
    source.add_argument("--ledger", help="one ledger file (.jsonl), e.g. an exported one")
    explain.add_argument("--run", help="only this run (with --store)")

    purge = sub.add_parser("purge", help="delete stored items: expired, or on request")
    purge.add_argument("--store", required=True)
    which = purge.add_mutually_exclusive_group(required=True)
    which.add_argument("--expired", action="store_true",
                       help="items past their policy's retention period (needs --policies)")
    which.add_argument("--site", help="every item of this host")
    which.add_argument("--url", help="every version of this URL")
    purge.add_argument("--policies", help="policy directory (for --expired)")
    purge.add_argument("--allow-private-networks", action="store_true", help=PRIVATE_HELP)
    purge.add_argument("--ledger-keep", type=_period, default=timedelta(0), metavar="PERIOD",
                       help="with --expired: keep a finished run's ledger that explains no "
                       "stored item for PERIOD (e.g. 90d) after the run, or 'forever' "
                       "(default: as long as the items it explains)")
    purge.add_argument("--quarantine", action="store_true",
                       help="move to STORE/quarantine instead of deleting")
    purge.add_argument("--dry-run", action="store_true", help="list, delete nothing")
    purge.add_argument("--reason", default="deletion requested",
                       help="why (--url/--site): kept with the suppression")

    unsuppress = sub.add_parser("unsuppress", help="let a URL or site removed on request be "
                                "stored again")
    unsuppress.add_argument("--store", required=True)
    lifted = unsuppress.add_mutually_exclusive_group(required=True)
    lifted.add_argument("--site", help="a host given to purge --site")
    lifted.add_argument("--url", help="a URL given to purge --url")
    unsuppress.add_argument("--reason", default="lifted by operator")
    policy_command.add_parser(sub)
    report_command.add_parser(sub)

    args = parser.parse_args(argv)
    try:
        if args.command == "policy":
            return policy_command.run(args)
        if args.command == "report":
            return report_command.run(args)
        if args.command == "validate":
            return policy_command.run_check(args.policies,
                                            allow_private=args.allow_private_networks)
        if args.command == "export":
            return run_export(args)
        if args.command == "explain":
            return run_explain(args)
        if args.command == "purge":
            return run_purge(args)
        if args.command == "unsuppress":
            return run_unsuppress(args)
        if args.command == "demo":
            from crawler.demo.run import run_demo

            summary = run_demo(args.store or args.out, args.purpose)
        else:
            sites = args.site
            if args.due:
                sites = due_sites(args)
                if not sites:
                    print("crawler: no site is due")
                    return EXIT_OK
            contact = [("COMPLIANCE_CONTACT", args.contact)] if args.contact else []
            contact += [("JOBDIR", args.resume)] if args.resume else []
            contact += fleet_settings(args, parser)
            summary = run_crawl(args.policies, args.store, args.purpose, sites,
                                args.settings + contact,
                                args.allow_private_networks)
    except USER_ERRORS as exc:
        print(f"crawler: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except FleetUnavailable as exc:
        print(f"crawler: {exc}", file=sys.stderr)
        return exit_status.FLEET_UNAVAILABLE
    print("\n".join(summary.lines()))
    return crawl_status(summary)


def fleet_settings(args: argparse.Namespace,
                   parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    """The settings of ``--redis`` and ``--idle-exit``."""
    if args.idle_exit is not None and not args.redis:
        parser.error("--idle-exit needs --redis")
    if args.resume and args.redis:
        parser.error("--resume and --redis do not mix: a fleet's run state is kept in Redis")
    if args.idle_exit is not None and args.idle_exit <= 0:
        parser.error(f"--idle-exit must be a positive number of seconds, not {args.idle_exit}")
    found = [("COMPLIANCE_REDIS_URL", args.redis)] if args.redis else []
    return found + ([("COMPLIANCE_FLEET_IDLE_EXIT", str(args.idle_exit))]
                    if args.idle_exit is not None else [])


def due_sites(args: argparse.Namespace) -> list[str]:
    """The policies (of ``--site``, or all) that ``--due`` crawls now."""
    import json

    from crawler.policy.registry import PolicyRegistry

    registry = PolicyRegistry.from_directory(args.policies, args.site,
                                             allow_private=args.allow_private_networks)
    try:
        store = open_store(args.store, mode=READ, **s3_options(dict(args.settings).get))
    except StoreError:
        return [p.name for p in registry]  # no store yet: every site is due
    try:
        reports = [json.loads(store.read(path)) for path in store.list_files("runs")
                   if path.endswith(".json")]
    finally:
        store.close()
    names = due(registry, reports, datetime.now(UTC))
    skipped = sorted({p.name for p in registry} - set(names))
    if skipped:
        print(f"crawler: not due yet: {', '.join(skipped)}")
    return names


def crawl_status(summary: RunSummary) -> int:
    """The run's exit status, with a line on what made it other than 0."""
    log = logging.getLogger(__name__)
    if summary.interrupted:
        log.error("the crawl was interrupted before it finished")
    elif summary.store_errors:
        log.error("%d item(s) could not be stored", summary.store_errors)
    elif summary.failed_sites:
        log.error("%d site(s) failed: %s", len(summary.failed_sites),
                  ", ".join(sorted(summary.failed_sites)))
    return summary.exit_status

if __name__ == "__main__":
    sys.exit(main())
