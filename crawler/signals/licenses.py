"""Canonicalise license URLs and ids to SPDX.

Pure module (standard library only): it knows the complete Creative Commons legal-tool table and a
short list of common non-CC open licenses, and turns whatever a page, header, XMP packet or site
policy says (``http://www.creativecommons.org/licenses/by-sa/3.0/de/deed.en``, ``CC BY-SA 4.0``,
``Apache-2.0``) into one :class:`License` with an SPDX id, a canonical URL, a human name and the
obligations that matter for a training corpus (BY, SA, NC, ND).

A CC link without a version (``/licenses/by-nc/``) names a family but not a license; it becomes an
:class:`UnversionedCC`, which still carries the family's obligations so callers can say
"NC, version unknown" instead of guessing a version.

The CC table is generated at import from ``_CC_TABLE``, a compact transcription of
``config/cc-legal-tools.csv`` in creativecommons/cc-legal-tools-data (639 rows: every
category/version/unit/jurisdiction the CC site publishes). All lookups are dict lookups over tables
precomputed at import; :func:`canonicalize_url` runs on every link of every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "License",
    "UnversionedCC",
    "canonicalize_url",
    "known_spdx_ids",
    "lookup_spdx",
    "parse_license_ref",
]

BY: Final = "BY"
SA: Final = "SA"
NC: Final = "NC"
ND: Final = "ND"
_OBLIGATION_TOKENS: Final = frozenset({BY, SA, NC, ND})

CC_HOST: Final = "creativecommons.org"
CC_BASE: Final = "https://creativecommons.org/"


@dataclass(frozen=True)
class License:
    """One concrete license.

    ``obligations`` is a subset of {"BY", "SA", "NC", "ND"}: BY = attribution / notice must be kept,
    SA = derivatives must carry the same (or a compatible) license (copyleft), NC = no commercial
    use, ND = no derivatives. Public-domain tools (CC0, PDM, PDDC, PDDL) have none.
    """

    spdx: str
    url: str
    name: str
    obligations: frozenset[str]

    @property
    def allows_commercial(self) -> bool:
        """False for NonCommercial licenses."""
        return NC not in self.obligations

    @property
    def allows_derivatives(self) -> bool:
        """False for NoDerivatives licenses."""
        return ND not in self.obligations

    @property
    def requires_attribution(self) -> bool:
        return BY in self.obligations

    @property
    def share_alike(self) -> bool:
        return SA in self.obligations

    @property
    def is_creative_commons(self) -> bool:
        return self.url.startswith(CC_BASE)


@dataclass(frozen=True)
class UnversionedCC:
    """A CC link without a version, e.g. ``https://creativecommons.org/licenses/by-nc/``.

    The family (CC "unit": ``by-nc``, ``by-sa``, ``zero``, ...) is known, the license is not, so
    this is not a license grant by itself; ``obligations`` are those every version of the family
    shares, so an NC or ND restriction is never lost.
    """

    family: str
    url: str

    def __post_init__(self) -> None:
        if self.family not in _FAMILY_OBLIGATIONS:
            raise ValueError(f"unknown Creative Commons family: {self.family!r}")

    @property
    def obligations(self) -> frozenset[str]:
        return _FAMILY_OBLIGATIONS[self.family]

    @property
    def name(self) -> str:
        return f"Creative Commons {_UNIT_TITLES[self.family]} (version unknown)"

    @property
    def allows_commercial(self) -> bool:
        return NC not in self.obligations

    @property
    def allows_derivatives(self) -> bool:
        return ND not in self.obligations


# ---------------------------------------------------------------------------------------------
# Creative Commons table (from creativecommons/cc-legal-tools-data config/cc-legal-tools.csv)
# ---------------------------------------------------------------------------------------------

_BY_FAMILY: Final = ("by", "by-nc", "by-nc-nd", "by-nc-sa", "by-nd", "by-sa")

_PORTS_2_0: Final = "at au be br ca cl de es fr hr it jp kr nl pl tw uk za"
_PORTS_2_1: Final = "au ca es jp"
_PORTS_2_5: Final = (
    "ar au bg br ca ch cn co dk es hr hu il in it mk mt mx my nl pe pl pt scotland se si tw za"
)
_PORTS_3_0: Final = (
    "am at au az br ca ch cl cn cr cz de ec ee eg es fr ge gr gt hk hr ie igo it lu nl no nz ph"
    " pl pr pt ro rs sg th tw ug us ve vn za"
)

# category -> version -> unit -> whitespace-separated jurisdictions; "*" is the unported license.
_CC_TABLE: Final[dict[str, dict[str, dict[str, str]]]] = {
    "licenses": {
        "1.0": {
            "by": "* fi il nl",
            "by-nc": "* fi il nl",
            "by-nc-sa": "* fi il nl",
            "by-nd": "* fi il nl",
            "by-nd-nc": "* fi il nl",
            "by-sa": "* fi il nl",
            "nc": "* fi nl",
            "nc-sa": "* fi nl",
            "nc-sampling+": "* tw",
            "nd": "* fi nl",
            "nd-nc": "* fi nl",
            "sa": "* fi nl",
            "sampling": "* br tw",
            "sampling+": "* br de tw",
        },
        "2.0": {
            **dict.fromkeys(_BY_FAMILY, "* " + _PORTS_2_0),
            "devnations": "*",
            "nc": "jp",
            "nc-sa": "jp",
            "nd": "jp",
            "nd-nc": "jp",
            "sa": "jp",
        },
        "2.1": dict.fromkeys(_BY_FAMILY, _PORTS_2_1),
        "2.5": dict.fromkeys(_BY_FAMILY, "* " + _PORTS_2_5),
        "3.0": dict.fromkeys(_BY_FAMILY, "* " + _PORTS_3_0),
        "4.0": dict.fromkeys(_BY_FAMILY, "*"),
    },
    "publicdomain": {
        "1.0": {"zero": "*", "mark": "*", "certification": "us"},
    },
}

# The only ported CC licenses on the SPDX list (the CSV's SPDX_IDENTIFIER column agrees).
_SPDX_CC_PORTS: Final = frozenset(
    {
        "CC-BY-2.5-AU",
        "CC-BY-3.0-AT",
        "CC-BY-3.0-AU",
        "CC-BY-3.0-DE",
        "CC-BY-3.0-IGO",
        "CC-BY-3.0-NL",
        "CC-BY-3.0-US",
        "CC-BY-NC-3.0-DE",
        "CC-BY-NC-ND-3.0-DE",
        "CC-BY-NC-ND-3.0-IGO",
        "CC-BY-NC-SA-2.0-DE",
        "CC-BY-NC-SA-2.0-FR",
        "CC-BY-NC-SA-2.0-UK",
        "CC-BY-NC-SA-3.0-DE",
        "CC-BY-NC-SA-3.0-IGO",
        "CC-BY-ND-3.0-DE",
        "CC-BY-SA-2.0-UK",
        "CC-BY-SA-2.1-JP",
        "CC-BY-SA-3.0-AT",
        "CC-BY-SA-3.0-DE",
        "CC-BY-SA-3.0-IGO",
    }
)
# Unported ids SPDX lists beyond the six by-family units; by-nd-nc is SPDX's CC-BY-NC-ND-1.0.
_SPDX_CC_UNPORTED_SPECIAL: Final[dict[tuple[str, str], str]] = {
    ("sa", "1.0"): "CC-SA-1.0",
    ("by-nd-nc", "1.0"): "CC-BY-NC-ND-1.0",
    ("zero", "1.0"): "CC0-1.0",
    ("mark", "1.0"): "CC-PDM-1.0",
}
_SPDX_CC_PORTED_SPECIAL: Final[dict[tuple[str, str, str], str]] = {
    ("certification", "1.0", "us"): "CC-PDDC",
}

_UNIT_TITLES: Final[dict[str, str]] = {
    "by": "Attribution",
    "by-nc": "Attribution-NonCommercial",
    "by-nc-nd": "Attribution-NonCommercial-NoDerivs",
    "by-nc-sa": "Attribution-NonCommercial-ShareAlike",
    "by-nd": "Attribution-NoDerivs",
    "by-nd-nc": "Attribution-NoDerivs-NonCommercial",
    "by-sa": "Attribution-ShareAlike",
    "devnations": "Developing Nations",
    "nc": "NonCommercial",
    "nc-sa": "NonCommercial-ShareAlike",
    "nc-sampling+": "NonCommercial Sampling Plus",
    "nd": "NoDerivs",
    "nd-nc": "NoDerivs-NonCommercial",
    "sa": "ShareAlike",
    "sampling": "Sampling",
    "sampling+": "Sampling Plus",
    "zero": "CC0",
    "mark": "Public Domain Mark",
    "certification": "Copyright-Only Dedication or Public Domain Certification",
}

_JURISDICTIONS: Final[dict[str, str]] = {
    "am": "Armenia",
    "ar": "Argentina",
    "at": "Austria",
    "au": "Australia",
    "az": "Azerbaijan",
    "be": "Belgium",
    "bg": "Bulgaria",
    "br": "Brazil",
    "ca": "Canada",
    "ch": "Switzerland",
    "cl": "Chile",
    "cn": "China Mainland",
    "co": "Colombia",
    "cr": "Costa Rica",
    "cz": "Czech Republic",
    "de": "Germany",
    "dk": "Denmark",
    "ec": "Ecuador",
    "ee": "Estonia",
    "eg": "Egypt",
    "es": "Spain",
    "fi": "Finland",
    "fr": "France",
    "ge": "Georgia",
    "gr": "Greece",
    "gt": "Guatemala",
    "hk": "Hong Kong",
    "hr": "Croatia",
    "hu": "Hungary",
    "ie": "Ireland",
    "igo": "IGO",
    "il": "Israel",
    "in": "India",
    "it": "Italy",
    "jp": "Japan",
    "kr": "Korea",
    "lu": "Luxembourg",
    "mk": "Macedonia",
    "mt": "Malta",
    "mx": "Mexico",
    "my": "Malaysia",
    "nl": "Netherlands",
    "no": "Norway",
    "nz": "New Zealand",
    "pe": "Peru",
    "ph": "Philippines",
    "pl": "Poland",
    "pr": "Puerto Rico",
    "pt": "Portugal",
    "ro": "Romania",
    "rs": "Serbia",
    "scotland": "UK: Scotland",
    "se": "Sweden",
    "sg": "Singapore",
    "si": "Slovenia",
    "th": "Thailand",
    "tw": "Taiwan",
    "ug": "Uganda",
    "uk": "UK: England & Wales",
    "us": "United States",
    "ve": "Venezuela",
    "vn": "Vietnam",
    "za": "South Africa",
}

# Units whose terms the four flags cannot express exactly; each is mapped to the nearest *more*
# restrictive set so no gate lets through what the license forbids:
# - sampling 1.0 forbids verbatim copies of the whole work (only transformed samples may be
#   shared, commercially too), so no verbatim use is allowed at all: NC and ND block every use.
# - sampling+ / nc-sampling+ allow verbatim copies only non-commercially: NC.
# - devnations 2.0 grants rights only in developing nations, nothing elsewhere: NC and ND.
_SPECIAL_OBLIGATIONS: Final[dict[str, frozenset[str]]] = {
    "sampling": frozenset({BY, NC, ND}),
    "sampling+": frozenset({BY, NC}),
    "nc-sampling+": frozenset({BY, NC}),
    "devnations": frozenset({BY, NC, ND}),
    "zero": frozenset(),
    "mark": frozenset(),
    "certification": frozenset(),
}


def _unit_obligations(unit: str) -> frozenset[str]:
    special = _SPECIAL_OBLIGATIONS.get(unit)
    if special is not None:
        return special
    tokens = frozenset(part.upper() for part in unit.split("-"))
    if not tokens <= _OBLIGATION_TOKENS:
        raise ValueError(f"cannot derive obligations for CC unit {unit!r}")
    return tokens


def _cc_url(category: str, unit: str, version: str | None, port: str) -> str:
    parts = [category, unit]
    if version is not None:
        parts.append(version)
    if port:
        parts.append(port)
    return CC_BASE + "/".join(parts) + "/"


def _cc_spdx(category: str, unit: str, version: str, port: str) -> str:
    if port:
        special = _SPDX_CC_PORTED_SPECIAL.get((unit, version, port))
        if special is not None:
            return special
        candidate = f"CC-{unit}-{version}-{port}".upper()
        if candidate in _SPDX_CC_PORTS:
            return candidate
    else:
        special = _SPDX_CC_UNPORTED_SPECIAL.get((unit, version))
        if special is not None:
            return special
        if unit in _BY_FAMILY:
            return f"CC-{unit}-{version}".upper()
    # SPDX idstrings allow only letters, digits, "-" and ".": "sampling+" -> "SAMPLING-PLUS".
    ref = f"CC-{unit}-{version}" + (f"-{port}" if port else "")
    return "LicenseRef-" + ref.upper().replace("+", "-PLUS")


def _cc_name(category: str, unit: str, version: str, port: str) -> str:
    if category == "publicdomain":
        if unit == "zero":
            return "Creative Commons CC0 1.0 Universal"
        if unit == "mark":
            return "Creative Commons Public Domain Mark 1.0 Universal"
    title = _UNIT_TITLES[unit]
    if version == "4.0":
        title = title.replace("NoDerivs", "NoDerivatives")
    if port:
        where = _JURISDICTIONS[port]
    else:
        where = {"4.0": "International", "3.0": "Unported"}.get(version, "Generic")
    return f"Creative Commons {title} {version} {where}"


def _cc_identifier_alias(category: str, unit: str, version: str, port: str) -> str:
    """The CSV's short IDENTIFIER (``CC BY-SA 3.0 DE``) in id form, for policy files."""
    if category == "publicdomain":
        return {"zero": "CC0", "mark": "PDM", "certification": "CERTIFICATION"}[unit] + (
            f"-{version}" + (f"-{port}" if port else "")
        ).upper()
    return f"CC-{unit}-{version}".upper() + (f"-{port.upper()}" if port else "")


