"""Gate 5: does the item carry a license this policy accepts for this purpose?

Only *grants* count (see :mod:`crawler.signals.license_detect`): mentions in running text and
notices ("All rights reserved", a copyright line) are recorded but decide nothing. For a page,
only grants with page scope count; an image counts the grants about itself (its own ``Link``
header and XMP, and what its page says about it). Then:

* no grant → the ``fallback`` (page license where the policy says images share it; the policy
  default), else ``license_missing``; an image whose page reserves all rights in it does not
  fall back (``license_reserved``);
* grants that disagree (different licenses, or a version-less CC family that another grant
  does not refine) → ``license_conflict``, unless ``licenses.on_conflict`` says which wins;
* an image whose page only says that *some* of its images are under another license ("some
  images are licensed under CC BY-SA 4.0": an exception, not said which) is under the page's
  license (the fallback) or the exception's: the same → that license; different → a conflict
  the policy's ``on_conflict`` resolves; without a fallback → ``license_missing``;
* a grant that names no known license → ``license_unknown``;
* a CC family without a version ("licensed under CC BY") that neither another grant nor the
  fallback pins is what the policy's ``licenses.unversioned`` says: nothing
  (``reject``, the default: ``license_unknown``), the whole family (``family``: the item is
  under ``CC-BY-*``, which only an accept list taking every version accepts) or the
  family's latest version (``assume-latest``: CC-BY-4.0); the decision's ``unversioned``
  evidence records the mode, the family, the license taken and the statement;
* the chosen license not accepted for the purpose → ``license_not_accepted``.

Every statement's record in the decision says what became of it (``status``): ``chosen``,
``consistent`` (agrees with the chosen one), ``overridden`` (lost a conflict the policy
resolved), ``conflicting``, ``unknown``, ``out_of_scope``, ``mention``, ``notice``,
``exception`` (about some images, not said which) or ``unused`` (a fallback not needed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from crawler.gates.decision import Decision
from crawler.policy.model import (
    ON_CONFLICT_EXCLUDE,
    ON_CONFLICT_MOST_RESTRICTIVE,
    UNVERSIONED_ASSUME_LATEST,
    UNVERSIONED_FAMILY,
    UNVERSIONED_REJECT,
    SitePolicy,
)
from crawler.signals.cc_licenses import UnversionedCC, restates
from crawler.signals.license_detect import (
    GRANT,
    NOTICE,
    RIGHTS_RESERVED,
    SCOPE_ASSET,
    SCOPE_OTHER,
    SCOPE_PAGE,
    SOME_IMAGES,
    LicenseEvidence,
)
from crawler.signals.license_evidence import (
    ALL_IMAGES,
    distinct_licenses,
    license_key,
    takes_media_out,
)
from crawler.signals.license_model import License
from crawler.signals.license_patterns import FAMILY_SUFFIX
from crawler.signals.unversioned import as_family, family_pattern, latest

GATE = "license"
#: ``unversioned`` evidence: the version of the license taken
VERSION_UNKNOWN, VERSION_ASSUMED_LATEST = "unknown", "assumed-latest"
#: what a version-less family is taken as, per ``licenses.unversioned`` mode
_TAKE: dict[str, Callable[[UnversionedCC], License | None]] = {
    UNVERSIONED_FAMILY: as_family, UNVERSIONED_ASSUME_LATEST: latest}

#: the sidecar prefers these channels when several statements agree (most explicit first)
_CHANNEL_RANK = {"http:link": 0, "html:a": 1, "html:link": 1, "html:area": 1, "rdfa": 2,
                 "microdata": 2, "jsonld": 3, "html:meta": 4, "xmp:cc:license": 1,
                 "xmp:xmpRights:WebStatement": 2, "xmp:xmpRights:UsageTerms": 3,
                 "html:comment": 2, "html:badge": 5, "html:cc-link": 6, "html:attr": 6,
                 "text": 7}

_Lic = License | UnversionedCC


def _label(lic: _Lic) -> str:
    return lic.spdx if isinstance(lic, License) else f"{lic.family.upper()} (version unknown)"


def check(found: Sequence[LicenseEvidence], fallback: Sequence[LicenseEvidence],
          policy: SitePolicy, purpose: str,
          kind: str = "page") -> tuple[Decision, LicenseEvidence | None]:
    """Decide on the statements ``found`` for the item (a ``page`` or an ``image``);
    ``fallback`` (the page license for images where the policy says so, then the policy
    default) counts only when the item's statements grant nothing. Returns the decision and
    the statement it rests on."""
    return _Check(found, fallback, policy, purpose, kind).run()


class _Check:
    def __init__(self, found: Sequence[LicenseEvidence], fallback: Sequence[LicenseEvidence],
                 policy: SitePolicy, purpose: str, kind: str):
        self.found, self.fallback = list(found), list(fallback)
        self.policy, self.purpose, self.kind = policy, purpose, kind
        self.status: dict[int, str] = {}

    # --- records -------------------------------------------------------------------------
    def applies(self, e: LicenseEvidence) -> bool:
        if self.kind == "page":
            return e.scope == SCOPE_PAGE
        return e.scope != SCOPE_OTHER  # an image's statements are about the image

    def reaches(self, fallback: LicenseEvidence) -> bool:
        """Can a fallback license reach this item? Not an image, when the license's own
        document takes some images out of it."""
        return self.kind == "page" or not fallback.media_excluded

    def records(self) -> list[dict[str, object]]:
        out = []
        for e in self.found:
            rec = e.as_record()
            rec["status"] = self.status.get(id(e)) or (
                e.role if e.role != GRANT else "out_of_scope" if not self.applies(e)
                else "unknown" if e.license is None else "conflicting")
            out.append(rec)
        for e in self.fallback:
            rec = e.as_record()
            rec["status"] = self.status.get(id(e), "unused")
            rec["fallback"] = True
            out.append(rec)
        return out

    def deny(self, reason: str, sentence: str, **extra: object
             ) -> tuple[Decision, LicenseEvidence | None]:
        return Decision.deny(GATE, reason, sentence, statements=self.records(), **extra), None

    # --- decision ------------------------------------------------------------------------
    def run(self) -> tuple[Decision, LicenseEvidence | None]:
        grants = [e for e in self.found if e.role == GRANT and self.applies(e)]
        exceptions = [e for e in grants if self.kind != "page" and e.scope == SCOPE_ASSET
                      and SOME_IMAGES in e.assets]
        grants = [e for e in grants if e not in exceptions]
        barred = [e for e in self.fallback if not self.reaches(e)]
        if barred and not grants and len(barred) == len(self.fallback):
            for e in barred:
                self.status[id(e)] = "exception"
            return self.deny("license_missing",
                             f"The license this image's page has ({barred[0].note}) does not "
                             "reach every image, and the image states none of its own.")
        unstated = [e for e in exceptions if takes_media_out(e)]
        if unstated and grants and all(e.scope == SCOPE_ASSET and ALL_IMAGES in e.assets
                                       for e in grants):  # "photos are …, except reused ones"
            return self.taken_out(exceptions, unstated)
        if not grants and exceptions:
            return self.narrowed(exceptions, unstated)
        if not grants:
            return self.no_grant()
        known = [e for e in grants if e.license is not None]
        if not known:
            first = grants[0]
            return self.deny("license_unknown",
                             f"The license statement {first.url or first.snippet[:80]!r} "
                             f"({first.channel}) names no known license.")
        candidates = distinct_licenses(known)
        if len(candidates) > 1:
            return self.conflict(known, candidates)
        only = candidates[0]
        if isinstance(only, UnversionedCC):
            return self.unversioned(known, only)
        return self.accept(known, only)

    def pick(self, known: list[LicenseEvidence], lic: License) -> LicenseEvidence:
        """The most explicit statement of ``lic``; the others agreeing with it are marked."""
        same = [e for e in known if e.license == lic]
        chosen = min(same, key=lambda e: _CHANNEL_RANK.get(e.channel, 8))
        for e in known:
            if e.license is not None and restates(e.license, lic):
                self.status[id(e)] = "consistent"
        self.status[id(chosen)] = "chosen"
        return chosen

    def accept(self, known: list[LicenseEvidence], lic: License, **extra: object
               ) -> tuple[Decision, LicenseEvidence | None]:
        chosen = self.pick(known, lic)
        return self.verdict(chosen, lic, **extra)

    def verdict(self, chosen: LicenseEvidence, lic: License, **extra: object
                ) -> tuple[Decision, LicenseEvidence | None]:
        records = self.records()
        if not self.policy.licenses.accepted(lic.spdx, self.purpose):
            why = (" (a NonCommercial license)" if self.purpose == "commercial"
                   and not lic.allows_commercial
                   else " (a family without a version: accepted only where every version is)"
                   if lic.spdx.endswith(FAMILY_SUFFIX) else "")
            return Decision.deny(
                GATE, "license_not_accepted",
                f"{lic.spdx}{why} is not among the licenses policy {self.policy.name} accepts "
                f"for {self.purpose}.", spdx=lic.spdx, scope=chosen.scope, statements=records,
                **extra), chosen
        return Decision.allow(
            GATE, f"{lic.spdx} ({chosen.channel}, {chosen.scope} scope) is accepted for "
            f"{self.purpose}.", spdx=lic.spdx, scope=chosen.scope, statements=records,
            **extra), chosen

    def unversioned(self, known: list[LicenseEvidence], family: UnversionedCC
                    ) -> tuple[Decision, LicenseEvidence | None]:
        """A CC family without a version: the fallback may pin the version; else the
        policy says what the family is worth (:meth:`take`)."""
        for e in self.fallback:
            if isinstance(e.license, License) and family.covers(e.license):
                for other in known:
                    self.status[id(other)] = "consistent"
                self.status[id(e)] = "chosen"
                return self.verdict(e, e.license, version_from=e.channel)
        return self.take(known, family)

    def take(self, known: list[LicenseEvidence], family: UnversionedCC, **extra: object
             ) -> tuple[Decision, LicenseEvidence | None]:
        """``family``, stated without a version that anything pins, taken as
        ``licenses.unversioned`` says: not at all, as the whole family, or as its latest
        version; the ``unversioned`` evidence says which, and from what statement."""
        mode = self.policy.licenses.unversioned
        stated = [e for e in known if e.license == family]
        statement = stated[0]
        taken = _TAKE[mode](family) if mode in _TAKE else None
        pattern = family_pattern(family)
        record = {"mode": mode, "family": pattern.text if pattern is not None else None,
                  "version": VERSION_ASSUMED_LATEST if mode == UNVERSIONED_ASSUME_LATEST
                  and taken is not None else VERSION_UNKNOWN,
                  "license": taken.spdx if taken is not None else None,
                  "statement": statement.as_record()}
        if taken is None:
            for e in stated:
                self.status[id(e)] = "unknown"
            why = ("" if mode == UNVERSIONED_REJECT
                   else "; the license-pattern grammar has no family for it")
            return self.deny(
                "license_unknown",
                f"The license statement {statement.url or statement.snippet[:80]!r} "
                f"({statement.channel}) names {family.name}: the family is known, the license "
                f"is not (licenses.unversioned: {mode}{why}).", unversioned=record, **extra)
        for e in stated:
            self.status[id(e)] = "consistent"
        self.status[id(statement)] = "chosen"
        if mode == UNVERSIONED_ASSUME_LATEST:
            statement = replace(statement, license=taken, note="; ".join(filter(None, (
                statement.note, f"no version stated: taken as {taken.spdx}, the latest of "
                f"{record['family']} (licenses.unversioned: {mode})"))))
        return self.verdict(statement, taken, unversioned=record, **extra)

    def conflict(self, known: list[LicenseEvidence], candidates: list[_Lic]
                 ) -> tuple[Decision, LicenseEvidence | None]:
        rule = self.policy.licenses.on_conflict
        labels = sorted(_label(c) for c in candidates)
        info: dict[str, object] = {"licenses": labels, "on_conflict": rule}
        if rule == ON_CONFLICT_MOST_RESTRICTIVE:
            top = [c for c in candidates
                   if all(o.obligations <= c.obligations for o in candidates)]
            if top:
                # equally restrictive but different licenses (CC-BY-3.0 and CC-BY-4.0): the
                # item must be acceptable under each, so the first refused one decides
                refused = [c for c in top if not isinstance(c, License)
                           or not self.policy.licenses.accepted(c.spdx, self.purpose)]
                return self.resolved(known, refused[0] if refused else top[0], info)
        elif rule != ON_CONFLICT_EXCLUDE:
            for c in candidates:
                if isinstance(c, License) and c.spdx == rule:
                    return self.resolved(known, c, info)
        why = {ON_CONFLICT_EXCLUDE: "", ON_CONFLICT_MOST_RESTRICTIVE:
               " and none of them is the most restrictive"}.get(
            rule, f" and the policy's choice {rule} is not among them")
        return self.deny("license_conflict",
                         f"The item states conflicting licenses: {', '.join(labels)}{why}.",
                         conflict=info)

    def resolved(self, known: list[LicenseEvidence], winner: _Lic, info: dict[str, object]
                 ) -> tuple[Decision, LicenseEvidence | None]:
        info["chosen"] = _label(winner)
        for e in known:
            self.status[id(e)] = "overridden"
        if isinstance(winner, UnversionedCC):
            return self.take(known, winner, conflict=info)
        chosen = self.pick(known, winner)
        return self.verdict(chosen, winner, conflict=info)

    def narrowed(self, exceptions: list[LicenseEvidence], unstated: list[LicenseEvidence]
                 ) -> tuple[Decision, LicenseEvidence | None]:
        """The image is under the page's license or under the exception for some images
        (``unstated``: the exceptions that name no license)."""
        usable = [e for e in self.fallback if isinstance(e.license, License) and self.reaches(e)]
        if usable and unstated:  # "figures reused from other sources don't fall under …"
            return self.taken_out(exceptions, unstated)
        if not usable:
            first = exceptions[0]
            for e in exceptions:
                self.status[id(e)] = "exception"
            return self.deny("license_missing",
                             f"The page says only that some of its images are under another "
                             f"license ({first.snippet[:80]!r}) and grants none for this one.")
        fallback = usable[0]
        known = [fallback, *(e for e in exceptions if e.license is not None)]
        distinct: dict[str, _Lic] = {}
        for e in known:
            distinct.setdefault(license_key(e.license), e.license)  # type: ignore[arg-type]
        if len(distinct) == 1:
            for e in exceptions:
                self.status[id(e)] = "consistent"
            self.status[id(fallback)] = "chosen"
            return self.verdict(fallback, fallback.license)  # type: ignore[arg-type]
        return self.conflict(known, list(distinct.values()))

    def taken_out(self, exceptions: list[LicenseEvidence], unstated: list[LicenseEvidence]
                  ) -> tuple[Decision, LicenseEvidence | None]:
        """Some images are taken out of the license the image would take, and which ones is
        not said: none of them takes it."""
        for e in exceptions:
            self.status[id(e)] = "exception"
        return self.deny("license_missing",
                         f"The page takes some of its images out of its license "
                         f"({unstated[0].snippet[:80]!r}) and grants none for this one.")

    def no_grant(self) -> tuple[Decision, LicenseEvidence | None]:
        # a page's "All rights reserved" does not undo the reviewed site-wide grant; an
        # image whose own credit reserves all rights does not inherit a license
        reserved = [e for e in self.found if e.role == NOTICE and e.note == RIGHTS_RESERVED
                    and self.kind != "page" and self.applies(e)]
        usable = [e for e in self.fallback if self.reaches(e) and (
            isinstance(e.license, License) or (isinstance(e.license, UnversionedCC)
                                               and self.policy.licenses.unversioned
                                               != UNVERSIONED_REJECT))]
        if usable and reserved:
            return self.deny("license_reserved",
                             f"{reserved[0].snippet[:80]!r} ({reserved[0].channel}) reserves "
                             "all rights in this item: the fallback license does not apply.")
        if usable:
            chosen = usable[0]
            if isinstance(chosen.license, UnversionedCC):
                return self.take([chosen], chosen.license)
            self.status[id(chosen)] = "chosen"
            return self.verdict(chosen, chosen.license)  # type: ignore[arg-type]
        elsewhere = [e for e in self.found if e.role == GRANT and e.license is not None]
        notices = [e for e in self.found if e.role == NOTICE and e.note == RIGHTS_RESERVED]
        if elsewhere and self.kind == "page":
            what = ("embedded images" if elsewhere[0].scope != SCOPE_OTHER
                    else "other things the page describes")
            detail = (f" Licenses were stated only for {what} "
                      f"({elsewhere[0].note or elsewhere[0].scope}).")
        elif notices:
            detail = f" It says {notices[0].snippet[:80]!r}."
        else:
            detail = ""
        return self.deny("license_missing",
                         "No license statement was found for the item and the policy grants "
                         f"none.{detail}")
