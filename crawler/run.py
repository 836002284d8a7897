"""Run one crawl of a policy directory in this process: what ``crawler crawl`` and
``crawler demo`` (and the throughput benchmark) share."""

from __future__ import annotations

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.fleet.connect import connect
from crawler.policy.loader import PolicyError, load_policies
from crawler.scrapy_adapters.addon import ComplianceConfigError
from crawler.scrapy_adapters.context import ComplianceContext
from crawler.scrapy_adapters.settings_guard import UnsafeSettingsError
from crawler.signals import site_files
from crawler.signals.site_files import SiteFileError
from crawler.spiders.corpus import CorpusSpider
from crawler.storage.base import StoreError
from crawler.storage.registry import open_store, s3_options
from crawler.summary import RunSummary

#: an operator's mistake that stops a crawl before it starts: one line and exit status 2,
#: never a traceback
USER_ERRORS = (PolicyError, StoreError, SiteFileError, ComplianceConfigError,
               UnsafeSettingsError)


def project_settings(overrides: dict[str, object]) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        if value is not None:
            settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(policies: str, store: str, purpose: str, sites: list[str] | None = None,
              extra: list[tuple[str, str]] | None = None,
              allow_private: bool = False) -> RunSummary:
    """Run one crawl in this process (Scrapy's reactor runs once per process).
    ``allow_private`` (or ``-s COMPLIANCE_ALLOW_PRIVATE_NETWORKS=True``) lets policies name
    hosts on private networks: loopback test sites, the demo."""
    allow_private = allow_private or Settings(dict(extra or [])).getbool(
        "COMPLIANCE_ALLOW_PRIVATE_NETWORKS")
    # fail before Scrapy starts, with file:line messages
    load_policies(policies, allow_private=allow_private)
    site_files.configured(Settings(dict(extra or [])).getlist("COMPLIANCE_SITE_FILES"))
    open_store(store, **s3_options(dict(extra or []).get)).close()  # and on a bad store
    if redis_url := dict(extra or []).get("COMPLIANCE_REDIS_URL"):
        connect(redis_url).close()  # FleetUnavailable: its own exit status
    settings = project_settings({
        "COMPLIANCE_POLICIES": policies, "COMPLIANCE_STORE": store,
        "COMPLIANCE_PURPOSE": purpose, "COMPLIANCE_SITES": sites or [],
        **dict(extra or []),
        "COMPLIANCE_ALLOW_PRIVATE_NETWORKS": allow_private})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(CorpusSpider)
    failures: list[Failure] = []
    process.crawl(crawler).addErrback(failures.append)
    process.start()
    return outcome(crawler, failures)


def outcome(crawler: Crawler, failures: list[Failure]) -> RunSummary:
    """The summary of a crawl that ran; for one that never started (refused by the addon
    or the settings guard, or a setting Scrapy could not read), its error: one of
    :data:`USER_ERRORS` for an operator's mistake."""
    if failures:
        error = failures[0].value
        if isinstance(error, (ValueError, TypeError)) and not isinstance(error, USER_ERRORS):
            raise ComplianceConfigError(f"the crawl could not start: {error} (check the "
                                        "settings given with -s)") from error
        failures[0].raiseException()
    summary = ComplianceContext.of(crawler).summary
    if summary is None:
        raise RuntimeError("the crawl ended without a run summary")
    return summary
