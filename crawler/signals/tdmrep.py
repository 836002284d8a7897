"""TDMRep (W3C CG final report, signals.md §B): the ``tdm-reservation`` header and meta
element, ``/.well-known/tdmrep.json`` and the precedence between them.

``tdm-reservation`` is reserved only for exactly ``1`` and not reserved only for exactly ``0``
(after trimming; a comma-folded repeated header is split, any ``1`` wins, ``0`` only if every
element is ``0``); anything else is a protocol error = unset (no signal). In
``/.well-known/tdmrep.json`` (:class:`TdmRepFile`) ``1``/``0`` may be a JSON integer or string;
a rule without a ``location`` or with any other value is not a rule and is skipped (recorded in
``errors``), so it can never mask a later reservation. Malformed JSON → unknown; valid JSON
that is not an array → no statement. Precedence follows the spec's "supersede" wording:
file < header < meta; the highest level with an explicit value decides, absence or an invalid
value at a higher level does not reset a lower one, and an explicit ``0`` at a higher level
does lift a lower ``1`` (the publisher's most specific statement). The superseded statement is
kept in ``detail["supersedes"]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from parsel import Selector

from crawler.signals.optout_types import ALLOWED, OPTOUT, SCOPE_ALL, UNKNOWN, OptOutSignal, snip
from crawler.signals.response_fields import Meta, header_values, meta_snippet, page_metas
from crawler.signals.robots import path_from_url
from crawler.signals.robots_match import make_pattern
from crawler.signals.site_file import ItemView, SiteFile
from crawler.urlpath import Pattern, canonical_path

__all__ = [
    "TDMREP_FILE",
    "TDMREP_URL",
    "TdmRepFile",
    "TdmRule",
    "tdm_header",
    "tdm_meta",
    "tdmrep_effective",
    "tdmrep_from_metas",
    "tdmrep_signals",
]

TDMREP_URL = "/.well-known/tdmrep.json"
_MAX_TDMREP_BYTES = 5 * 1024 * 1024


def _reservation(values: Sequence[str]) -> str | None:
    """"1", "0" or None (unset) from one or more raw tdm-reservation values."""
    elements = [e.strip() for v in values for e in v.split(",")]
    if "1" in elements:
        return "1"
    if elements and all(e == "0" for e in elements):
        return "0"
    return None


def _tdm_signal(signal: str, reservation: str, policy: str | None, snippet: str,
                location: str, **extra: str) -> OptOutSignal:
    detail = {"tdm-reservation": reservation, **extra}
    if policy and reservation == "1":
        detail["tdm-policy"] = policy
    return OptOutSignal(signal, OPTOUT if reservation == "1" else ALLOWED, SCOPE_ALL,
                        snip(snippet), location, detail)


def tdm_header(headers: Mapping[str, Sequence[str]] | None) -> OptOutSignal | None:
    """The ``tdm-reservation`` (+ ``tdm-policy``) response header, None when unset."""
    values = header_values(headers, "tdm-reservation")
    reservation = _reservation(values)
    if reservation is None:
        return None
    policies = [p.strip() for p in header_values(headers, "tdm-policy") if p.strip()]
    snippet = "; ".join(f"tdm-reservation: {v}" for v in values)
    if policies:
        snippet += f"; tdm-policy: {policies[0]}"
    return _tdm_signal("tdm-reservation-header", reservation, policies[0] if policies else None,
                       snippet, "header tdm-reservation")


def _tdm_meta_from(metas: Sequence[Meta]) -> OptOutSignal | None:
    reservations = [c for n, _h, c, _r in metas if n == "tdm-reservation"]
    reservation = _reservation(reservations)
    if reservation is None:
        return None
    policies = [c.strip() for n, _h, c, _r in metas if n == "tdm-policy" and c.strip()]
    snippet = " ".join(meta_snippet("tdm-reservation", c) for c in reservations)
    if policies:
        snippet += " " + meta_snippet("tdm-policy", policies[0])
    return _tdm_signal("tdm-reservation-meta", reservation, policies[0] if policies else None,
                       snippet, 'html meta[name="tdm-reservation"]')


def tdm_meta(selector: Selector | None) -> OptOutSignal | None:
    """``<meta name="tdm-reservation">`` (+ ``tdm-policy``) of a page, None when unset."""
    return _tdm_meta_from(page_metas(selector))


@dataclass(frozen=True)
class TdmRule:
    """One valid rule of a tdmrep.json file."""

    index: int  # 0-based position in the array
    location: str  # as written
    reservation: str  # "1" | "0"
    policy: str | None
    raw: str  # the rule as compact JSON
    pattern: Pattern = field(compare=False, repr=False)


class TdmRepFile:
    """A parsed ``/.well-known/tdmrep.json``. Build it with :meth:`parse`.

    ``status`` is ``"rules"`` (a JSON array, possibly with no valid rule), ``"no-statement"``
    (valid JSON that is not an array) or ``"malformed"`` (not JSON, not UTF-8, too large).
    """

    def __init__(self, status: str, rules: Sequence[TdmRule] = (), errors: Sequence[str] = (),
                 url: str = TDMREP_URL) -> None:
        self.status = status
        self.rules = tuple(rules)
        self.errors = tuple(errors)
        self.url = url

    def __repr__(self) -> str:
        return f"TdmRepFile(status={self.status!r}, rules={len(self.rules)}, url={self.url!r})"

    @classmethod
    def parse(cls, body: bytes, url: str = TDMREP_URL) -> TdmRepFile:
        """Parse a tdmrep.json body. Never raises."""
        if isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        if not isinstance(body, bytes) or len(body) > _MAX_TDMREP_BYTES:
            return cls("malformed", errors=["not bytes or too large"], url=url)
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            return cls("malformed", errors=[f"invalid JSON: {exc}"[:200]], url=url)
        if not isinstance(data, list):
            return cls("no-statement", errors=["the file is not a JSON array"], url=url)
        rules: list[TdmRule] = []
        errors: list[str] = []
        for index, item in enumerate(data):
            rule = cls._rule(index, item, errors)
            if rule is not None:
                rules.append(rule)
        return cls("rules", rules, errors, url)

    @staticmethod
    def _rule(index: int, item: object, errors: list[str]) -> TdmRule | None:
        if not isinstance(item, dict):
            errors.append(f"rule {index + 1}: not an object")
            return None
        location = item.get("location")
        if not isinstance(location, str) or not location.strip():
            errors.append(f"rule {index + 1}: no location")
            return None
        value = item.get("tdm-reservation")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            reservation = None
        else:
            reservation = str(value).strip()
        if reservation not in ("0", "1"):
            errors.append(f"rule {index + 1}: tdm-reservation {value!r} is neither 1 nor 0")
            return None
        text = location.strip()
        if text.startswith(("http://", "https://", "//")):
            text = path_from_url(text)
        pattern = make_pattern(text, fix_relative=True)
        if pattern is None:
            return None
        policy = item.get("tdm-policy")
        raw = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        return TdmRule(index, location, reservation,
                       policy.strip() if isinstance(policy, str) and policy.strip() else None,
                       snip(raw), Pattern(pattern))

    def lookup(self, path: str) -> OptOutSignal | None:
        """The first rule matching ``path`` (a path+query or a URL), None when no rule does
        or the file makes no statement; an unknown signal for a malformed file."""
        if self.status == "malformed":
            return OptOutSignal("tdmrep.json", UNKNOWN, SCOPE_ALL,
                                snip(self.errors[0] if self.errors else ""), self.url,
                                {"error": self.errors[0] if self.errors else "malformed"})
        if not self.rules:
            return None
        normalised = canonical_path(path_from_url(path))
        for rule in self.rules:
            if rule.pattern.matches(normalised):
                return _tdm_signal("tdmrep.json", rule.reservation, rule.policy, rule.raw,
                                   f"{self.url} rule {rule.index + 1}", pattern=rule.location)
        return None


def tdmrep_effective(file: OptOutSignal | None, header: OptOutSignal | None,
                     meta: OptOutSignal | None) -> OptOutSignal | None:
    """The TDMRep statement that applies: meta over header over file (each one supersedes
    the levels below it only where it states 1 or 0; see the module docstring)."""
    chosen: OptOutSignal | None = None
    for signal in (file, header, meta):
        if signal is None:
            continue
        if chosen is not None and (chosen.detail.get("tdm-reservation")
                                   != signal.detail.get("tdm-reservation")):
            signal = OptOutSignal(
                signal.signal, signal.state, signal.scope, signal.snippet, signal.location,
                {**signal.detail, "supersedes": f"{chosen.signal}: {chosen.snippet}"[:300]})
        chosen = signal
    return chosen


def tdmrep_from_metas(headers: Mapping[str, Sequence[str]] | None, metas: Sequence[Meta] | None,
                      file: TdmRepFile | None, path: str | None) -> list[OptOutSignal]:
    """:func:`tdmrep_signals` over the meta elements already read by
    :func:`~crawler.signals.response_fields.page_metas` (None: no meta elements to read)."""
    from_file = file.lookup(path) if file is not None and path is not None else None
    meta = _tdm_meta_from(metas) if metas is not None else None
    effective = tdmrep_effective(from_file, tdm_header(headers), meta)
    return [effective] if effective is not None else []


def tdmrep_signals(headers: Mapping[str, Sequence[str]] | None, selector: Selector | None,
                   file: TdmRepFile | None = None, path: str | None = None
                   ) -> list[OptOutSignal]:
    """The effective TDMRep statement (0 or 1 signal) for the item at ``path``."""
    return tdmrep_from_metas(headers, page_metas(selector), file, path)


def _item_signals(file: TdmRepFile | None, item: ItemView) -> list[OptOutSignal]:
    """The item's effective TDMRep: the site's file, its header, its meta (in that order of
    precedence), so TDMRep is read for every item even when the site has no file."""
    return tdmrep_from_metas(item.headers, item.metas, file, item.path)


TDMREP_FILE = SiteFile("tdmrep.json", TDMREP_URL, TdmRepFile.parse, _item_signals)
