"""``scrapy crawl``, as Scrapy's, with the exit statuses of ``crawler crawl``: an operator's
mistake (no purpose, no contact, a bad policy or store) is one line and status 2, never a
traceback; a run that ended exits with its run report's status (interrupted 4, store
failures 1, failed sites 3); a fleet's Redis that cannot be reached is status 5."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler import exit_status
from crawler.fleet.connect import FleetUnavailable
from crawler.run import USER_ERRORS, outcome


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider name, e.g. scrapy crawl corpus")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        failures: list[Failure] = []
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(started, Deferred):
            started.addErrback(failures.append)
        else:  # Scrapy's asyncio crawler process gives a task
            started.add_done_callback(lambda task: _failed(task, failures))
        self.crawler_process.start()
        try:
            summary = outcome(crawler, failures)
        except USER_ERRORS as exc:
            print(f"scrapy crawl: {exc}", file=sys.stderr)
            self.exitcode = exit_status.CONFIG
            return
        except FleetUnavailable as exc:  # -s COMPLIANCE_REDIS_URL=...
            print(f"scrapy crawl: {exc}", file=sys.stderr)
            self.exitcode = exit_status.FLEET_UNAVAILABLE
            return
        self.exitcode = summary.exit_status


def _failed(task: asyncio.Future[Any], failures: list[Failure]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        failures.append(Failure(error))
