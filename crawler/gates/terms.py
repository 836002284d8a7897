"""Gate: is a site's terms page still the one its policy's review read?

A policy with ``tos.fingerprint`` records the main text of the terms page as reviewed
(:mod:`crawler.signals.terms`). Each crawl reads the page (once per TTL, as a site file)
and judges the reading here: unchanged, the site is crawled; changed, or unreadable (fail
closed: nobody can say the terms are still the reviewed ones), every request to the site is
refused before download until a person reviews the terms again and records them
(``crawler policy check DIR --record-terms --site NAME``). With
``COMPLIANCE_TERMS_CHANGE=warn`` the same finding is ledgered as allowed, and the crawl goes
on. Pure: no Scrapy, no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from crawler.gates.decision import Decision

if TYPE_CHECKING:  # the summary reads this module's reason codes: no trafilatura for it
    from crawler.policy.model import SitePolicy
    from crawler.signals.terms import TermsReading

GATE: Final = "terms"
CHANGED: Final = "terms_changed"
UNREADABLE: Final = "terms_unreadable"
#: the reason of a reading that matches the review
UNCHANGED: Final = "terms_unchanged"
#: ``COMPLIANCE_TERMS_CHANGE`` values
STOP: Final = "stop"
WARN: Final = "warn"
MODES: Final = (STOP, WARN)


def mode(value: object) -> str:
    """The ``COMPLIANCE_TERMS_CHANGE`` setting, checked (a mistake must not pass as
    either)."""
    text = str(value if value is not None else STOP).strip().lower()
    if text not in MODES:
        raise ValueError(f"COMPLIANCE_TERMS_CHANGE must be {' or '.join(MODES)}, not {value!r}")
    return text


def judge(policy: SitePolicy, reading: TermsReading | None, error: str | None,
          on_change: str = STOP) -> Decision:
    """The terms page of ``policy`` as read (``reading``, or ``error``: why it was not)
    against its review. In ``warn`` mode a change or an unreadable page is allowed, with its
    reason kept (``terms_changed``, ``terms_unreadable``) for the ledger and the report."""
    tos = policy.tos
    evidence = {"url": tos.url, "expected": tos.fingerprint, "policy": policy.name,
                "reviewed": tos.reviewed.isoformat()}
    then = (" COMPLIANCE_TERMS_CHANGE=warn: the site is crawled all the same."
            if on_change == WARN else " The site is not crawled until ")
    if error is not None or reading is None or reading.fingerprint is None:
        why = error or (reading.problem if reading is not None else None) or "not read"
        sentence = (f"The terms page {tos.url} of {policy.name} cannot be read ({why}), so "
                    "nobody can say it is still the one reviewed." + then)
        if on_change != WARN:
            sentence += "it can be read again."
        return Decision(GATE, on_change == WARN, UNREADABLE, sentence,
                        {**evidence, "found": None, "error": why})
    if reading.fingerprint != tos.fingerprint:
        sentence = (f"The main text of the terms page {tos.url} of {policy.name} changed since "
                    f"the review of {tos.reviewed.isoformat()} by {tos.reviewer}." + then)
        if on_change != WARN:
            sentence += ("a person reviews the terms again and records them (crawler policy "
                         f"check DIR --record-terms --site {policy.name}).")
        return Decision(GATE, on_change == WARN, CHANGED, sentence,
                        {**evidence, "found": reading.fingerprint})
    return Decision(GATE, True, UNCHANGED, f"The main text of the terms page {tos.url} is the "
                    f"one reviewed on {tos.reviewed.isoformat()}.",
                    {**evidence, "found": reading.fingerprint})


def finding(decision: Decision) -> bool:
    """Is this a change or an unreadable page (whether it stops the site or not)?"""
    return decision.reason in (CHANGED, UNREADABLE)
