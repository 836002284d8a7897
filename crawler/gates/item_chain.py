"""The item gates, in order: one registry, small pure gates over one case.

An :class:`ItemCase` holds everything the gates may look at for one fetched item: the item,
its policy and purpose, the page parse, the site files as read for its own fetch, and the
licenses its page passed on. Each gate returns a :class:`Decision` (or None: nothing to
say) and may note what a later step needs (the chosen license, whether the page's media
are opted out). :data:`ITEM_GATES` is the order; :func:`judge` runs it and stops at the
first refusal. Nothing here touches Scrapy, the ledger or the store: the caller applies
each decision (:mod:`crawler.scrapy_adapters.effects`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from crawler.gates import license as license_gate
from crawler.gates import optout as optout_gate
from crawler.gates.decision import Decision
from crawler.gates.site_license import CHANNEL as SITE_LICENSE_CHANNEL
from crawler.gates.site_license import LicensePageReading
from crawler.items import CorpusItem
from crawler.policy.model import SitePolicy
from crawler.signals import license_detect
from crawler.signals.license_detect import LicenseEvidence
from crawler.signals.optout import item_signals
from crawler.signals.site_file import SiteFile

CONTENT_GATE = "content"
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class ItemCase:
    item: CorpusItem
    policy: SitePolicy | None
    purpose: str
    token: str
    fetched_url: str  # the URL the response came from (after redirects)
    control_paths: tuple[str, ...]  # read by the gates, never stored
    selector: Selector | None = None  # the page's parse (None for images)
    #: each site file with what was read for this fetch; None: the files were not read
    site_files: Sequence[tuple[SiteFile, Any]] | None = None
    site_errors: dict[str, str] = field(default_factory=dict)  # file → why unreadable
    honour_noindex: bool = False
    page_license: LicenseEvidence | None = None  # images: their page's license
    stated_image_licenses: Sequence[LicenseEvidence] = ()  # images: what the page says
    #: pages: the site's license page as read for this fetch (None: not read)
    site_license: LicensePageReading | None = None
    # noted by the gates
    media_optout: bool = False  # pages: their images are opted out too
    chosen: LicenseEvidence | None = None  # the license the item is stored under
    statements: list[dict[str, Any]] = field(default_factory=list)  # every one found
    #: what the sidecar's evidence adds (``unversioned``, ``site_license``)
    license_notes: dict[str, Any] = field(default_factory=dict)


Gate = Callable[[ItemCase], Decision | None]


def content(case: ItemCase) -> Decision | None:
    """Refusals before any signal is read: nothing here can be a corpus item."""
    item = case.item
    if case.policy is None:  # only reachable for items a spider invents
        return Decision.deny(CONTENT_GATE, "no_policy", "No policy covers the item's host.")
    if item.url != case.fetched_url:  # the gates behind it judged the response, not this URL
        return Decision.deny(CONTENT_GATE, "not_from_response",
                             f"The item's URL is not the URL fetched ({case.fetched_url}).")
    if urlsplit(item.url).path in case.control_paths:
        return Decision.deny(CONTENT_GATE, "control_file",
                             "A site's control files (robots.txt, ai.txt, tdmrep.json, ...) "
                             "are read, never stored.")
    if item.kind == "image" and not item.content_type.startswith("image/"):
        return Decision.deny(CONTENT_GATE, "unsupported_content",
                             f"Images must be image/*, not {item.content_type!r}.")
    if item.status == 410:
        return Decision.deny(CONTENT_GATE, "gone", "The server answered 410 Gone.")
    if item.status == 404:
        return Decision.deny(CONTENT_GATE, "not_found", "The server answered 404 Not Found.")
    if not 200 <= item.status < 300:
        return Decision.deny(CONTENT_GATE, "http_error", f"The server answered HTTP {item.status}.")
    if item.kind == "page" and not item.content_type.startswith(HTML_TYPES):
        return Decision.deny(CONTENT_GATE, "unsupported_content",
                             f"Pages must be HTML, not {item.content_type!r}.")
    return None


def optout(case: ItemCase) -> Decision:
    """The item's own opt-out signals with the site files as read for this very fetch (a
    later re-read of the files, in between, must not decide for it)."""
    if case.site_files is None:
        return Decision.deny(optout_gate.GATE, "optout_unknown",
                             "The site's opt-out files were not read for this fetch.")
    if case.site_errors:
        return optout_gate.unreadable(case.site_errors)
    item = case.item
    signals = item_signals(item.kind, item.url, item.headers, token=case.token,
                           selector=case.selector,
                           body=item.body if item.kind == "image" else None,
                           site_files=case.site_files, honour_noindex=case.honour_noindex)
    if item.kind == "page":
        case.media_optout = optout_gate.page_media_optout(signals)
    return optout_gate.check(signals, item.kind)


def license(case: ItemCase) -> Decision:
    """A license statement the policy accepts for the purpose (the page's own, or for an
    image its own, what its page says of it, its page's license; then the policy default,
    and for a page the license its site's license page grants)."""
    item, policy = case.item, case.policy
    assert policy is not None  # the content gate refused items without one
    if item.kind == "page":
        found = license_detect.detect(item.url, item.headers, case.selector)
    else:
        found = (license_detect.detect_image(item.url, item.headers, item.body)
                 + list(case.stated_image_licenses))
    fallback: list[LicenseEvidence] = []
    if item.kind == "image" and policy.licenses.images_share_page_license and case.page_license:
        fallback.append(case.page_license)
    fallback += license_detect.from_policy(policy.licenses.default, policy.source)
    site = case.site_license if item.kind == "page" else None
    if site is not None and site.statement is not None:
        fallback.append(site.statement)
    decision, case.chosen = license_gate.check(found, fallback, policy, case.purpose,
                                               kind=item.kind)
    if site is not None:  # the ledger says what the license page gave, used or not
        decision = replace(decision, evidence={**decision.evidence,
                                               "site_license": site.record()})
    case.statements = decision.evidence.get("statements", [])
    case.license_notes = {key: decision.evidence[key] for key in ("unversioned",)
                          if key in decision.evidence}
    if site is not None and case.chosen is not None \
            and case.chosen.channel == SITE_LICENSE_CHANNEL:
        case.license_notes["site_license"] = site.record()
    return decision


#: the item gates, in the order they run
ITEM_GATES: tuple[Gate, ...] = (content, optout, license)


def judge(case: ItemCase, apply: Callable[[Decision], None]) -> Decision | None:
    """Run :data:`ITEM_GATES` in order, handing each decision to ``apply``; the refusal
    that ended the item's way, or None when every gate passed it."""
    for gate in ITEM_GATES:
        decision = gate(case)
        if decision is None:
            continue
        apply(decision)
        if not decision.allowed:
            return decision
    return None
