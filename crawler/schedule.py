"""Which sites are due for a crawl: a policy's ``recrawl_every`` against the run reports
in the store, so one scheduler entry (``crawler crawl --due``) serves sites on different
schedules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from crawler.policy.model import SitePolicy

PERIOD = re.compile(r"([1-9][0-9]{0,4})([hdw])")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_period(text: str) -> timedelta:
    """``12h``, ``7d``, ``2w``."""
    match = PERIOD.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a period like 12h, 7d or 2w")
    return int(match.group(1)) * _UNITS[match.group(2)]


def last_success(reports: Iterable[Mapping[str, Any]]) -> dict[str, datetime]:
    """Per site, when its last successful crawl ended: a run that was not interrupted,
    in which the site did not fail."""
    latest: dict[str, datetime] = {}
    for report in reports:
        if report.get("interrupted") or not report.get("finished"):
            continue
        finished = datetime.fromisoformat(report["finished"])
        for site, outcome in report.get("sites", {}).items():
            if outcome.get("failed") is None and (site not in latest or latest[site] < finished):
                latest[site] = finished
    return latest


def due(policies: Iterable[SitePolicy], reports: Iterable[Mapping[str, Any]],
        now: datetime) -> list[str]:
    """Names of the policies due now: no ``recrawl_every``, never crawled successfully,
    or last crawled successfully at least that long ago."""
    latest = last_success(reports)
    return [p.name for p in policies
            if p.recrawl_every is None or p.name not in latest
            or now - latest[p.name] >= p.recrawl_every]