_CC_BY_KEY: dict[tuple[str, str, str, str], License] = {}
_CC_UNVERSIONED: dict[tuple[str, str], UnversionedCC] = {}
_FAMILY_OBLIGATIONS: dict[str, frozenset[str]] = {}
_BY_SPDX: dict[str, License] = {}  # upper-cased SPDX id -> License
_ALIASES: dict[str, License | UnversionedCC] = {}  # normalised free-form id -> result


def _build_cc_tables() -> None:
    for category, versions in _CC_TABLE.items():
        for version, units in versions.items():
            for unit, ports in units.items():
                _FAMILY_OBLIGATIONS.setdefault(unit, _unit_obligations(unit))
                for token in ports.split():
                    port = "" if token == "*" else token
                    lic = License(
                        spdx=_cc_spdx(category, unit, version, port),
                        url=_cc_url(category, unit, version, port),
                        name=_cc_name(category, unit, version, port),
                        obligations=_FAMILY_OBLIGATIONS[unit],
                    )
                    _CC_BY_KEY[(category, unit, version, port)] = lic
                    key = lic.spdx.upper()
                    if key in _BY_SPDX:
                        raise AssertionError(f"duplicate SPDX id {lic.spdx}")
                    _BY_SPDX[key] = lic
                    alias = _cc_identifier_alias(category, unit, version, port)
                    _ALIASES[alias] = lic
                    _ALIASES[alias.replace("+", "-PLUS")] = lic
    for category, versions in _CC_TABLE.items():
        for units in versions.values():
            for unit in units:
                if (category, unit) not in _CC_UNVERSIONED:
                    unversioned = UnversionedCC(unit, _cc_url(category, unit, None, ""))
                    _CC_UNVERSIONED[(category, unit)] = unversioned
                    if category == "licenses":
                        _ALIASES[f"CC-{unit}".upper()] = unversioned
    _ALIASES["CC0"] = _CC_UNVERSIONED[("publicdomain", "zero")]
    _ALIASES["CC-PDM"] = _ALIASES["PDM"] = _CC_UNVERSIONED[("publicdomain", "mark")]


