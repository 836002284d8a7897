"""``crawler`` command line: crawl, demo, validate."""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.policy.loader import PolicyError, load_policies
from crawler.policy.model import PURPOSES
from crawler.summary import RunSummary, summarize

EXIT_OK, EXIT_STORE_FAILURES, EXIT_CONFIG = 0, 1, 2


def project_settings(overrides: dict[str, object]) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def _parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def run_crawl(policies: str, store: str, purpose: str, sites: list[str] | None = None,
              ledger: str | None = None, extra: list[tuple[str, str]] | None = None) -> RunSummary:
    """Run one crawl in this process (Scrapy's reactor runs once per process)."""
    from crawler.spiders.corpus import CorpusSpider

    load_policies(policies)  # fail before Scrapy starts, with file:line messages
    settings = project_settings({
        "COMPLIANCE_POLICIES": policies, "COMPLIANCE_STORE": store,
        "COMPLIANCE_PURPOSE": purpose, "COMPLIANCE_SITES": sites or [],
        "COMPLIANCE_LEDGER": ledger, **dict(extra or [])})
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(CorpusSpider)
    process.crawl(crawler)
    process.start()
    from crawler.scrapy_adapters.context import ComplianceContext

    context = ComplianceContext.of(crawler)
    return summarize(context.ledger.path, context.run_id)


def _add_crawl_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--purpose", choices=PURPOSES, required=True)
    parser.add_argument("--ledger", help="ledger file (default: STORE/ledger.jsonl)")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[],
                        type=_parse_setting, metavar="NAME=VALUE", help="Scrapy setting")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crawler", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="crawl the sites of a policy directory")
    crawl.add_argument("--policies", required=True, help="directory of site policies")
    crawl.add_argument("--store", required=True, help="corpus location (a local path)")
    crawl.add_argument("--site", action="append", default=[], help="only this host/policy")
    _add_crawl_args(crawl)

    demo = sub.add_parser("demo", help="crawl the bundled demo sites on loopback")
    demo.add_argument("--out", default="corpus", help="corpus directory (default ./corpus)")
    demo.add_argument("--purpose", choices=PURPOSES, default="research")

    validate = sub.add_parser("validate", help="check a policy directory, crawl nothing")
    validate.add_argument("--policies", required=True)

    args = parser.parse_args(argv)
    try:
        if args.command == "validate":
            policies = load_policies(args.policies)
            for p in policies:
                print(f"ok  {p.name:<24} {', '.join(p.hosts)}  ({p.source})")
            return EXIT_OK
        if args.command == "demo":
            from crawler.demo.run import run_demo

            summary = run_demo(args.out, args.purpose)
        else:
            summary = run_crawl(args.policies, args.store, args.purpose, args.site,
                                args.ledger, args.settings)
    except PolicyError as exc:
        print(f"crawler: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print("\n".join(summary.lines()))
    if summary.store_errors:
        logging.getLogger(__name__).error("%d item(s) could not be stored", summary.store_errors)
        return EXIT_STORE_FAILURES
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
