"""The Creative Commons legal-tool table: every CC license and public-domain tool, with its
SPDX id, canonical URL, name and obligations.

Pure (standard library only). The table is generated at import from ``_CC_TABLE``, a compact
transcription of ``config/cc-legal-tools.csv`` in creativecommons/cc-legal-tools-data (639 rows:
every category/version/unit/jurisdiction the CC site publishes), into dicts that URL
canonicalisation (:mod:`crawler.signals.license_urls`), the SPDX index
(:mod:`crawler.signals.spdx_ids`) and :func:`crawler.signals.licenses.parse_license_ref` look
up.

A CC link without a version (``/licenses/by-nc/``) names a family but not a license; it becomes an
:class:`UnversionedCC`, which still carries the family's obligations so callers can say
"NC, version unknown" instead of guessing a version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from crawler.signals.license_model import BY, CC_BASE, NC, ND, OBLIGATION_TOKENS, License, UseTerms

__all__ = [
    "CC_ALIASES",
    "CC_BY_KEY",
    "CC_BY_SPDX",
    "CC_CATEGORIES",
    "CC_UNVERSIONED",
    "UnversionedCC",
    "restates",
]


@dataclass(frozen=True)
class UnversionedCC(UseTerms):
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

    def covers(self, lic: License) -> bool:
        """CC-BY-SA-4.0 (or -3.0-DE) is a version of the by-sa family."""
        return lic.url.startswith(self.url)


def restates(one: License | UnversionedCC, other: License | UnversionedCC) -> bool:
    """Do two names say the same license: equal, or one the other's family without a version
    ("Creative Commons Attribution" and "CC BY 4.0")?"""
    if one == other:
        return True
    if isinstance(one, UnversionedCC) and isinstance(other, License):
        return one.covers(other)
    return isinstance(other, UnversionedCC) and isinstance(one, License) and other.covers(one)



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
    if not tokens <= OBLIGATION_TOKENS:
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


#: (category, unit, version, jurisdiction or "") -> License
CC_BY_KEY: dict[tuple[str, str, str, str], License] = {}
#: (category, unit) -> the family without a version
CC_UNVERSIONED: dict[tuple[str, str], UnversionedCC] = {}
CC_BY_SPDX: dict[str, License] = {}  # upper-cased SPDX id -> License
CC_ALIASES: dict[str, License | UnversionedCC] = {}  # normalised free-form id -> result
CC_CATEGORIES: Final = frozenset(_CC_TABLE)  # first path segment of a CC legal-tool URL
_FAMILY_OBLIGATIONS: dict[str, frozenset[str]] = {}


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
                    CC_BY_KEY[(category, unit, version, port)] = lic
                    key = lic.spdx.upper()
                    if key in CC_BY_SPDX:
                        raise AssertionError(f"duplicate SPDX id {lic.spdx}")
                    CC_BY_SPDX[key] = lic
                    alias = _cc_identifier_alias(category, unit, version, port)
                    CC_ALIASES[alias] = lic
                    CC_ALIASES[alias.replace("+", "-PLUS")] = lic
    for category, versions in _CC_TABLE.items():
        for units in versions.values():
            for unit in units:
                if (category, unit) not in CC_UNVERSIONED:
                    unversioned = UnversionedCC(unit, _cc_url(category, unit, None, ""))
                    CC_UNVERSIONED[(category, unit)] = unversioned
                    if category == "licenses":
                        CC_ALIASES[f"CC-{unit}".upper()] = unversioned
    CC_ALIASES["CC0"] = CC_UNVERSIONED[("publicdomain", "zero")]
    CC_ALIASES["CC-PDM"] = CC_ALIASES["PDM"] = CC_UNVERSIONED[("publicdomain", "mark")]


_build_cc_tables()