# ---------------------------------------------------------------------------------------------
# Common non-CC open licenses
# ---------------------------------------------------------------------------------------------

# (spdx, name, obligations, canonical url, url keys). A url key is host + path, lower case,
# without scheme, "www.", trailing slash and the suffixes in _PATH_SUFFIXES.
_OTHER_LICENSES: Final[tuple[tuple[str, str, frozenset[str], str, tuple[str, ...]], ...]] = (
    (
        "MIT",
        "MIT License",
        frozenset({BY}),
        "https://opensource.org/licenses/MIT",
        (
            "opensource.org/licenses/mit",
            "opensource.org/licenses/mit-license",
            "opensource.org/license/mit",
        ),
    ),
    (
        "Apache-2.0",
        "Apache License 2.0",
        frozenset({BY}),
        "https://www.apache.org/licenses/LICENSE-2.0",
        (
            "apache.org/licenses/license-2.0",
            "opensource.org/licenses/apache-2.0",
            "opensource.org/license/apache-2-0",
        ),
    ),
    (
        "BSD-2-Clause",
        'BSD 2-Clause "Simplified" License',
        frozenset({BY}),
        "https://opensource.org/licenses/BSD-2-Clause",
        ("opensource.org/licenses/bsd-2-clause", "opensource.org/license/bsd-2-clause"),
    ),
    (
        "BSD-3-Clause",
        'BSD 3-Clause "New" or "Revised" License',
        frozenset({BY}),
        "https://opensource.org/licenses/BSD-3-Clause",
        ("opensource.org/licenses/bsd-3-clause", "opensource.org/license/bsd-3-clause"),
    ),
    (
        "GPL-2.0-only",
        "GNU General Public License v2.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html",
        ("gnu.org/licenses/gpl-2.0", "gnu.org/licenses/old-licenses/gpl-2.0"),
    ),
    (
        "GPL-3.0-only",
        "GNU General Public License v3.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/gpl-3.0.html",
        ("gnu.org/licenses/gpl-3.0",),
    ),
    (
        "LGPL-3.0-only",
        "GNU Lesser General Public License v3.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/lgpl-3.0.html",
        ("gnu.org/licenses/lgpl-3.0",),
    ),
    (
        "AGPL-3.0-only",
        "GNU Affero General Public License v3.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/agpl-3.0.html",
        ("gnu.org/licenses/agpl-3.0",),
    ),
    (
        "GFDL-1.3-only",
        "GNU Free Documentation License v1.3 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/fdl-1.3.html",
        ("gnu.org/licenses/fdl-1.3",),
    ),
    (
        "GFDL-1.2-only",
        "GNU Free Documentation License v1.2 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/old-licenses/fdl-1.2.html",
        ("gnu.org/licenses/fdl-1.2", "gnu.org/licenses/old-licenses/fdl-1.2"),
    ),
    (
        "ODbL-1.0",
        "Open Data Commons Open Database License v1.0",
        frozenset({BY, SA}),
        "https://opendatacommons.org/licenses/odbl/1-0/",
        (
            "opendatacommons.org/licenses/odbl",
            "opendatacommons.org/licenses/odbl/1.0",
            "opendatacommons.org/licenses/odbl/1-0",
        ),
    ),
    (
        "ODC-By-1.0",
        "Open Data Commons Attribution License v1.0",
        frozenset({BY}),
        "https://opendatacommons.org/licenses/by/1-0/",
        (
            "opendatacommons.org/licenses/by",
            "opendatacommons.org/licenses/by/1.0",
            "opendatacommons.org/licenses/by/1-0",
        ),
    ),
    (
        "PDDL-1.0",
        "Open Data Commons Public Domain Dedication & License 1.0",
        frozenset(),
        "https://opendatacommons.org/licenses/pddl/1-0/",
        (
            "opendatacommons.org/licenses/pddl",
            "opendatacommons.org/licenses/pddl/1.0",
            "opendatacommons.org/licenses/pddl/1-0",
        ),
    ),
)

