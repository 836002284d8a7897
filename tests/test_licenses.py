"""Tests for crawler.signals.licenses.

The expected CC table below is written independently of the module, from the CC license table in
/work/shared/signals.md section C (itself from cc-legal-tools-data ``config/cc-legal-tools.csv``),
so a wrong port, unit, SPDX id or obligation in the module makes these tests fail.
"""

from __future__ import annotations

import dataclasses

import pytest

from crawler.signals.cc_licenses import UnversionedCC
from crawler.signals.license_model import License
from crawler.signals.license_urls import canonicalize_url
from crawler.signals.licenses import parse_license_ref
from crawler.signals.spdx_ids import known_spdx_ids, lookup_spdx

BY_FAMILY = ["by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd"]
PORTS = {
    "4.0": "",
    "3.0": "am at au az br ca ch cl cn cr cz de ec ee eg es fr ge gr gt hk hr ie igo it lu nl no "
    "nz ph pl pr pt ro rs sg th tw ug us ve vn za",
    "2.5": "ar au bg br ca ch cn co dk es hr hu il in it mk mt mx my nl pe pl pt scotland se si "
    "tw za",
    "2.1": "au ca es jp",
    "2.0": "at au be br ca cl de es fr hr it jp kr nl pl tw uk za",
}
# 1.0: unit -> ports (every 1.0 unit also exists unported).
PORTS_1_0 = {
    "by": "fi il nl",
    "by-nc": "fi il nl",
    "by-nc-sa": "fi il nl",
    "by-nd": "fi il nl",
    "by-nd-nc": "fi il nl",
    "by-sa": "fi il nl",
    "nc": "fi nl",
    "nc-sa": "fi nl",
    "nd": "fi nl",
    "nd-nc": "fi nl",
    "sa": "fi nl",
    "sampling": "br tw",
    "sampling+": "br de tw",
    "nc-sampling+": "tw",
}
SPDX_PORTED = {
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
OBLIGATIONS = {
    "by": {"BY"},
    "by-sa": {"BY", "SA"},
    "by-nd": {"BY", "ND"},
    "by-nc": {"BY", "NC"},
    "by-nc-sa": {"BY", "NC", "SA"},
    "by-nc-nd": {"BY", "NC", "ND"},
    "by-nd-nc": {"BY", "NC", "ND"},
    "nc": {"NC"},
    "nc-sa": {"NC", "SA"},
    "nd": {"ND"},
    "nd-nc": {"ND", "NC"},
    "sa": {"SA"},
    "sampling": {"BY", "NC", "ND"},
    "sampling+": {"BY", "NC"},
    "nc-sampling+": {"BY", "NC"},
    "devnations": {"BY", "NC", "ND"},
    "zero": set(),
    "mark": set(),
    "certification": set(),
}


def _expected_spdx(unit: str, version: str, port: str) -> str:
    if port:
        candidate = f"CC-{unit}-{version}-{port}".upper()
        if candidate in SPDX_PORTED:
            return candidate
    elif unit in BY_FAMILY or (unit, version) == ("sa", "1.0"):
        return f"CC-{unit}-{version}".upper()
    elif unit == "by-nd-nc":
        return "CC-BY-NC-ND-1.0"
    suffix = f"-{port}" if port else ""
    # "+" is not allowed in an SPDX idstring: sampling+ -> SAMPLING-PLUS.
    ref = f"CC-{unit}-{version}{suffix}".upper().replace("+", "-PLUS")
    return "LicenseRef-" + ref


def _build_expected() -> list[tuple[str, str, str]]:
    """(path after the host, expected SPDX id, unit) for every CC legal tool."""
    rows: list[tuple[str, str, str]] = []

    def add(unit: str, version: str, port: str) -> None:
        path = f"licenses/{unit}/{version}/" + (f"{port}/" if port else "")
        rows.append((path, _expected_spdx(unit, version, port), unit))

    for version, ports in PORTS.items():
        for unit in BY_FAMILY:
            if version != "2.1":
                add(unit, version, "")
            for port in ports.split():
                add(unit, version, port)
    for unit, ports in PORTS_1_0.items():
        add(unit, "1.0", "")
        for port in ports.split():
            add(unit, "1.0", port)
    add("devnations", "2.0", "")
    for unit in ("nc", "nc-sa", "nd", "nd-nc", "sa"):
        add(unit, "2.0", "jp")
    rows.append(("publicdomain/zero/1.0/", "CC0-1.0", "zero"))
    rows.append(("publicdomain/mark/1.0/", "CC-PDM-1.0", "mark"))
    rows.append(("publicdomain/certification/1.0/us/", "CC-PDDC", "certification"))
    return rows


EXPECTED = _build_expected()
CANONICAL = "https://creativecommons.org/"


def test_expected_table_size_matches_csv() -> None:
    # cc-legal-tools.csv has 639 rows: 48 (1.0) + 120 (2.0) + 24 (2.1) + 174 (2.5) + 264 (3.0)
    # + 6 (4.0) + 3 (publicdomain).
    assert len(EXPECTED) == 639
    assert len({path for path, _, _ in EXPECTED}) == 639


def test_module_knows_exactly_the_cc_table() -> None:
    cc_urls = set()
    for spdx in known_spdx_ids():
        lic = lookup_spdx(spdx)
        assert lic is not None
        if lic.url.startswith(CANONICAL):
            cc_urls.add(lic.url)
    assert cc_urls == {CANONICAL + path for path, _, _ in EXPECTED}


def _variants(path: str) -> list[str]:
    bare = "creativecommons.org/" + path
    return [
        "https://" + bare,
        "http://" + bare,
        "http://www." + bare,
        "https://www." + bare,
        "//" + bare,
        "//www." + bare,
        bare,
        "https://" + bare.rstrip("/"),
        "http://www." + bare.rstrip("/"),
        "https://" + bare + "deed.de",
        "https://" + bare + "deed.en_GB",
        "https://" + bare + "deed.zh-hant",
        "https://" + bare + "deed",
        "https://" + bare + "legalcode",
        "https://" + bare + "legalcode.fr",
        "https://" + bare + "legalcode.txt",
        "//www." + bare + "legalcode.de/",
        "https://" + bare + "?ref=chooser-v1",
        "https://" + bare + "#license",
        "https://" + bare + "deed.de?x=1#y",
        ("HTTPS://" + bare).upper(),
        "  \thttps://" + bare + "deed.es \n",
    ]


@pytest.mark.parametrize(("path", "spdx", "unit"), EXPECTED, ids=[row[0] for row in EXPECTED])
def test_every_cc_tool_round_trips(path: str, spdx: str, unit: str) -> None:
    url = CANONICAL + path
    for variant in _variants(path):
        lic = canonicalize_url(variant)
        assert isinstance(lic, License), variant
        assert lic.spdx == spdx, variant
        assert lic.url == url, variant
    lic = canonicalize_url(url)
    assert isinstance(lic, License)
    assert lic.obligations == frozenset(OBLIGATIONS[unit])
    assert lic.allows_commercial is ("NC" not in OBLIGATIONS[unit])
    assert lic.allows_derivatives is ("ND" not in OBLIGATIONS[unit])
    assert lic.name.startswith("Creative Commons ")
    assert lookup_spdx(spdx) == lic
    assert lookup_spdx(spdx.lower()) == lic
    assert parse_license_ref(url) == lic
    assert parse_license_ref(spdx) == lic
    assert spdx in known_spdx_ids()


@pytest.mark.parametrize(
    ("url", "spdx"),
    [
        ("https://creativecommons.org/licenses/by-nd-nc/1.0/", "CC-BY-NC-ND-1.0"),
        ("http://creativecommons.org/licenses/by-nd-nc/1.0/deed.en", "CC-BY-NC-ND-1.0"),
        ("https://creativecommons.org/licenses/by-sa/2.0/uk/", "CC-BY-SA-2.0-UK"),
        ("https://creativecommons.org/licenses/by-nc-sa/2.0/uk/", "CC-BY-NC-SA-2.0-UK"),
        ("https://creativecommons.org/licenses/by/2.0/uk/", "LicenseRef-CC-BY-2.0-UK"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        ("http://creativecommons.org/publicdomain/zero/1.0/legalcode", "CC0-1.0"),
        ("https://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0"),
        ("https://creativecommons.org/publicdomain/certification/1.0/us/", "CC-PDDC"),
        ("https://creativecommons.org/licenses/by-nc/2.0/at/", "LicenseRef-CC-BY-NC-2.0-AT"),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.de", "CC-BY-SA-4.0"),
        ("https://creativecommons.org/licenses/by-sa/3.0/de/", "CC-BY-SA-3.0-DE"),
        ("https://creativecommons.org/licenses/by-sa/3.0/ch/", "LicenseRef-CC-BY-SA-3.0-CH"),
        ("https://creativecommons.org/licenses/by/3.0/igo/", "CC-BY-3.0-IGO"),
        ("https://creativecommons.org/licenses/by-nc/3.0/igo/", "LicenseRef-CC-BY-NC-3.0-IGO"),
        ("https://creativecommons.org/licenses/by/2.5/scotland/", "LicenseRef-CC-BY-2.5-SCOTLAND"),
        ("https://creativecommons.org/licenses/sa/1.0/", "CC-SA-1.0"),
        ("https://creativecommons.org/licenses/sa/1.0/fi/", "LicenseRef-CC-SA-1.0-FI"),
        ("https://creativecommons.org/licenses/nc/1.0/", "LicenseRef-CC-NC-1.0"),
        ("https://creativecommons.org/licenses/nd-nc/2.0/jp/", "LicenseRef-CC-ND-NC-2.0-JP"),
        ("https://creativecommons.org/licenses/by-nd-nc/1.0/nl/", "LicenseRef-CC-BY-ND-NC-1.0-NL"),
        ("https://creativecommons.org/licenses/devnations/2.0/", "LicenseRef-CC-DEVNATIONS-2.0"),
        ("https://creativecommons.org/licenses/sampling/1.0/", "LicenseRef-CC-SAMPLING-1.0"),
        (
            "https://creativecommons.org/licenses/sampling+/1.0/de/",
            "LicenseRef-CC-SAMPLING-PLUS-1.0-DE",
        ),
        (
            "https://creativecommons.org/licenses/sampling%2B/1.0/de/",
            "LicenseRef-CC-SAMPLING-PLUS-1.0-DE",
        ),
        (
            "https://creativecommons.org/licenses/nc-sampling+/1.0/",
            "LicenseRef-CC-NC-SAMPLING-PLUS-1.0",
        ),
    ],
)
def test_explicit_cc_urls(url: str, spdx: str) -> None:
    lic = canonicalize_url(url)
    assert isinstance(lic, License)
    assert lic.spdx == spdx


def test_by_sa_2_0_uk_is_not_plain_by() -> None:
    lic = canonicalize_url("https://creativecommons.org/licenses/by-sa/2.0/uk/")
    assert isinstance(lic, License)
    assert lic.spdx != "CC-BY-2.0"
    assert lic.obligations == frozenset({"BY", "SA"})
    assert lic.url == "https://creativecommons.org/licenses/by-sa/2.0/uk/"
    assert lic.name == "Creative Commons Attribution-ShareAlike 2.0 UK: England & Wales"


def test_names() -> None:
    names = {
        "licenses/by-sa/4.0/": "Creative Commons Attribution-ShareAlike 4.0 International",
        "licenses/by-nc-nd/4.0/": (
            "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International"
        ),
        "licenses/by/3.0/": "Creative Commons Attribution 3.0 Unported",
        "licenses/by/2.0/": "Creative Commons Attribution 2.0 Generic",
        "licenses/by-sa/3.0/de/": "Creative Commons Attribution-ShareAlike 3.0 Germany",
        "licenses/by-nd/2.1/jp/": "Creative Commons Attribution-NoDerivs 2.1 Japan",
        "publicdomain/zero/1.0/": "Creative Commons CC0 1.0 Universal",
        "publicdomain/mark/1.0/": "Creative Commons Public Domain Mark 1.0 Universal",
    }
    for path, name in names.items():
        lic = canonicalize_url(CANONICAL + path)
        assert isinstance(lic, License)
        assert lic.name == name


@pytest.mark.parametrize(
    "url",
    [
        "https://creativecommons.org/licenses/by/9.0/",
        "https://creativecommons.org/licenses/by/4.0/de/",
        "https://creativecommons.org/licenses/by-sa/4.0/us/",
        "https://creativecommons.org/licenses/by/3.0/scotland/",
        "https://creativecommons.org/licenses/by/3.0/uk/",
        "https://creativecommons.org/licenses/by/2.5/us/",
        "https://creativecommons.org/licenses/by/2.1/",
        "https://creativecommons.org/licenses/by/2.1/de/",
        "https://creativecommons.org/licenses/by/2.0/xx/",
        "https://creativecommons.org/licenses/by/1.0/de/",
        "https://creativecommons.org/licenses/nc/2.0/",
        "https://creativecommons.org/licenses/nc/2.0/de/",
        "https://creativecommons.org/licenses/sa/1.0/il/",
        "https://creativecommons.org/licenses/nc/3.0/",
        "https://creativecommons.org/licenses/by-nd-nc/2.0/",
        "https://creativecommons.org/licenses/devnations/2.0/jp/",
        "https://creativecommons.org/licenses/sampling/2.0/",
        "https://creativecommons.org/licenses/zero/1.0/",
        "https://creativecommons.org/licenses/foo/",
        "https://creativecommons.org/licenses/",
        "https://creativecommons.org/licenses/by/4.0/legalcodex",
        "https://creativecommons.org/licenses/by/4.0/deed.de/extra",
        "https://creativecommons.org/licenses/by/de/",
        "https://creativecommons.org/publicdomain/zero/1.0/us/",
        "https://creativecommons.org/publicdomain/zero/2.0/",
        "https://creativecommons.org/publicdomain/certification/1.0/",
        "https://creativecommons.org/publicdomain/by/4.0/",
        "https://creativecommons.org/about/",
        "https://creativecommons.org/",
        "https://creativecommons.org",
        "https://example.com/licenses/by/4.0/",
        "https://example.com/creativecommons.org/licenses/by/4.0/",
        "https://creativecommons.org.example.com/licenses/by/4.0/",
        "https://notcreativecommons.org/licenses/by/4.0/",
        "ftp://creativecommons.org/licenses/by/4.0/",
        "see https://creativecommons.org/licenses/by/4.0/ for details",
        "mailto:someone@example.com",
        "javascript:void(0)",
        "data:image/png;base64,AAAA",
        "#top",
        "/relative/path",
        "",
        "   ",
        "https://creativecommons.org/licenses/by/4.0/" + "x" * 5000,
    ],
)
def test_not_a_license(url: str) -> None:
    assert canonicalize_url(url) is None


@pytest.mark.parametrize(
    ("url", "family", "obligations"),
    [
        ("https://creativecommons.org/licenses/by-nc/", "by-nc", {"BY", "NC"}),
        ("http://www.creativecommons.org/licenses/by-nc", "by-nc", {"BY", "NC"}),
        ("//creativecommons.org/licenses/by-nc/deed.en", "by-nc", {"BY", "NC"}),
        ("https://creativecommons.org/licenses/by-nc-nd/", "by-nc-nd", {"BY", "NC", "ND"}),
        ("https://creativecommons.org/licenses/by-sa/", "by-sa", {"BY", "SA"}),
        ("https://creativecommons.org/licenses/by/legalcode", "by", {"BY"}),
        ("https://creativecommons.org/licenses/by-nd-nc/", "by-nd-nc", {"BY", "NC", "ND"}),
        ("https://creativecommons.org/licenses/nc-sa/", "nc-sa", {"NC", "SA"}),
        ("https://creativecommons.org/publicdomain/zero/", "zero", set()),
        ("https://creativecommons.org/publicdomain/mark/", "mark", set()),
    ],
)
def test_unversioned(url: str, family: str, obligations: set[str]) -> None:
    result = canonicalize_url(url)
    assert isinstance(result, UnversionedCC)
    assert result.family == family
    assert result.obligations == frozenset(obligations)
    assert result.allows_commercial is ("NC" not in obligations)
    assert result.allows_derivatives is ("ND" not in obligations)
    category = "publicdomain" if family in ("zero", "mark") else "licenses"
    assert result.url == f"https://creativecommons.org/{category}/{family}/"
    assert "version unknown" in result.name


@pytest.mark.parametrize("unit", sorted(set(BY_FAMILY) | set(PORTS_1_0) | {"devnations"}))
def test_unversioned_obligations_for_every_unit(unit: str) -> None:
    result = canonicalize_url(f"https://creativecommons.org/licenses/{unit}/")
    assert isinstance(result, UnversionedCC)
    assert result.obligations == frozenset(OBLIGATIONS[unit])


def test_unversioned_rejects_unknown_family() -> None:
    with pytest.raises(ValueError):
        UnversionedCC("by-foo", "https://creativecommons.org/licenses/by-foo/")


def test_results_are_frozen_and_hashable() -> None:
    lic = canonicalize_url("https://creativecommons.org/licenses/by/4.0/")
    assert isinstance(lic, License)
    with pytest.raises(dataclasses.FrozenInstanceError):
        lic.spdx = "MIT"  # type: ignore[misc]
    assert len({lic, canonicalize_url("http://creativecommons.org/licenses/by/4.0")}) == 1


NON_CC = [
    ("https://opensource.org/licenses/MIT", "MIT", {"BY"}),
    ("http://opensource.org/licenses/mit-license.php", "MIT", {"BY"}),
    ("https://opensource.org/licenses/mit-license", "MIT", {"BY"}),
    ("https://opensource.org/license/mit/", "MIT", {"BY"}),
    ("https://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0", {"BY"}),
    ("http://apache.org/licenses/LICENSE-2.0.html", "Apache-2.0", {"BY"}),
    ("//www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0", {"BY"}),
    ("https://www.apache.org/licenses/LICENSE-2.0/", "Apache-2.0", {"BY"}),
    ("https://www.gnu.org/licenses/gpl-2.0.html", "GPL-2.0-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/old-licenses/gpl-2.0.en.html", "GPL-2.0-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/gpl-3.0", "GPL-3.0-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/gpl-3.0.html", "GPL-3.0-only", {"BY", "SA"}),
    ("http://gnu.org/licenses/gpl-3.0.en.html", "GPL-3.0-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/lgpl-3.0.html", "LGPL-3.0-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/agpl-3.0.en.html", "AGPL-3.0-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/fdl-1.3.html", "GFDL-1.3-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/fdl-1.3.en.html", "GFDL-1.3-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/fdl-1.2.html", "GFDL-1.2-only", {"BY", "SA"}),
    ("https://www.gnu.org/licenses/old-licenses/fdl-1.2.html", "GFDL-1.2-only", {"BY", "SA"}),
    ("https://opendatacommons.org/licenses/odbl/", "ODbL-1.0", {"BY", "SA"}),
    ("http://opendatacommons.org/licenses/odbl/1.0/", "ODbL-1.0", {"BY", "SA"}),
    ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0", {"BY", "SA"}),
    ("https://opendatacommons.org/licenses/by/1.0/", "ODC-By-1.0", {"BY"}),
    ("https://opendatacommons.org/licenses/by", "ODC-By-1.0", {"BY"}),
    ("https://opendatacommons.org/licenses/pddl/1.0/", "PDDL-1.0", set()),
    ("https://www.opendatacommons.org/licenses/pddl/", "PDDL-1.0", set()),
    ("https://opensource.org/licenses/BSD-2-Clause", "BSD-2-Clause", {"BY"}),
    ("https://opensource.org/licenses/bsd-3-clause/", "BSD-3-Clause", {"BY"}),
    ("HTTPS://OPENSOURCE.ORG/LICENSES/BSD-3-CLAUSE", "BSD-3-Clause", {"BY"}),
    ("https://spdx.org/licenses/CC-BY-SA-4.0.html", "CC-BY-SA-4.0", {"BY", "SA"}),
    ("https://spdx.org/licenses/MIT", "MIT", {"BY"}),
]


@pytest.mark.parametrize(("url", "spdx", "obligations"), NON_CC)
def test_non_cc_urls(url: str, spdx: str, obligations: set[str]) -> None:
    lic = canonicalize_url(url)
    assert isinstance(lic, License)
    assert lic.spdx == spdx
    assert lic.obligations == frozenset(obligations)
    assert lookup_spdx(spdx) == lic
    assert spdx in known_spdx_ids()
    assert canonicalize_url(lic.url) == lic


@pytest.mark.parametrize(
    "url",
    [
        "https://opensource.org/licenses/",
        "https://opensource.org/licenses/GPL-9.0",
        "https://www.gnu.org/licenses/",
        "https://www.gnu.org/licenses/gpl-faq.html",
        "https://www.apache.org/licenses/LICENSE-1.1",
        "https://opendatacommons.org/licenses/odbl/2.0/",
        "https://spdx.org/licenses/NOT-A-LICENSE.html",
        "https://spdx.org/licenses/",
    ],
)
def test_non_cc_unknown(url: str) -> None:
    assert canonicalize_url(url) is None


def test_gnu_or_later_and_deprecated_ids() -> None:
    later = lookup_spdx("GPL-3.0-or-later")
    assert later is not None
    assert later.spdx == "GPL-3.0-or-later"
    assert later.obligations == frozenset({"BY", "SA"})
    only = parse_license_ref("GPL-3.0")
    assert isinstance(only, License)
    assert only.spdx == "GPL-3.0-only"
    plus = parse_license_ref("GPL-3.0+")
    assert isinstance(plus, License)
    assert plus.spdx == "GPL-3.0-or-later"


def test_known_spdx_ids_all_round_trip() -> None:
    ids = known_spdx_ids()
    assert isinstance(ids, frozenset)
    # 639 CC tools + 13 non-CC licenses + 6 GNU "-or-later" variants.
    assert len(ids) == 639 + 13 + 6
    for spdx in ids:
        lic = lookup_spdx(spdx)
        assert lic is not None, spdx
        assert lic.spdx == spdx
        assert lookup_spdx(spdx.upper()) == lic
        assert lookup_spdx(spdx.lower()) == lic
        assert lookup_spdx(f" {spdx} ") == lic
        assert lic.obligations <= {"BY", "SA", "NC", "ND"}
        # SPDX idstring: letters, digits, "-" and "." only.
        assert all(ch.isalnum() or ch in "-." for ch in spdx), spdx


def test_lookup_spdx_unknown() -> None:
    assert lookup_spdx("CC-BY-9.0") is None
    assert lookup_spdx("") is None
    assert lookup_spdx("CC-BY-2.0-AT") is None  # not an SPDX id; the LicenseRef- id is
    assert lookup_spdx("LicenseRef-CC-BY-2.0-AT") is not None


@pytest.mark.parametrize(
    ("value", "spdx"),
    [
        ("CC-BY-SA-4.0", "CC-BY-SA-4.0"),
        ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
        ("CC BY-SA 4.0", "CC-BY-SA-4.0"),
        ("CC BY-SA 3.0 DE", "CC-BY-SA-3.0-DE"),
        ("CC BY-NC 2.0 AT", "LicenseRef-CC-BY-NC-2.0-AT"),
        ("CC BY-ND-NC 1.0", "CC-BY-NC-ND-1.0"),
        ("CC0 1.0", "CC0-1.0"),
        ("CC0-1.0", "CC0-1.0"),
        ("CC-PDM-1.0", "CC-PDM-1.0"),
        ("PDM 1.0", "CC-PDM-1.0"),
        ("CC-PDDC", "CC-PDDC"),
        ("CC SAMPLING+ 1.0", "LicenseRef-CC-SAMPLING-PLUS-1.0"),
        ("LicenseRef-CC-BY-NC-2.0-AT", "LicenseRef-CC-BY-NC-2.0-AT"),
        ("MIT", "MIT"),
        ("apache-2.0", "Apache-2.0"),
        ("ODbL-1.0", "ODbL-1.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
        ("creativecommons.org/licenses/by-nc-sa/3.0/igo", "CC-BY-NC-SA-3.0-IGO"),
        ("https://www.gnu.org/licenses/gpl-3.0.html", "GPL-3.0-only"),
    ],
)
def test_parse_license_ref(value: str, spdx: str) -> None:
    lic = parse_license_ref(value)
    assert isinstance(lic, License), value
    assert lic.spdx == spdx


@pytest.mark.parametrize(
    ("value", "family"),
    [
        ("CC BY-NC", "by-nc"),
        ("cc-by-sa", "by-sa"),
        ("CC0", "zero"),
        ("https://creativecommons.org/licenses/by-nd/", "by-nd"),
    ],
)
def test_parse_license_ref_unversioned(value: str, family: str) -> None:
    result = parse_license_ref(value)
    assert isinstance(result, UnversionedCC)
    assert result.family == family


@pytest.mark.parametrize(
    "value",
    ["", "  ", "All rights reserved", "CC BY 9.0", "proprietary", "https://example.com/license"],
)
def test_parse_license_ref_unknown(value: str) -> None:
    assert parse_license_ref(value) is None


def test_public_domain_tools_have_no_obligations() -> None:
    for spdx in ("CC0-1.0", "CC-PDM-1.0", "CC-PDDC", "PDDL-1.0"):
        lic = lookup_spdx(spdx)
        assert lic is not None
        assert lic.obligations == frozenset()
        assert lic.allows_commercial
        assert lic.allows_derivatives
        assert not lic.requires_attribution


def test_nc_and_nd_flags() -> None:
    nc_nd = canonicalize_url("https://creativecommons.org/licenses/by-nc-nd/4.0/")
    assert isinstance(nc_nd, License)
    assert not nc_nd.allows_commercial
    assert not nc_nd.allows_derivatives
    assert nc_nd.requires_attribution
    assert not nc_nd.share_alike
    sa = canonicalize_url("https://creativecommons.org/licenses/by-sa/4.0/")
    assert isinstance(sa, License)
    assert sa.allows_commercial
    assert sa.allows_derivatives
    assert sa.share_alike
    assert sa.is_creative_commons
    mit = lookup_spdx("MIT")
    assert mit is not None
    assert not mit.is_creative_commons
