"""Scrapy defaults the compliance addon replaces, and a user's own value winning over them."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from pydispatch import dispatcher
from scrapy import signals
from scrapy.crawler import CrawlerRunner
from scrapy.extensions.corestats import CoreStats
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor

from crawler.run import project_settings
from crawler.scrapy_adapters.addon import (
    GC_YOUNG_THRESHOLD,
    _freeze_startup_objects,
    replace_scrapy_defaults,
)
from crawler.signals import license_detect
from crawler.spiders.corpus import CorpusSpider

DEMO_POLICIES = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "policies"


def test_scrapy_defaults_give_way() -> None:
    settings = Settings()
    assert settings.getint("CONCURRENT_ITEMS") == 100  # Scrapy's own, the control
    replace_scrapy_defaults(settings)
    assert settings.getint("CONCURRENT_ITEMS") == 16
    assert settings.getint("DOWNLOAD_MAXSIZE") == 32 * 1024 * 1024
    assert settings.getint("DOWNLOAD_WARNSIZE") == 8 * 1024 * 1024
    assert settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == 33 * 1024 * 1024


@pytest.mark.parametrize(("name", "value"), [
    ("CONCURRENT_ITEMS", 100), ("CONCURRENT_ITEMS", 4), ("DOWNLOAD_MAXSIZE", 0),
    ("DOWNLOAD_WARNSIZE", 1024)])
def test_a_value_the_user_set_stays(name: str, value: int) -> None:
    settings = Settings({name: value}, priority="project")
    replace_scrapy_defaults(settings)
    assert settings.getint(name) == value


def test_no_size_limit_keeps_scrapys_active_size() -> None:
    settings = Settings({"DOWNLOAD_MAXSIZE": 0}, priority="project")
    replace_scrapy_defaults(settings)
    assert settings.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == 5_000_000


def test_the_license_tables_are_loaded_before_start_up_objects_are_frozen() -> None:
    """Loaded on the first page instead, the phrase tables and compiled grammar would be
    walked by every full garbage collection of the crawl. Then the young generation's
    threshold is raised: the crawl's pages made the collector run too often."""
    license_detect.warm.cache_clear()
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's default
    try:
        _freeze_startup_objects()
        assert license_detect.warm.cache_info().currsize == 1
        assert gc.get_freeze_count() > 0
        # and the young generation is collected less often, the older ones as before
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)


def test_start_up_work_comes_before_the_crawls_clock(tmp_path: Path) -> None:
    """The license tables load and start-up objects freeze in the first handler of
    ``spider_opened``: before Scrapy's core stats take the crawl's ``start_time`` there,
    so the crawl's measured span (and its first request) does not carry them."""
    # whichever reactor this process has (another test's may be in already): nothing runs
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    settings = project_settings({
        "COMPLIANCE_POLICIES": str(DEMO_POLICIES), "COMPLIANCE_STORE": str(tmp_path / "store"),
        "COMPLIANCE_PURPOSE": "research", "COMPLIANCE_CONTACT": "mailto:ops@example.invalid",
        "COMPLIANCE_ALLOW_PRIVATE_NETWORKS": True})
    crawler = CrawlerRunner(settings).create_crawler(CorpusSpider)
    crawler.settings.set("TWISTED_REACTOR", None, priority="cmdline")
    crawler._apply_settings()
    receivers = list(dispatcher.liveReceivers(dispatcher.getAllReceivers(
        crawler.signals.sender, signals.spider_opened)))
    assert receivers[0] is _freeze_startup_objects
    core_stats = [r for r in receivers if isinstance(getattr(r, "__self__", None), CoreStats)]
    assert len(core_stats) == 1
