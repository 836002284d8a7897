"""Item opt-out signals (signals.md §B): read what a response says about AI use of it.

Pure: works on a header mapping (name → list of values, as Scrapy gives them), the parsel
``Selector`` Scrapy already built for a page, and the raw bytes of an image. No Scrapy, no
network. Every reader returns :class:`OptOutSignal` values; the opt-out gate
(:mod:`crawler.gates.optout`) turns them into a decision. A signal is ``optout``, ``allowed``
or ``unknown`` (present but unreadable: fails closed); absence of a statement is no signal.

Readers and the choices made where the sources leave room:

* **noai / noimageai** (:func:`robots_directives`): ``X-Robots-Tag`` headers (every value of
  every repeated header), ``<meta name="robots">``, ``<meta name="{token}">`` and
  ``<meta http-equiv="X-Robots-Tag">``, all case-insensitive. A value is a comma list;
  ``bot:`` prefixes a directive and scopes it *and every directive after it* until the next
  prefix (``noai, otherbot: noindex`` → noai is ours; ``otherbot: noai, noimageai`` → neither
  is). The scope restarts at each header value and each meta tag. A prefix is a name starting
  with a letter followed by ``:``, except the valued directives (``max-snippet: 20``,
  ``unavailable_after: …``), so a date never opens a scope. Within a directive, whitespace also
  separates directives (``noai noimageai`` counts twice). ``noindex``/``none`` (and
  ``noimageindex``, for images) count only with ``honour_noindex``.
* **TDMRep** (W3C CG final report): ``tdm-reservation`` is reserved only for exactly ``1`` and
  not reserved only for exactly ``0`` (after trimming; a comma-folded repeated header is split,
  any ``1`` wins, ``0`` only if every element is ``0``); anything else is a protocol error =
  unset (no signal). In ``/.well-known/tdmrep.json`` (:class:`TdmRepFile`) ``1``/``0`` may be a
  JSON integer or string; a rule without a ``location`` or with any other value is not a rule
  and is skipped (recorded in ``errors``), so it can never mask a later reservation. Malformed
  JSON → unknown; valid JSON that is not an array → no statement. Precedence follows the spec's
  "supersede" wording: file < header < meta; the highest level with an explicit value decides,
  absence or an invalid value at a higher level does not reset a lower one, and an explicit
  ``0`` at a higher level does lift a lower ``1`` (the publisher's most specific statement).
  The superseded statement is kept in ``detail["supersedes"]``.
* **Content-Usage header** (:func:`content_usage_header`, IETF AIPREF): all field lines are
  joined with ``,`` and parsed as one RFC 9651 Dictionary (how HTTP combines repeated fields),
  so the last ``train-ai`` wins; ``n`` → opt-out, ``y`` → allowed, any other value or a parse
  failure → unknown, no ``train-ai`` → no signal.
* **Images** (:func:`image_signals`): XMP ``plus:DataMining`` ``DMI-PROHIBITED*`` → opt-out,
  ``DMI-ALLOWED`` → allowed, ``DMI-UNSPECIFIED`` or any other value → unknown (signals.md);
  an image without the property says nothing. A present XMP packet that cannot be parsed →
  unknown. C2PA / CAWG ``training-mining`` assertions are read with ``c2pa-python`` (only when
  the container holds a manifest store; no network: remote manifests and OCSP are off) from
  every manifest in the store (ingredients included: their content is in the image);
  ``ai_training``, ``ai_generative_training`` and ``data_mining`` entries with ``notAllowed``
  or ``constrained`` → opt-out, ``allowed`` → allowed, any other ``use`` → unknown. The
  signature's trust is not required for an opt-out to count. A manifest that cannot be read, a
  training-mining assertion the validator reports unreadable (its CBOR would otherwise simply
  be missing), or ``c2pa-python`` missing → unknown.
* ``/ai.txt`` lives in :mod:`crawler.signals.aitxt`.

:func:`item_signals` gathers everything for one fetched item with a single pass over the meta
elements of a page.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parsel import Selector

from crawler.signals.robots import (
    SFParseError,
    SFToken,
    _make_pattern,
    parse_sf_dictionary,
    path_from_url,
)
from crawler.signals.xmp import parse_xmp, scan_container
from crawler.urlpath import Pattern, canonical_path

if TYPE_CHECKING:
    from crawler.signals.aitxt import AiTxt

__all__ = [
    "ALLOWED",
    "OPTOUT",
    "ROBOTS_DIRECTIVE_SIGNALS",
    "SCOPE_ALL",
    "SCOPE_IMAGES",
    "TDMREP_URL",
    "UNKNOWN",
    "OptOutSignal",
    "TdmRepFile",
    "TdmRule",
    "content_usage_header",
    "image_signals",
    "item_signals",
    "robots_directives",
    "tdm_header",
    "tdm_meta",
    "tdmrep_effective",
    "tdmrep_signals",
]

OPTOUT, ALLOWED, UNKNOWN = "optout", "allowed", "unknown"
SCOPE_ALL, SCOPE_IMAGES = "all", "images"

#: Signal names of the noai/noimageai family (the ones that also remove a page's images).
ROBOTS_DIRECTIVE_SIGNALS = frozenset({"x-robots-tag", "meta-robots", "meta-bot"})

_SNIPPET_MAX = 300


@dataclass(frozen=True)
class OptOutSignal:
    """One statement about AI use found in or about an item."""

    signal: str  # x-robots-tag, meta-robots, meta-bot, tdm-reservation-header, ...
    state: str  # optout | allowed | unknown
    scope: str  # all (the item and, for a page, its media) | images (images only)
    snippet: str  # the exact text found (truncated)
    location: str  # where: header name, element, file and line/rule, XMP, manifest
    detail: dict[str, str] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        return {"signal": self.signal, "state": self.state, "scope": self.scope,
                "snippet": self.snippet, "location": self.location, "detail": dict(self.detail)}


def _snip(text: str) -> str:
    return text[:_SNIPPET_MAX]


def _str(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else str(value)


def _values(headers: Mapping[str, Sequence[str]] | None, name: str) -> list[str]:
    """All values of header ``name`` (case-insensitive), from a name → values mapping; str or
    bytes names and values (Scrapy's own ``Headers``) both work, a bare str value too."""
    if not headers:
        return []
    lname = name.lower()
    out: list[str] = []
    for key, values in headers.items():
        if _str(key).lower() != lname:
            continue
        if isinstance(values, (str, bytes)):
            out.append(_str(values))
        else:
            out.extend(_str(v) for v in values)
    return out


# --------------------------------------------------------------------------------------------
# Meta elements: one pass per page
# --------------------------------------------------------------------------------------------

_XHTML_META = "{http://www.w3.org/1999/xhtml}meta"
#: (name lower-cased, http-equiv lower-cased, content, name as written) of every <meta>
_Meta = tuple[str, str, str, str]


def _metas(selector: Selector | None) -> list[_Meta]:
    """Every ``<meta>`` element of the page, read in one C-level walk of the lxml tree."""
    if selector is None:
        return []
    root = getattr(selector, "root", None)
    iterate = getattr(root, "iter", None)
    if iterate is None:
        return []
    out: list[_Meta] = []
    for el in iterate("meta", _XHTML_META):
        attrib = el.attrib
        content = attrib.get("content")
        if content is None:
            continue
        raw = (attrib.get("name") or "").strip()
        out.append((raw.lower(), (attrib.get("http-equiv") or "").strip().lower(), content,
                    raw))
    return out


def _meta_snippet(name: str, content: str, http_equiv: bool = False) -> str:
    attr = "http-equiv" if http_equiv else "name"
    return _snip(f'<meta {attr}="{name}" content="{content}">')


# --------------------------------------------------------------------------------------------
# noai / noimageai (X-Robots-Tag, robots meta)
# --------------------------------------------------------------------------------------------

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


def _robots_from(headers: Mapping[str, Sequence[str]] | None, metas: Sequence[_Meta],
                 token: str, honour_noindex: bool) -> list[OptOutSignal]:
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

    for value in _values(headers, "X-Robots-Tag"):
        read(value, None, "x-robots-tag", _snip(value), "header X-Robots-Tag")
    for name, http_equiv, content, raw in metas:
        if name == "robots":
            read(content, None, "meta-robots", _meta_snippet(raw, content),
                 'html meta[name="robots"]')
        elif ours and name == ours:
            read(content, ours, "meta-bot", _meta_snippet(raw, content),
                 f'html meta[name="{raw}"]')
        elif http_equiv == "x-robots-tag":
            read(content, None, "x-robots-tag", _meta_snippet("X-Robots-Tag", content, True),
                 'html meta[http-equiv="X-Robots-Tag"]')
    return found


def robots_directives(headers: Mapping[str, Sequence[str]] | None, selector: Selector | None,
                      token: str, honour_noindex: bool = False) -> list[OptOutSignal]:
    """noai / noimageai (and, if ``honour_noindex``, noindex / none / noimageindex) that apply
    to the crawler ``token``, from X-Robots-Tag headers and robots / bot meta elements."""
    return _robots_from(headers, _metas(selector), token, honour_noindex)


# --------------------------------------------------------------------------------------------
# TDMRep: header, meta, /.well-known/tdmrep.json, precedence
# --------------------------------------------------------------------------------------------

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
                        _snip(snippet), location, detail)


