"""Scrapy settings of the project (``scrapy.cfg`` points here).

Everything compliance-specific is wired by :class:`crawler.scrapy_adapters.addon.ComplianceAddon`
from the ``COMPLIANCE_*`` settings (defaults in :mod:`crawler.compliance_settings`), so a
user's own Scrapy project can enable the same gates by adding the addon to its ``ADDONS``.
"""

BOT_NAME = "compliance-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# scrapy crawl with the exit statuses of crawler crawl (one line for a mistake)
COMMANDS_MODULE = "crawler.scrapy_commands"

ADDONS = {"crawler.scrapy_adapters.addon.ComplianceAddon": 0}

# USER_AGENT is set by the addon from COMPLIANCE_ROBOTS_TOKEN (which robots.txt groups
# are matched against), the version and COMPLIANCE_CONTACT (crawler/identity.py).

LOG_LEVEL = "INFO"
# The Telnet console and remote control are switched off by the addon, and a setting
# that turns them back on stops the crawl (crawler/scrapy_adapters/settings_guard.py).
DEPTH_LIMIT = 10
FEED_EXPORT_ENCODING = "utf-8"

# Floors for a download slot no policy names (none should exist: the allow-list gate
# puts every request in its site's slot, which DOWNLOAD_SLOTS gives the policy's rate).
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 1

# Breadth-first: with depth-first order a page first reached by a long path hits
# DEPTH_LIMIT, and its shorter paths are then dropped as duplicates.
DEPTH_PRIORITY = 1
# Waiting requests go to disk past COMPLIANCE_FRONTIER_MEMORY of them (the addon's
# COMPLIANCE_DISK_FRONTIER): marshal takes plain data only, which is what the gates put in
# request meta.
SCHEDULER_DISK_QUEUE = "crawler.scrapy_adapters.frontier.MemoryHeadQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