# The "-or-later" GNU variants cannot be told apart by URL; they exist for lookup_spdx only.
# Deprecated bare SPDX ids ("GPL-3.0", "GPL-3.0+") resolve to the -only / -or-later entries.
_GNU_OR_LATER: Final[dict[str, str]] = {
    "GPL-2.0-only": "GPL-2.0-or-later",
    "GPL-3.0-only": "GPL-3.0-or-later",
    "LGPL-3.0-only": "LGPL-3.0-or-later",
    "AGPL-3.0-only": "AGPL-3.0-or-later",
    "GFDL-1.3-only": "GFDL-1.3-or-later",
    "GFDL-1.2-only": "GFDL-1.2-or-later",
}

_OTHER_BY_KEY: dict[str, License] = {}
_OTHER_HOSTS: set[str] = set()
_PATH_SUFFIXES: Final = (".en.html", ".html", ".txt", ".php", ".json")
_SPDX_HOST: Final = "spdx.org"  # https://spdx.org/licenses/<id>.html names a license by id


def _build_other_tables() -> None:
    for spdx, name, obligations, url, keys in _OTHER_LICENSES:
        lic = License(spdx=spdx, url=url, name=name, obligations=obligations)
        _BY_SPDX[spdx.upper()] = lic
        for key in keys:
            _OTHER_BY_KEY[key] = lic
            _OTHER_HOSTS.add(key.split("/", 1)[0])
        later = _GNU_OR_LATER.get(spdx)
        if later is not None:
            later_lic = License(
                spdx=later,
                url=url,
                name=name.replace(" only", " or later"),
                obligations=obligations,
            )
            _BY_SPDX[later.upper()] = later_lic
            bare = spdx.removesuffix("-only").upper()
            _ALIASES[bare] = lic
            _ALIASES[bare + "+"] = later_lic