def tdm_header(headers: Mapping[str, Sequence[str]] | None) -> OptOutSignal | None:
    """The ``tdm-reservation`` (+ ``tdm-policy``) response header, None when unset."""
    values = _values(headers, "tdm-reservation")
    reservation = _reservation(values)
    if reservation is None:
        return None
    policies = [p.strip() for p in _values(headers, "tdm-policy") if p.strip()]
    snippet = "; ".join(f"tdm-reservation: {v}" for v in values)
    if policies:
        snippet += f"; tdm-policy: {policies[0]}"
    return _tdm_signal("tdm-reservation-header", reservation, policies[0] if policies else None,
                       snippet, "header tdm-reservation")


def _tdm_meta_from(metas: Sequence[_Meta]) -> OptOutSignal | None:
    reservations = [c for n, _h, c, _r in metas if n == "tdm-reservation"]
    reservation = _reservation(reservations)
    if reservation is None:
        return None
    policies = [c.strip() for n, _h, c, _r in metas if n == "tdm-policy" and c.strip()]
    snippet = " ".join(_meta_snippet("tdm-reservation", c) for c in reservations)
    if policies:
        snippet += " " + _meta_snippet("tdm-policy", policies[0])
    return _tdm_signal("tdm-reservation-meta", reservation, policies[0] if policies else None,
                       snippet, 'html meta[name="tdm-reservation"]')


