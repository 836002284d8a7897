"""``crawler report``: a self-contained HTML report of one run.

The pure part turns the run's ledger lines and run report into figures
(:mod:`crawler.report.figures`) and the figures into one HTML string
(:mod:`crawler.report.html`, with the chart in :mod:`crawler.report.svg`); neither reads
the store nor imports Scrapy. :mod:`crawler.report.command` is the thin command that
reads the store and writes the file.
"""
