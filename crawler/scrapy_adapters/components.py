"""The components the compliance addon puts into Scrapy's settings, in one table: the
addon writes them, the settings guard checks that they are still there at the start."""

from __future__ import annotations

from typing import Any

_PKG = "crawler.scrapy_adapters"
#: the request gates, in the order every request (the spider's, a redirect's, a control
#: file's) meets them: (gate, downloader middleware, its position among Scrapy's own).
#: The first refusal ends the request's way; the item gates follow on the response
#: (:data:`crawler.gates.item_chain.ITEM_GATES`).
REQUEST_GATES: tuple[tuple[str, str, int], ...] = (
    # before everything: no I/O of any kind for a host, path or purpose without a policy
    ("allowlist", f"{_PKG}.allowlist.AllowListMiddleware", 10),
    ("robots", f"{_PKG}.robots.RobotsGateMiddleware", 100),  # where Scrapy's own sits
    ("site files", f"{_PKG}.sitesignals.SiteSignalsMiddleware", 110),
    # parked hosts, after retries are scheduled (550); the floors themselves are kept by
    # the download handler, the last step before bytes leave
    ("politeness", f"{_PKG}.politeness.ThrottleMiddleware", 580),
)
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    # outermost: records every download error no other middleware turned into a response
    f"{_PKG}.drops.DownloadDropsMiddleware": 5,
    **{path: position for _gate, path, position in REQUEST_GATES},
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    # Scrapy's decompression (same place), with a ledger line per body over the size limit
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    f"{_PKG}.drops.LedgeredHttpCompressionMiddleware": 590,
    # conditional recrawls: after Scrapy's download stats (850), before decompression
    f"{_PKG}.revalidate.RevalidationMiddleware": 840,
}
_SPIDER = "scrapy.spidermiddlewares"
SPIDER_MIDDLEWARES = {
    f"{_PKG}.itemgate.ItemGateMiddleware": 950,
    # Scrapy's own drops, each with a ledger line (same places in the chain)
    f"{_SPIDER}.httperror.HttpErrorMiddleware": None,
    f"{_PKG}.drops.LedgeredHttpErrorMiddleware": 50,
    f"{_SPIDER}.urllength.UrlLengthMiddleware": None,
    f"{_PKG}.drops.LedgeredUrlLengthMiddleware": 800,
    f"{_SPIDER}.depth.DepthMiddleware": None,
    f"{_PKG}.drops.LedgeredDepthMiddleware": 900,
}
#: the store pipeline runs after every other pipeline: nothing ungated gets past it
STORE_PIPELINE_ORDER = 1_000_000
ITEM_PIPELINES = {f"{_PKG}.store.StorePipeline": STORE_PIPELINE_ORDER}
EXTENSIONS = {f"{_PKG}.progress.ComplianceProgress": 500,
              f"{_PKG}.settings_guard.SettingsGuard": 0}
DOWNLOAD_HANDLERS = {scheme: f"{_PKG}.politeness.PoliteDownloadHandler"
                     for scheme in ("http", "https")}
#: a fleet's worker (``COMPLIANCE_REDIS_URL``): the shared queue, and outermost in each
#: chain, what tells when a leased request is done (:mod:`crawler.scrapy_adapters.fleet`)
FLEET_SCHEDULER = f"{_PKG}.fleet.FleetScheduler"
FLEET_COMPONENTS: dict[str, dict[str, int]] = {
    "DOWNLOADER_MIDDLEWARES": {f"{_PKG}.fleet.FleetDownloaderMiddleware": 1},
    "SPIDER_MIDDLEWARES": {f"{_PKG}.fleet.FleetSpiderMiddleware": 1},
    "EXTENSIONS": {f"{_PKG}.fleet.FleetExtension": 1}}
#: the tables above by the setting they go into
COMPONENT_SETTINGS: dict[str, dict[str, Any]] = {
    "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES, "SPIDER_MIDDLEWARES": SPIDER_MIDDLEWARES,
    "ITEM_PIPELINES": ITEM_PIPELINES, "EXTENSIONS": EXTENSIONS,
    "DOWNLOAD_HANDLERS": DOWNLOAD_HANDLERS}


def required_settings() -> list[tuple[str, str, Any]]:
    """(setting, key, value) for each of the compliance components: the settings guard
    refuses a crawl in which one is missing or moved."""
    return [(name, key, value) for name, table in COMPONENT_SETTINGS.items()
            for key, value in table.items() if value is not None]