def tdm_meta(selector: Selector | None) -> OptOutSignal | None:
    """``<meta name="tdm-reservation">`` (+ ``tdm-policy``) of a page, None when unset."""
    return _tdm_meta_from(_metas(selector))


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
        pattern = _make_pattern(text, fix_relative=True)
        if pattern is None:
            return None
        policy = item.get("tdm-policy")
        raw = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        return TdmRule(index, location, reservation,
                       policy.strip() if isinstance(policy, str) and policy.strip() else None,
                       _snip(raw), Pattern(pattern))

    def lookup(self, path: str) -> OptOutSignal | None:
        """The first rule matching ``path`` (a path+query or a URL), None when no rule does
        or the file makes no statement; an unknown signal for a malformed file."""
        if self.status == "malformed":
            return OptOutSignal("tdmrep.json", UNKNOWN, SCOPE_ALL,
                                _snip(self.errors[0] if self.errors else ""), self.url,
                                {"error": self.errors[0] if self.errors else "malformed"})
        if not self.rules:
            return None
        normalised = canonical_path(path_from_url(path))
        for rule in self.rules:
            if rule.pattern.matches(normalised):
                return _tdm_signal("tdmrep.json", rule.reservation, rule.policy, rule.raw,
                                   f"{self.url} rule {rule.index + 1}", pattern=rule.location)
        return None


_LEVELS = ("tdmrep.json", "tdm-reservation-header", "tdm-reservation-meta")


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


def _tdmrep_from(headers: Mapping[str, Sequence[str]] | None, metas: Sequence[_Meta] | None,
                 file: TdmRepFile | None, path: str | None) -> list[OptOutSignal]:
    from_file = file.lookup(path) if file is not None and path is not None else None
    meta = _tdm_meta_from(metas) if metas is not None else None
    effective = tdmrep_effective(from_file, tdm_header(headers), meta)
    return [effective] if effective is not None else []


def tdmrep_signals(headers: Mapping[str, Sequence[str]] | None, selector: Selector | None,
                   file: TdmRepFile | None = None, path: str | None = None
                   ) -> list[OptOutSignal]:
    """The effective TDMRep statement (0 or 1 signal) for the item at ``path``."""
    return _tdmrep_from(headers, _metas(selector), file, path)


