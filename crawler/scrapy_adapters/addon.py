"""Scrapy addon that turns a crawl into a compliant one.

It loads and validates the policies *before* the engine exists (so an invalid policy
directory stops the crawl before any request), opens the ledger and the store, and wires
the gates into Scrapy's own extension points. Scrapy's fail-open robots middleware and
its remote-control server are switched off; each site (policy) is one ``DOWNLOAD_SLOTS``
slot with its rate and concurrency, whichever of its hosts a request goes to.
"""

from __future__ import annotations

import gc
import logging
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from scrapy import signals

from crawler import resume, run_report
from crawler.compliance_settings import DEFAULTS
from crawler.fleet.merge import merge as merge_fleet_report
from crawler.fleet.merge import worker_report_path
from crawler.fleet.worker import FleetWorker
from crawler.gates import terms as terms_gate
from crawler.identity import ContactError, normalize_contact, user_agent
from crawler.ledger import Ledger, writer_name
from crawler.policy.registry import PolicyRegistry
from crawler.politeness import Politeness, site_key
from crawler.purge import QUARANTINE, Purger
from crawler.purposes import PURPOSES
from crawler.scrapy_adapters import redact, settings_guard
from crawler.scrapy_adapters.components import (
    COMPONENT_SETTINGS,
    FLEET_COMPONENTS,
    FLEET_SCHEDULER,
    required_settings,
)
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.effects import Effects
from crawler.scrapy_adapters.origin_cache import expiring
from crawler.signals import license_detect, site_files
from crawler.storage.base import Store, StoreError
from crawler.storage.registry import open_store, s3_options
from crawler.summary import RunSummary, summarize
from crawler.suppression import Suppressions
from crawler.workdirs import OwnedFolder, remove_abandoned

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
#: the temporary frontier folders' names (in the system's temporary folder)
FRONTIER_PREFIX = "crawler-frontier-"

#: page size limits in place of Scrapy's 1 GiB / 32 MiB (raw body and decompressed body)
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
#: the items (and requests) of one response processed at once, in place of Scrapy's 100
CONCURRENT_ITEMS = 16


def replace_scrapy_defaults(settings: BaseSettings) -> None:
    """Scrapy's defaults that give way to the crawler's; a value the user set (lower or
    higher; for the sizes, 0 = no limit) stays."""
    settings.set("DOWNLOAD_MAXSIZE", DOWNLOAD_MAXSIZE, priority="default")
    settings.set("DOWNLOAD_WARNSIZE", DOWNLOAD_WARNSIZE, priority="default")
    maxsize = settings.getint("DOWNLOAD_MAXSIZE")
    if maxsize:
        # Scrapy stops starting requests while the responses being processed hold more
        # than this (5 MB by default): one page at the size limit must not stop the
        # other sites while it is parsed, two of them may
        settings.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", maxsize + 1024 * 1024,
                     priority="default")
    # Scrapy keeps a task per slot alive until the response's last output is done, and a
    # page's item waits for its group commit: with 100, tens of thousands of finished
    # tasks stayed alive under load, and every full garbage collection walked them
    settings.set("CONCURRENT_ITEMS", CONCURRENT_ITEMS, priority="default")


#: container objects allocated (less those freed) before a young-generation collection,
#: instead of Python's 700 (the older generations keep their thresholds)
GC_YOUNG_THRESHOLD = 20_000


def _freeze_startup_objects() -> None:
    """Leave what start-up built (modules, settings, policies, parsers, the license phrase
    tables and grammar, loaded here rather than on the first page) out of every later
    garbage collection: the full collections of a long crawl then walk only what the crawl
    itself keeps, which took about a third off their time (``bench/throughput.py``).
    Run when the spider opens, by the first handler of ``spider_opened`` (connected while
    the addon sets up, before any component's): every component exists by then, and this
    0.2-0.5 s of start-up work comes before the crawl's clock starts (Scrapy's
    ``start_time`` stat) and its first request, not in the middle of its first pages.

    Then collect less often. A page's scan, gates and ledger lines allocate thousands of
    short-lived objects; with the default threshold the collector ran some 700 times per
    2,000 pages and its older generations 70 times, walking the crawl's live requests and
    responses each time. With :data:`GC_YOUNG_THRESHOLD` the young generation holds a few
    megabytes more between collections, and a crawl made 4-26% more pages per second and
    spent 4-19% less CPU per page, in every one of twelve rounds alternating with the
    default (``bench/throughput.py``). Both stay for the life of the process, which is the
    crawl's."""
    license_detect.warm()
    gc.collect()
    gc.freeze()
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), *older)


