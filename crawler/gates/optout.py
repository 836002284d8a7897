"""Gate 4: does the item, or the site about it, opt out of AI training?

Pure: decides on :class:`~crawler.signals.optout_types.OptOutSignal` values gathered by
:func:`crawler.signals.optout.item_signals`. The most restrictive reading wins (signals.md): any
applicable opt-out excludes the item, whatever else allows it; otherwise any applicable signal
that could not be read (``unknown``) excludes it too (fail closed); otherwise it passes.
``noimageai`` (scope ``images``) applies to images only: it never excludes a page's text.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.gates.decision import Decision
from crawler.signals.noai import ROBOTS_DIRECTIVE_SIGNALS
from crawler.signals.optout_types import OPTOUT, SCOPE_ALL, SCOPE_IMAGES, UNKNOWN, OptOutSignal

GATE = "optout"
KINDS = ("page", "image")

_LABELS = {
    "x-robots-tag": "X-Robots-Tag",
    "meta-robots": "the robots meta tag",
    "meta-bot": "the crawler's own meta tag",
    "tdm-reservation-header": "the tdm-reservation header",
    "tdm-reservation-meta": "the tdm-reservation meta tag",
    "tdmrep.json": "/.well-known/tdmrep.json",
    "content-usage-header": "the Content-Usage header",
    "ai.txt": "/ai.txt",
    "xmp-plus-datamining": "XMP plus:DataMining",
    "c2pa-training-mining": "a C2PA training-mining assertion",
}


def _applies(signal: OptOutSignal, kind: str) -> bool:
    return signal.scope == SCOPE_ALL or (signal.scope == SCOPE_IMAGES and kind == "image")


def _describe(signals: Sequence[OptOutSignal]) -> str:
    parts: dict[str, None] = {}
    for s in signals:
        label = _LABELS.get(s.signal, s.signal)
        parts.setdefault(f"{label} ({s.snippet[:120]})", None)
    return "; ".join(parts)


def _names(signals: Sequence[OptOutSignal]) -> list[str]:
    return sorted({s.signal for s in signals})


def check(signals: Sequence[OptOutSignal], kind: str) -> Decision:
    """Decide on an item of ``kind`` ("page" or "image") from its opt-out signals."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    applicable = [s for s in signals if _applies(s, kind)]
    records = [s.as_record() for s in signals]
    optouts = [s for s in applicable if s.state == OPTOUT]
    if optouts:
        return Decision.deny(GATE, "optout",
                             f"The {kind} opts out of AI training: {_describe(optouts)}.",
                             signals=_names(optouts), statements=records)
    unknown = [s for s in applicable if s.state == UNKNOWN]
    if unknown:
        return Decision.deny(GATE, "optout_unknown",
                             f"An AI-use statement about the {kind} cannot be read: "
                             f"{_describe(unknown)}; treated as an opt-out.",
                             signals=_names(unknown), statements=records)
    images_only = [s for s in signals if s.scope == SCOPE_IMAGES and s.state == OPTOUT]
    if kind == "page" and images_only:
        sentence = (f"No opt-out applies to the page text; {_describe(images_only)} "
                    "excludes its images only.")
    elif applicable:
        sentence = f"No opt-out applies to the {kind}: {_describe(applicable)}."
    else:
        sentence = f"No opt-out signal was found for the {kind}."
    return Decision.allow(GATE, sentence, signals=_names(applicable), statements=records)


def page_media_optout(signals: Sequence[OptOutSignal]) -> bool:
    """Do a page's own signals (noai or noimageai, in its headers or meta tags) remove the
    images it embeds, so that the crawler does not fetch them at all?"""
    return any(s.state == OPTOUT and s.signal in ROBOTS_DIRECTIVE_SIGNALS
               and s.detail.get("directive") in ("noai", "noimageai") for s in signals)


def unreadable(errors: dict[str, str]) -> Decision:
    """The site's opt-out files could not be read: its items are excluded until they can."""
    what = "; ".join(f"{name}: {why}" for name, why in errors.items())
    return Decision.deny(GATE, "optout_unknown",
                         f"The site's opt-out files could not be read ({what}): its items "
                         "are excluded until they can be.", files=errors)