# --------------------------------------------------------------------------------------------
# Content-Usage header (IETF AIPREF)
# --------------------------------------------------------------------------------------------


def content_usage_header(headers: Mapping[str, Sequence[str]] | None) -> list[OptOutSignal]:
    """``train-ai`` of the Content-Usage header(s): opt-out, allowed or unknown."""
    values = [v for v in _values(headers, "Content-Usage") if v.strip(" \t")]
    if not values:
        return []
    combined = ", ".join(v.strip(" \t") for v in values)
    location = "header Content-Usage"
    try:
        members = parse_sf_dictionary(combined)
    except SFParseError as exc:
        return [OptOutSignal("content-usage-header", UNKNOWN, SCOPE_ALL, _snip(combined),
                             location, {"error": str(exc)})]
    member = members.get("train-ai")
    if member is None:
        return []
    item = member[0]
    if isinstance(item, SFToken) and item in ("y", "n"):
        state = OPTOUT if item == "n" else ALLOWED
        return [OptOutSignal("content-usage-header", state, SCOPE_ALL, _snip(combined),
                             location, {"train-ai": str(item)})]
    return [OptOutSignal("content-usage-header", UNKNOWN, SCOPE_ALL, _snip(combined), location,
                         {"error": "train-ai is neither the token y nor n"})]


# --------------------------------------------------------------------------------------------
# Images: XMP plus:DataMining, C2PA / CAWG training-mining
# --------------------------------------------------------------------------------------------


def _data_mining_state(value: str) -> str:
    code = value.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    if code.startswith("DMI-PROHIBITED"):
        return OPTOUT
    if code == "DMI-ALLOWED":
        return ALLOWED
    return UNKNOWN  # DMI-UNSPECIFIED (signals.md) and anything unrecognised


def _xmp_signals(packets: Sequence[bytes], fmt: str | None) -> list[OptOutSignal]:
    found: list[OptOutSignal] = []
    where = f"XMP in {fmt or 'file'}"
    for n, packet in enumerate(packets, start=1):
        fields = parse_xmp(packet)
        location = f"{where} (packet {n})" if len(packets) > 1 else where
        for value in fields.data_mining:
            found.append(OptOutSignal("xmp-plus-datamining", _data_mining_state(value),
                                      SCOPE_ALL, _snip(value), location + " plus:DataMining",
                                      {"value": value[:_SNIPPET_MAX]}))
        if fields.malformed:
            found.append(OptOutSignal(
                "xmp-plus-datamining", UNKNOWN, SCOPE_ALL,
                _snip(packet[:_SNIPPET_MAX].decode("utf-8", "replace")), location,
                {"error": "the XMP packet cannot be parsed"}))
    return found


_TRAINING_MINING_RE = re.compile(r"(?:c2pa|cawg)\.training-mining(?:\.v\d+)?")
_TRAINING_ENTRIES = ("ai_training", "ai_generative_training", "data_mining")
# Validation stays on (it is what reports an assertion whose CBOR cannot be read, which would
# otherwise just be missing from the store); trust lists are not consulted and nothing is
# fetched.
_C2PA_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False,
                             "verify_trust": False, "verify_timestamp_trust": False}}
_c2pa_context: Any = None


def _c2pa_read(body: bytes, mime: str | None) -> dict[str, Any] | None:
    """The manifest store of an image as JSON (None: no manifest). Raises on failure."""
    global _c2pa_context
    import c2pa  # c2pa-python; imported lazily: a 20 MB native library

    if _c2pa_context is None:
        _c2pa_context = c2pa.Context.from_dict(_C2PA_SETTINGS)
    reader = c2pa.Reader.try_create(mime or "", io.BytesIO(body), context=_c2pa_context)
    if reader is None:
        return None
    try:
        store = json.loads(reader.json())
    finally:
        reader.close()
    return store if isinstance(store, dict) else {}


def _c2pa_entry_state(use: object) -> str:
    if use in ("notAllowed", "constrained"):
        return OPTOUT
    if use == "allowed":
        return ALLOWED
    return UNKNOWN


