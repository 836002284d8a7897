"""A toy site-level file signal, added exactly as docs/extending.md describes: this one
module, one line naming it (here the crawl's ``COMPLIANCE_SITE_FILES`` setting; a built-in
one goes into ``crawler/signals/site_files.py``), and its tests
(tests/test_site_file_extension.py).

``/.well-known/no-train.txt`` lists path prefixes, one per line, whose items the site
keeps out of AI training. Any other line makes the file unreadable for us: fail closed.
"""

from __future__ import annotations

from crawler.signals.optout_types import OPTOUT, SCOPE_ALL, UNKNOWN, OptOutSignal
from crawler.signals.site_file import ItemView, SiteFile

PATH = "/.well-known/no-train.txt"


def parse(body: bytes, url: str) -> list[str] | str:
    """The listed prefixes, or why the file cannot be read (never raises)."""
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines()]
    prefixes = [line for line in lines if line]
    bad = [p for p in prefixes if not p.startswith("/")]
    return f"not a path prefix: {bad[0][:80]!r}" if bad else prefixes


def item_signals(parsed: list[str] | str | None, item: ItemView) -> list[OptOutSignal]:
    if parsed is None:  # the site has no such file: no statement
        return []
    if isinstance(parsed, str):  # present but unreadable: unknown, which fails closed
        return [OptOutSignal("no-train.txt", UNKNOWN, SCOPE_ALL, parsed, PATH)]
    for prefix in parsed:
        if item.path.startswith(prefix):
            return [OptOutSignal("no-train.txt", OPTOUT, SCOPE_ALL, prefix, PATH)]
    return []


NO_TRAIN = SiteFile("no-train.txt", PATH, parse, item_signals)


def _broken_parse(body: bytes, url: str) -> None:
    raise ValueError("a parser with a bug")


#: a site file whose parser raises: the file counts as unreadable, the origin fails closed
BROKEN_PARSER = SiteFile("broken.txt", "/.well-known/broken.txt", _broken_parse, item_signals)