_build_cc_tables()
_build_other_tables()
_KNOWN_SPDX_IDS: Final = frozenset(lic.spdx for lic in _BY_SPDX.values())

# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

# Applied to the stripped, lower-cased input: optional scheme or "//", optional "www.", host,
# optional port, path; query and fragment are dropped.
_URL_RE: Final = re.compile(
    r"(?:(?:https?:)?//)?(?:www\.)?(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})(?::\d+)?"
    r"(?P<path>/[^?#\s]*)?(?:[?#]\S*)?"
)
# License URLs are short; this skips lower-casing huge data: URIs on every link of a page.
_MAX_URL_LEN: Final = 2048
_NON_ID_CHARS: Final = re.compile(r"[\s_]+")


def _strip_cc_tail(segments: list[str]) -> list[str]:
    """Drop a trailing ``deed``/``deed.xx``/``legalcode``/``legalcode.xx`` (any case of suffix)."""
    if segments and segments[-1].startswith(("deed", "legalcode")):
        last = segments[-1]
        rest = last[4:] if last.startswith("deed") else last[9:]
        if not rest or rest.startswith("."):
            return segments[:-1]
    return segments


def _canonicalize_cc_path(path: str) -> License | UnversionedCC | None:
    if "%" in path:
        path = path.replace("%2b", "+")
    segments = _strip_cc_tail([s for s in path.split("/") if s])
    if len(segments) < 2 or segments[0] not in _CC_TABLE:
        return None
    category, unit = segments[0], segments[1]
    if len(segments) == 2:
        return _CC_UNVERSIONED.get((category, unit))
    if len(segments) > 4:
        return None
    port = segments[3] if len(segments) == 4 else ""
    return _CC_BY_KEY.get((category, unit, segments[2], port))