def _c2pa_unreadable(store: dict[str, Any], mime: str | None) -> list[OptOutSignal]:
    """Unknown signals for training-mining assertions the validator could not read (a hash
    mismatch alone still leaves a readable statement, which is read below)."""
    found: list[OptOutSignal] = []
    statuses = store.get("validation_status")
    for status in statuses if isinstance(statuses, list) else ():
        if not isinstance(status, dict):
            continue
        code, url = str(status.get("code", "")), str(status.get("url", ""))
        if "training-mining" in url and not code.endswith(".mismatch"):
            found.append(OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL,
                                      _snip(f"{code}: {url}"), f"C2PA in {mime or 'file'}",
                                      {"error": code}))
    return found


def _c2pa_signals(body: bytes, mime: str | None) -> list[OptOutSignal]:
    try:
        store = _c2pa_read(body, mime)
    except ImportError:
        return [OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL, "C2PA manifest store",
                             f"C2PA in {mime or 'file'}",
                             {"error": "c2pa-python is not installed"})]
    except Exception as exc:  # the native reader's errors (C2paError and kin)
        return [OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL, "C2PA manifest store",
                             f"C2PA in {mime or 'file'}",
                             {"error": f"{type(exc).__name__}: {exc}"[:300]})]
    if not store:
        return []
    found = _c2pa_unreadable(store, mime)
    manifests = store.get("manifests")
    if not isinstance(manifests, dict):
        return found
    active = store.get("active_manifest")
    for label, manifest in manifests.items():
        assertions = manifest.get("assertions") if isinstance(manifest, dict) else None
        for assertion in assertions if isinstance(assertions, list) else ():
            if not isinstance(assertion, dict):
                continue
            alabel = assertion.get("label")
            if not isinstance(alabel, str) or not _TRAINING_MINING_RE.fullmatch(alabel):
                continue
            data = assertion.get("data")
            entries = data.get("entries") if isinstance(data, dict) else None
            location = (f"C2PA manifest {label}{' (active)' if label == active else ''} "
                        f"{alabel}")
            if not isinstance(entries, dict):
                found.append(OptOutSignal("c2pa-training-mining", UNKNOWN, SCOPE_ALL,
                                          _snip(json.dumps(data)), location,
                                          {"error": "no entries"}))
                continue
            for key, entry in entries.items():
                if not isinstance(key, str) or key.rpartition(".")[2] not in _TRAINING_ENTRIES:
                    continue
                use = entry.get("use") if isinstance(entry, dict) else None
                found.append(OptOutSignal(
                    "c2pa-training-mining", _c2pa_entry_state(use), SCOPE_ALL,
                    _snip(f"{key}: {json.dumps(entry, ensure_ascii=False)}"), location,
                    {"entry": key, "use": str(use), "manifest": str(label)}))
    return found


def image_signals(body: bytes) -> list[OptOutSignal]:
    """Opt-out statements embedded in an image file (XMP plus:DataMining, C2PA/CAWG
    training-mining). An image that states nothing yields no signal."""
    scan = scan_container(body)
    found = _xmp_signals(scan.xmp, scan.format)
    if scan.c2pa:
        found += _c2pa_signals(body if isinstance(body, bytes) else bytes(body), scan.format)
    return found


# --------------------------------------------------------------------------------------------
# Everything for one item
# --------------------------------------------------------------------------------------------


def item_signals(kind: str, url: str, headers: Mapping[str, Sequence[str]] | None, *,
                 token: str, selector: Selector | None = None, body: bytes | None = None,
                 tdmrep: TdmRepFile | None = None, ai_txt: AiTxt | None = None,
                 honour_noindex: bool = False) -> list[OptOutSignal]:
    """Every opt-out signal for one fetched item: robots directives, TDMRep (with the site's
    tdmrep.json if given), Content-Usage, ai.txt (if given) and, for an image, what its bytes
    embed. ``url`` may be a full URL or a path."""
    metas = _metas(selector)
    path = path_from_url(url)
    found = _robots_from(headers, metas, token, honour_noindex)
    found += _tdmrep_from(headers, metas, tdmrep, path)
    found += content_usage_header(headers)
    if ai_txt is not None:
        from_ai_txt = ai_txt.signal_for(path, token)
        if from_ai_txt is not None:
            found.append(from_ai_txt)
    if kind == "image" and body is not None:
        found += image_signals(body)
    return found
