"""noai / noimageai (signals.md §B): what ``X-Robots-Tag`` headers and robots meta elements
say about AI use of an item.

:func:`robots_directives` reads ``X-Robots-Tag`` headers (every value of every repeated header),
``<meta name="robots">``, ``<meta name="{token}">`` and ``<meta http-equiv="X-Robots-Tag">``,
all case-insensitive. A value is a comma list; ``bot:`` prefixes a directive and scopes it *and
every directive after it* until the next prefix (``noai, otherbot: noindex`` → noai is ours;
``otherbot: noai, noimageai`` → neither is). The scope restarts at each header value and each
meta tag. A prefix is a name starting with a letter followed by ``:``, except the valued
directives (``max-snippet: 20``, ``unavailable_after: …``), so a date never opens a scope.
Within a directive, whitespace also separates directives (``noai noimageai`` counts twice).
``noindex``/``none`` (and ``noimageindex``, for images) count only with ``honour_noindex``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from parsel import Selector

from crawler.signals.optout_types import OPTOUT, SCOPE_ALL, SCOPE_IMAGES, OptOutSignal, snip
from crawler.signals.response_fields import Meta, header_values, meta_snippet, page_metas

__all__ = ["ROBOTS_DIRECTIVE_SIGNALS", "robots_directives", "robots_from_metas"]

#: Signal names of the noai/noimageai family (the ones that also remove a page's images).
ROBOTS_DIRECTIVE_SIGNALS = frozenset({"x-robots-tag", "meta-robots", "meta-bot"})

#: Directives that take a value after a colon: their name is never a bot prefix.
_VALUED_DIRECTIVES = frozenset({"max-snippet", "max-image-preview", "max-video-preview",
                                "unavailable_after"})
_PREFIX_RE = re.compile(r"([A-Za-z][A-Za-z0-9_.-]*)[ \t]*:(.*)", re.DOTALL)
_PRODUCT_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]*")
_AI_DIRECTIVES = {"noai": SCOPE_ALL, "noimageai": SCOPE_IMAGES}
_INDEX_DIRECTIVES = {"noindex": SCOPE_ALL, "none": SCOPE_ALL, "noimageindex": SCOPE_IMAGES}


def _product_token(token: str) -> str:
    m = _PRODUCT_TOKEN_RE.match(token.strip())
    return (m.group(0) if m else "").lower()


def _directives(value: str, initial_scope: str | None) -> Iterable[tuple[str | None, str]]:
    """(bot scope or None, directive lower-cased) for each directive of a robots value."""
    scope = initial_scope
    for part in value.split(","):
        part = part.strip()
        m = _PREFIX_RE.fullmatch(part)
        if m is not None:
            name = m.group(1).lower()
            if name in _VALUED_DIRECTIVES:
                continue  # "max-snippet: 20": a valued directive, not a scope
            scope, part = name, m.group(2)
        for word in part.split():
            yield scope, word.lower()


def robots_from_metas(headers: Mapping[str, Sequence[str]] | None, metas: Sequence[Meta],
                      token: str, honour_noindex: bool) -> list[OptOutSignal]:
    """:func:`robots_directives` over the meta elements already read by
    :func:`~crawler.signals.response_fields.page_metas`."""
    ours = _product_token(token)
    wanted = dict(_AI_DIRECTIVES)
    if honour_noindex:
        wanted.update(_INDEX_DIRECTIVES)
    found: list[OptOutSignal] = []

    def read(value: str, initial: str | None, signal: str, snippet: str, location: str) -> None:
        for scope, directive in _directives(value, initial):
            if directive in wanted and (scope is None or scope == ours):
                found.append(OptOutSignal(
                    signal, OPTOUT, wanted[directive], snippet, location,
                    {"directive": directive, "applies_to": scope or "*"}))

    for value in header_values(headers, "X-Robots-Tag"):
        read(value, None, "x-robots-tag", snip(value), "header X-Robots-Tag")
    for name, http_equiv, content, raw in metas:
        if name == "robots":
            read(content, None, "meta-robots", meta_snippet(raw, content),
                 'html meta[name="robots"]')
        elif ours and name == ours:
            read(content, ours, "meta-bot", meta_snippet(raw, content),
                 f'html meta[name="{raw}"]')
        elif http_equiv == "x-robots-tag":
            read(content, None, "x-robots-tag", meta_snippet("X-Robots-Tag", content, True),
                 'html meta[http-equiv="X-Robots-Tag"]')
    return found


def robots_directives(headers: Mapping[str, Sequence[str]] | None, selector: Selector | None,
                      token: str, honour_noindex: bool = False) -> list[OptOutSignal]:
    """noai / noimageai (and, if ``honour_noindex``, noindex / none / noimageindex) that apply
    to the crawler ``token``, from X-Robots-Tag headers and robots / bot meta elements."""
    return robots_from_metas(headers, page_metas(selector), token, honour_noindex)
