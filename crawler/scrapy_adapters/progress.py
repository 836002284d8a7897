"""Periodic log line with the compliance counters, beside Scrapy's own LogStats."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger("crawler.compliance")


class ComplianceProgress:
    def __init__(self, crawler: Crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self._task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ComplianceProgress:
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def counters(self) -> dict[str, int]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        return {k.removeprefix("compliance/"): v for k, v in sorted(stats.items())
                if k.startswith("compliance/")}

    def log(self) -> None:
        counts = self.counters()
        if counts:
            logger.info("compliance: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))

    def opened(self) -> None:
        self._task = task.LoopingCall(self.log)
        self._task.start(self.interval, now=False)

    def closed(self) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        self.log()
