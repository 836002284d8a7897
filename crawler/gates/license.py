"""Gate 5: does the item carry a license this policy accepts for this purpose?"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.gates.decision import Decision
from crawler.policy.model import SitePolicy
from crawler.signals.license_detect import LicenseEvidence
from crawler.signals.licenses import License, UnversionedCC

GATE = "license"


def check(found: Sequence[LicenseEvidence], fallback: Sequence[LicenseEvidence],
          policy: SitePolicy, purpose: str) -> tuple[Decision, LicenseEvidence | None]:
    """Decide on the statements ``found`` in the item; ``fallback`` (the policy default, or
    the page license for images where the policy says so) counts only when the item states
    no license at all. Returns the decision and the statement it rests on."""
    scoped = [e for e in found if e.scope == "page"]
    known = [e for e in scoped if isinstance(e.license, License)]
    records = [e.as_record() for e in (*found, *fallback)]
    ids = sorted({e.license.spdx for e in known})  # type: ignore[union-attr]
    if len(ids) > 1:
        return Decision.deny(GATE, "license_conflict",
                             f"The item states conflicting licenses: {', '.join(ids)}.",
                             statements=records), None
    if known:
        chosen = known[0]
    elif scoped:
        first = scoped[0]
        what = (f"a {first.license.family} license without a version"
                if isinstance(first.license, UnversionedCC) else "no known license")
        return Decision.deny(GATE, "license_unknown",
                             f"The license link {first.url} names {what}.",
                             statements=records), None
    elif fallback:
        chosen = fallback[0]
    else:
        return Decision.deny(GATE, "license_missing",
                             "No license statement was found and the policy grants none.",
                             statements=records), None
    lic = chosen.license
    assert isinstance(lic, License)
    if not policy.licenses.accepted(lic.spdx, purpose):
        return Decision.deny(
            GATE, "license_not_accepted",
            f"{lic.spdx} is not among the licenses policy {policy.name} accepts for {purpose}.",
            spdx=lic.spdx, statements=records), chosen
    return Decision.allow(GATE, f"{lic.spdx} ({chosen.channel}) is accepted for {purpose}.",
                          spdx=lic.spdx, statements=records), chosen
