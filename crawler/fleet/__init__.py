"""A fleet of workers on one Redis: shared queue and duplicate filter (scrapy-redis),
politeness budgets that hold across the fleet, and the run the workers share.

Everything of one run lives under ``crawler:run:<run-id>:`` (:mod:`crawler.fleet.keys`),
so tomorrow's scheduled run starts from a clean slate while today's keys expire. This
package talks to Redis only; the Scrapy side is :mod:`crawler.scrapy_adapters.fleet`.
"""