class ComplianceConfigError(ValueError):
    pass


class ComplianceAddon:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.context: ComplianceContext | None = None
        #: the temporary JOBDIR this crawl's request queue lives in (removed at the end)
        self.frontier: OwnedFolder | None = None
        #: the operator's contact, as the User-Agent carries it
        self.contact = ""
        #: the run this one continues (same JOBDIR), if any
        self.resumed_from: str | None = None
        #: the operator's JOBDIR (--resume), open until the run closes (:mod:`crawler.resume`)
        self.jobdir: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ComplianceAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        redact.install(settings)  # before Scrapy logs the overridden settings
        for name, value in DEFAULTS.items():
            settings.set(name, value, priority="default")  # below anything a user set
        replace_scrapy_defaults(settings)
        try:  # who runs the crawl, in every request (a project's own USER_AGENT is checked)
            agent = user_agent(settings["COMPLIANCE_ROBOTS_TOKEN"],
                               settings.get("COMPLIANCE_CONTACT"))
        except ContactError as exc:
            raise ComplianceConfigError(str(exc)) from None
        settings.set("USER_AGENT", agent, "addon")
        self.contact = normalize_contact(settings.get("COMPLIANCE_CONTACT"))
        settings.set("ROBOTSTXT_OBEY", False, "addon")
        for name, _why in settings_guard.MUST_BE_OFF:  # a project's own value is checked
            settings.set(name, False, "addon")
        for name, components in COMPONENT_SETTINGS.items():
            for path, order in components.items():
                settings[name][path] = order
        # before anything is opened; the guard extension checks again after every addon
        settings_guard.check(settings, required_settings())
        purpose = settings.get("COMPLIANCE_PURPOSE")
        if purpose not in PURPOSES:
            raise ComplianceConfigError(
                f"COMPLIANCE_PURPOSE must be one of {', '.join(PURPOSES)}, not {purpose!r}")
        try:  # before anything is opened, like the purpose
            terms_gate.mode(settings.get("COMPLIANCE_TERMS_CHANGE"))
        except ValueError as exc:
            raise ComplianceConfigError(str(exc)) from None
        registry = PolicyRegistry.from_directory(
            settings["COMPLIANCE_POLICIES"], settings.getlist("COMPLIANCE_SITES"),
            allow_private=settings.getbool("COMPLIANCE_ALLOW_PRIVATE_NETWORKS"))
        if not len(registry):
            raise ComplianceConfigError("no policy matches COMPLIANCE_SITES "
                                        f"{settings.getlist('COMPLIANCE_SITES')}")
        run_id = uuid.uuid4().hex[:12]
        writer = writer_name()
        fleet = self._join_fleet(settings, purpose, writer, run_id)
        if fleet is not None:
            run_id = fleet.run_id
        try:
            files = site_files.configured(settings.getlist("COMPLIANCE_SITE_FILES"))
        except site_files.SiteFileError as exc:
            raise ComplianceConfigError(str(exc)) from None
        if settings.get("JOBDIR"):  # resumable (--resume): begun once the configuration holds
            try:
                resumed = resume.begin(settings["JOBDIR"], run_id)
            except OSError as exc:
                raise ComplianceConfigError(
                    f"cannot use {settings['JOBDIR']} to keep the run's state (--resume/"
                    f"JOBDIR): {exc.strerror or exc}") from None
            self.jobdir, self.resumed_from = settings["JOBDIR"], resumed.run_id
            if resumed.restarted:
                logger.warning(
                    "compliance: run %s did not close %s (it was killed, or failed before "
                    "its end), so its request queue cannot be trusted: this run starts its "
                    "sites again (what it stored is kept and recognised)",
                    resumed.run_id, self.jobdir)
        store = open_store(settings["COMPLIANCE_STORE"], settings.getbool("COMPLIANCE_STORE_FSYNC"),
                           **s3_options(settings.get))
        ledger = Ledger(store, run_id, settings.getfloat("COMPLIANCE_LEDGER_UPLOAD_INTERVAL"),
                        writer)
        effects = Effects(ledger, store, purpose, run_id,
                          Purger(store, ledger, *self._withdrawal(settings)), self.crawler)
        ttls = (settings.getfloat("COMPLIANCE_ROBOTS_TTL"),
                settings.getfloat("COMPLIANCE_ROBOTS_ERROR_TTL"))
        self.context = ComplianceContext(
            registry=registry, purpose=purpose, effects=effects,
            token=settings["COMPLIANCE_ROBOTS_TOKEN"], run_id=run_id,
            robots_cache=expiring(*ttls), site_signals=expiring(*ttls),
            politeness=(fleet.limiter if fleet else Politeness)(
                backoff_base=settings.getfloat("COMPLIANCE_BACKOFF_BASE"),
                backoff_cap=settings.getfloat("COMPLIANCE_BACKOFF_CAP"),
                park_after=settings.getint("COMPLIANCE_PARK_AFTER")),
            fleet=fleet)
        self.context.attach(self.crawler)
        self.context.site_files = files
        for policy in registry:  # one budget per site, shared by all its hosts
            self.context.politeness.raise_gap(site_key(policy.name), policy.rate.min_gap)
        self.context.suppressions = Suppressions.fold(store.suppressions())
        effects.open_run(registry)

        if fleet is None and not settings.get("JOBDIR") and \
                settings.getbool("COMPLIANCE_DISK_FRONTIER"):
            # breadth-first order keeps a large frontier: on disk, memory stays flat; a
            # killed crawl's is removed by the next crawl on this machine
            tmp = Path(tempfile.gettempdir())
            remove_abandoned(tmp, FRONTIER_PREFIX)
            self.frontier = OwnedFolder(tmp, FRONTIER_PREFIX)
            settings.set("JOBDIR", str(self.frontier.path), "addon")
        settings.set("DOWNLOAD_DELAY_JITTER", 0.0, "addon")
        # Scrapy's download slots are the sites too (the allow-list gate names them), with
        # the site's concurrency. Their delay is 0: the download handler books each
        # request's turn on its site and host (and the fleet's), the one place the gap is
        # enforced; a slot delay on top only cost a timer per request (~1 ms CPU a page).
        settings.set("DOWNLOAD_SLOTS", {
            site_key(policy.name): {"concurrency": policy.rate.concurrency, "delay": 0.0,
                                    "jitter": 0.0}
            for policy in registry}, "addon")
        self.crawler.signals.connect(self._close, signal=signals.engine_stopped)
        self.crawler.signals.connect(_freeze_startup_objects, signal=signals.spider_opened)
        logger.info("compliance: %d site policies, purpose %s, store %s, ledger %s, run %s%s",
                    len(registry), purpose, store.root, ledger.location, run_id,
                    f", frontier {self.frontier.path}" if self.frontier else "")

    @staticmethod
    def _join_fleet(settings: BaseSettings, purpose: str, writer: str,
                    run_id: str) -> FleetWorker | None:
        """With ``COMPLIANCE_REDIS_URL``: join the fleet's current run (or start it) and
        put the fleet's components in place; FleetUnavailable when Redis is not there."""
        url = settings.get("COMPLIANCE_REDIS_URL")
        if not url:
            return None
        if settings.get("JOBDIR"):
            raise ComplianceConfigError("--resume (JOBDIR) and --redis do not mix: a "
                                        "fleet's run state is kept in Redis")
        idle_exit = settings.getfloat("COMPLIANCE_FLEET_IDLE_EXIT")
        if idle_exit <= 0:
            raise ComplianceConfigError(f"COMPLIANCE_FLEET_IDLE_EXIT must be a positive "
                                        f"number of seconds, not {idle_exit}")
        fleet = FleetWorker.join(url, purpose, writer, run_id, idle_exit,
                                 (settings.getfloat("COMPLIANCE_ROBOTS_TTL"),
                                  settings.getfloat("COMPLIANCE_ROBOTS_ERROR_TTL")))
        fleet.start_heartbeat()
        settings.set("SCHEDULER", FLEET_SCHEDULER, "addon")
        for name, components in FLEET_COMPONENTS.items():
            for path, order in components.items():
                settings[name][path] = order
        return fleet

    def _report(self, context: ComplianceContext) -> None:
        """Summarise the run from its ledger lines, close the ledger (into the store, with
        its index) and write the run's report into the store (``runs/<run-id>.json``); a
        ledger or report that cannot be written counts as a store error."""
        registry = context.registry
        ledger = context.effects.ledger
        summary = summarize(ledger.path, context.run_id, registry.site_of)
        summary.ledger = ledger.location
        try:
            ledger.close()
        except (StoreError, OSError) as exc:
            logger.error("the ledger could not be written into the store (its lines stay in "
                         "%s): %s", ledger.path, exc)
            summary.store_errors += 1
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        # Scrapy closes the spider with "shutdown" on SIGTERM/SIGINT, after a graceful flush
        summary.interrupted = stats.get("finish_reason") == "shutdown"
        fleet = context.fleet
        if fleet is not None:
            summary.fleet_lost = fleet.lost
            summary.interrupted = summary.interrupted or bool(fleet.lost)
        report = run_report.build(summary, purpose=context.purpose, contact=self.contact,
                                  policies=registry, stats=stats,
                                  resumed_from=self.resumed_from, ledger=ledger.name)
        path = (run_report.report_path(context.run_id) if fleet is None
                else worker_report_path(context.run_id, ledger.writer))
        summary.report = self._write_report(context.effects.store, path, report, summary)
        if fleet is not None and not fleet.lost:
            self._leave_fleet(context, fleet, summary)
        context.summary = summary

    @staticmethod
    def _write_report(store: Store, path: str, report: dict[str, Any],
                      summary: RunSummary) -> str | None:
        try:
            written = store.write_file(path, run_report.encode(report), "application/json")
        except StoreError as exc:
            logger.error("the run report could not be written: %s", exc)
            summary.store_errors += 1
            return None
        logger.info("run report: %s", written)
        return written

    def _leave_fleet(self, context: ComplianceContext, fleet: FleetWorker,
                     summary: RunSummary) -> None:
        """Give back what this worker did not finish, leave the run, and, as its last
        worker, write the run's merged report and (the run being over) forget it."""
        try:
            if summary.interrupted:
                fleet.queue.reclaim(fleet.worker)
            departure = fleet.membership.leave(ok=not summary.interrupted)
            if not departure.last:
                return
            workers, finished = fleet.membership.workers()
            merged = merge_fleet_report(
                context.effects.store, context.run_id, workers=workers, finished=finished,
                work_left=departure.work_left, purpose=context.purpose,
                contact=self.contact, policies=context.registry,
                site_of=context.registry.site_of)
            if not departure.work_left:
                fleet.membership.forget_run()
        except redis.RedisError as exc:
            summary.fleet_lost = f"lost the fleet's Redis while leaving the run: {exc}"
            logger.error("fleet: %s", summary.fleet_lost)
            return
        written = self._write_report(context.effects.store,
                                     run_report.report_path(context.run_id), merged, summary)
        if written:
            summary.report = written
            logger.info("fleet: last worker out; the run's report merges %d worker(s)",
                        len(workers))

    @staticmethod
    def _withdrawal(settings: BaseSettings) -> tuple[str, Store | None]:
        """What a withdrawal of consent does (``COMPLIANCE_WITHDRAWAL``) and, for
        ``quarantine``, the store it moves items to."""
        mode = settings.get("COMPLIANCE_WITHDRAWAL")
        if mode != QUARANTINE:
            return mode, None
        return mode, open_store(settings["COMPLIANCE_STORE"].rstrip("/") + "/quarantine",
                                settings.getbool("COMPLIANCE_STORE_FSYNC"),
                                **s3_options(settings.get))

    def _close(self) -> None:
        if self.context is not None:
            if self.jobdir is not None:  # Scrapy's scheduler has saved its queue there
                try:
                    resume.end(self.jobdir, self.context.run_id)
                except OSError as exc:
                    logger.error("could not mark %s closed (%s): the next --resume with it "
                                 "starts the sites again", self.jobdir, exc)
            self._report(self.context)
            self.context.effects.store.close()
        if self.frontier is not None:
            self.frontier.remove()