def _strip_suffix(path: str) -> str:
    for suffix in _PATH_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _canonicalize_other(host: str, path: str) -> License | None:
    return _OTHER_BY_KEY.get(host + _strip_suffix(path.rstrip("/")))


def canonicalize_url(url: str) -> License | UnversionedCC | None:
    """Map a license URL to its canonical :class:`License`.

    Tolerates http/https, ``//`` (protocol-relative) or no scheme, ``www.``, any case, a missing
    trailing slash, surrounding whitespace, ``?query``/``#fragment`` and, for CC, a trailing
    ``deed``, ``deed.xx``, ``legalcode`` or ``legalcode.xx``. A CC link without a version gives an
    :class:`UnversionedCC`. Anything else, including CC URLs whose unit, version or jurisdiction
    does not exist (``/licenses/by/9.0/``, ``/licenses/by/4.0/de/``), gives None.
    """
    if len(url) > _MAX_URL_LEN:
        return None
    match = _URL_RE.fullmatch(url.strip().lower())
    if match is None:
        return None
    host = match["host"]
    path = match["path"] or ""
    if host == CC_HOST:
        return _canonicalize_cc_path(path)
    if host in _OTHER_HOSTS:
        return _canonicalize_other(host, path)
    if host == _SPDX_HOST and path.startswith("/licenses/"):
        return _BY_SPDX.get(_strip_suffix(path[10:].rstrip("/")).upper())
    return None


def lookup_spdx(spdx_id: str) -> License | None:
    """The :class:`License` for an SPDX id (case-insensitive), including the ``LicenseRef-CC-…``
    ids this module assigns to CC licenses SPDX does not list."""
    return _BY_SPDX.get(spdx_id.strip().upper())


def known_spdx_ids() -> frozenset[str]:
    """Every SPDX id (canonical spelling) that this module can return."""
    return _KNOWN_SPDX_IDS


def parse_license_ref(value: str) -> License | UnversionedCC | None:
    """Resolve a license named by URL or by id, as policy files do.

    Accepts a URL (see :func:`canonicalize_url`), an SPDX id (see :func:`lookup_spdx`), a
    deprecated GNU id (``GPL-3.0``, ``GPL-3.0+``) or CC's own short identifier with spaces or
    dashes (``CC BY-SA 3.0 DE``, ``CC0 1.0``); a version-less CC name (``CC BY-NC``, ``CC0``)
    gives an :class:`UnversionedCC`.
    """
    text = value.strip()
    if not text:
        return None
    if "/" in text:
        return canonicalize_url(text)
    found = lookup_spdx(text)
    if found is not None:
        return found
    key = _NON_ID_CHARS.sub("-", text.upper())
    return _ALIASES.get(key)
