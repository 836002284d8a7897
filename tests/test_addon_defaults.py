"""Scrapy defaults the compliance addon replaces, and a user's own value winning over them."""

from __future__ import annotations

import gc

import pytest
from scrapy.settings import Settings

from crawler.scrapy_adapters.addon import (
    GC_YOUNG_THRESHOLD,
    _freeze_startup_objects,
    replace_scrapy_defaults,
)
from crawler.signals import license_detect


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
