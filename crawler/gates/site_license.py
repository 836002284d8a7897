"""A site's license page: which page it is, what license it grants the site, and the ledger
line of its reading.

A page that states no license of its own may take its site's: the one license the site's
license page grants. That page is the one the policy names (``licenses.page``), else the one
a page's footer links to with wording that names a license page ("License", "Content
license", "Lizenz", "Licence", "Licencia", "Licenza", ...: the link texts of
:mod:`crawler.policy.terms_links`), on one of the policy's hosts and ports. The crawl reads it
once per site and TTL through every request gate (:mod:`crawler.scrapy_adapters.license_page`),
and what it grants *with page scope* (the page's own text: "all content on this site is
available under ...") becomes the site license: a statement with scope ``site`` and channel
``site:license-page``, which the license gate takes only for a page that grants nothing
itself. The page's own license always wins, and opt-outs are decided before any license.

Fail closed: a license page that cannot be read (an error answer, a timeout, a gate's
refusal), or that grants no license or several, gives no site license. A policy with
``licenses.default`` reads no license page: its reviewed default decides for every page
without a license of its own.

Pure: no Scrapy, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from parsel import Selector

from crawler.gates.decision import Decision
from crawler.gates.license import GATE
from crawler.policy.hosts import host_matches, url_port
from crawler.policy.model import SitePolicy
from crawler.policy.terms_links import LICENSE, NAMES_THE_PAGE, find_footer_links
from crawler.signals.license_detect import GRANT, SCOPE_PAGE, SCOPE_SITE, LicenseEvidence
from crawler.signals.license_evidence import media_exclusion, page_grant
from crawler.signals.license_model import License
from crawler.signals.licenses import canonicalize_url

#: the name of a license page reading among the site readings
LICENSE_PAGE: Final = "license-page"
#: the channel of a statement read from the site's license page
CHANNEL: Final = "site:license-page"
#: how the license page was found
BY_POLICY, BY_FOOTER = "policy", "footer"
#: the ledger reasons of a reading
FOUND, NONE, UNREADABLE = "site_license_found", "site_license_none", "site_license_unreadable"


@dataclass(frozen=True)
class LicensePageLink:
    """The license page of a site, and how the crawl came to it."""

    url: str
    found_by: str  # BY_POLICY | BY_FOOTER
    text: str = ""  # the footer link's text
    linked_from: str = ""  # the page whose footer links to it


@dataclass(frozen=True)
class LicensePageReading:
    """One reading of a site's license page: the site license, or why there is none."""

    link: LicensePageLink
    fetched_at: float
    status: int | None
    #: the site license: the page's grant, scoped ``site``
    statement: LicenseEvidence | None = None
    #: why there is no site license
    problem: str | None = None
    #: the page could not be read at all
    unreadable: bool = False

    @property
    def reason(self) -> str:
        return UNREADABLE if self.unreadable else FOUND if self.statement else NONE

    def record(self) -> dict[str, Any]:
        """The reading as evidence (ledger lines, sidecars)."""
        lic = self.statement.license if self.statement is not None else None
        record: dict[str, Any] = {
            "page": self.link.url, "found_by": self.link.found_by,
            "fetched_at": datetime.fromtimestamp(self.fetched_at, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "status": self.status, "outcome": self.reason,
            "spdx": lic.spdx if isinstance(lic, License) else None,
            "canonical_url": lic.url if lic is not None else None}
        if self.link.found_by == BY_FOOTER:
            record.update(link_text=self.link.text, linked_from=self.link.linked_from)
        if self.problem is not None:
            record["problem"] = self.problem
        return record


def reads_license_page(policy: SitePolicy) -> bool:
    """Are ``policy``'s pages ever given the site license? Not with a default: the reviewed
    default decides for every page without a license of its own."""
    return policy.licenses.default is None


def wanted(found: Sequence[LicenseEvidence]) -> bool:
    """Does a page with the statements ``found`` want its site's license? Only when it
    grants no license with a version itself (its own license wins; a version-less family
    of its own may be pinned by the site's)."""
    return not any(e.role == GRANT and e.scope == SCOPE_PAGE and isinstance(e.license, License)
                   for e in found)


def _on_site(policy: SitePolicy, url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host_matches(pattern, host) for pattern in policy.hosts) \
        and url_port(url) in policy.ports


def license_page(policy: SitePolicy, page_url: str,
                 selector: Selector | None) -> LicensePageLink | None:
    """The license page of ``policy``'s site: the one it names, else the best link of the
    page's footer whose text names a license page, on the site, that is not a license's
    own URL (a link to a CC deed is a statement, read as one by the detector)."""
    if policy.licenses.page is not None:
        return LicensePageLink(policy.licenses.page, BY_POLICY)
    for link in find_footer_links(selector, page_url) if selector is not None else ():
        if link.kind == LICENSE and link.weight == NAMES_THE_PAGE \
                and link.url != page_url and _on_site(policy, link.url) \
                and canonicalize_url(link.url) is None:
            return LicensePageLink(link.url, BY_FOOTER, link.text, page_url)
    return None


def read(link: LicensePageLink, fetched_at: float, status: int,
         statements: Sequence[LicenseEvidence]) -> LicensePageReading:
    """The site license in what the license page at ``link`` stated (``statements``, as
    detected in its answer with ``status``): its one page-scope grant, as a ``site``
    statement."""
    if not 200 <= status < 300:
        return unreadable(link, fetched_at, f"HTTP {status}", status)
    grant, problem = page_grant(statements)
    if grant is None:
        return LicensePageReading(link, fetched_at, status, problem=problem)
    excluded = media_exclusion(statements)
    taken = f"; it takes some images out of it: {excluded.snippet[:120]!r}" if excluded else ""
    statement = replace(grant, channel=CHANNEL, location=f"{link.url} {grant.channel} "
                        f"{grant.location}", scope=SCOPE_SITE, document=link.url, part="site",
                        note=f"the site's license page ({link.found_by}){taken}",
                        media_excluded=excluded is not None)
    return LicensePageReading(link, fetched_at, status, statement)


def unreadable(link: LicensePageLink, fetched_at: float, error: str,
               status: int | None = None) -> LicensePageReading:
    """A license page that could not be read: no site license."""
    return LicensePageReading(link, fetched_at, status, problem=error, unreadable=True)


def fetch_decision(reading: LicensePageReading, policy: SitePolicy) -> Decision:
    """The ledger line of a reading (refused when unreadable: no site license)."""
    url = reading.link.url
    record = reading.record()
    if reading.statement is not None:
        sentence = (f"The license page {url} of {policy.name} grants the site "
                    f"{record['spdx'] or record['canonical_url']}.")
    elif reading.unreadable:
        sentence = (f"The license page {url} of {policy.name} cannot be read "
                    f"({reading.problem}): no site license.")
    else:
        sentence = f"The license page {url} of {policy.name} gives no site license: " \
                   f"{reading.problem}."
    return Decision(GATE, not reading.unreadable, reading.reason, sentence,
                    {**record, "policy": policy.name})
