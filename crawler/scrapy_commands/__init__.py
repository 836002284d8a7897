"""Scrapy commands of the project (``COMMANDS_MODULE``): ``scrapy crawl`` with the
compliance crawl's exit statuses."""
