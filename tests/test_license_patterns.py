"""The license-pattern grammar shared by policy accept lists and export filters."""

from __future__ import annotations

import pytest

from crawler.signals.license_patterns import (
    LicensePatternError,
    compile_patterns,
    parse_pattern,
)
from crawler.signals.spdx_ids import known_spdx_ids, lookup_spdx

CC_LICENSES = "https://creativecommons.org/licenses/"


def cc_unit(spdx: str) -> str | None:
    """The CC unit in a license's canonical URL (``.../licenses/by-sa/4.0/`` -> ``by-sa``)."""
    lic = lookup_spdx(spdx)
    assert lic is not None
    if not lic.url.startswith(CC_LICENSES):
        return None
    return lic.url.removeprefix(CC_LICENSES).split("/")[0]


def selected(pattern: str) -> set[str]:
    selector = compile_patterns([pattern])
    return {i for i in known_spdx_ids() if selector.matches(i)}


def test_cc_by_family_is_cc_by_only() -> None:
    selector = compile_patterns(["CC-BY-*"])
    for spdx in ("CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5-AU", "CC-BY-3.0", "CC-BY-3.0-DE",
                 "CC-BY-3.0-IGO", "CC-BY-4.0", "LicenseRef-CC-BY-2.0-FR"):
        assert selector.matches(spdx), spdx
    for spdx in ("CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-ND-4.0", "CC-BY-NC-SA-4.0",
                 "CC-BY-NC-ND-4.0", "CC-BY-SA-3.0-DE", "CC-BY-NC-3.0-DE", "CC0-1.0", "MIT",
                 "CC-BY-4.0-XX", ""):
        assert not selector.matches(spdx), spdx


@pytest.mark.parametrize("unit", ["by", "by-sa", "by-nd", "by-nc", "by-nc-sa"])
def test_family_is_exactly_one_cc_unit_with_all_versions_and_ports(unit: str) -> None:
    # judged by the license URLs, not by how the module builds its families
    expected = {i for i in known_spdx_ids() if cc_unit(i) == unit}
    got = selected(f"CC-{unit.upper()}-*")
    assert got == expected
    versions = {lookup_spdx(i).url.split("/")[5] for i in got}  # type: ignore[union-attr]
    assert {"1.0", "2.0", "2.5", "3.0", "4.0"} <= versions


def test_cc_by_nc_nd_family_includes_the_1_0_by_nd_nc_unit() -> None:
    # CC called the 1.0 unit by-nd-nc; SPDX names it CC-BY-NC-ND-1.0
    got = selected("CC-BY-NC-ND-*")
    assert "CC-BY-NC-ND-1.0" in got and "CC-BY-NC-ND-4.0" in got and "CC-BY-NC-ND-3.0-IGO" in got
    assert got == {i for i in known_spdx_ids() if cc_unit(i) in ("by-nc-nd", "by-nd-nc")}
    assert selected("CC-BY-ND-NC-*") == got


def test_patterns_are_case_insensitive_and_canonical() -> None:
    selector = compile_patterns(["cc-by-*", "CC-BY-*", "cc-by-sa-4.0", "odbl-1.0", "gpl-*"])
    assert selector.texts == ("CC-BY-*", "CC-BY-SA-4.0", "ODbL-1.0", "GPL-*")
    assert selector.matches("cc-by-3.0-de") and selector.matches("CC-BY-SA-4.0")
    assert selector.matches("odbl-1.0") and not selector.matches("CC-BY-SA-3.0")
    assert parse_pattern(" Cc-By-3.0-de ").text == "CC-BY-3.0-DE"
    assert parse_pattern("cc0-*").text == "CC0-*" and parse_pattern("cc0-*").is_family


def test_non_cc_family_needs_versions_and_stays_in_its_name() -> None:
    assert selected("GPL-*") == {"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only",
                                 "GPL-3.0-or-later"}
    assert selected("GFDL-*") == {"GFDL-1.2-only", "GFDL-1.2-or-later", "GFDL-1.3-only",
                                  "GFDL-1.3-or-later"}
    assert selected("ODC-By-*") == {"ODC-By-1.0"}
    with pytest.raises(LicensePatternError) as info:
        parse_pattern("MIT-*")
    assert str(info.value) == ("unknown license family 'MIT-*': a license without versions has "
                               "no family; name it: 'MIT'")
    with pytest.raises(LicensePatternError, match="name it: 'BSD-2-Clause', 'BSD-3-Clause'"):
        parse_pattern("BSD-*")


def test_unknown_id_names_it_with_a_suggestion() -> None:
    with pytest.raises(LicensePatternError) as info:
        parse_pattern("CC-BY-SA-9.9")
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "unknown license id 'CC-BY-SA-9.9' (did you mean 'CC-BY-SA-4.0'?)"
    with pytest.raises(LicensePatternError) as info:
        parse_pattern("apache2")
    assert str(info.value) == "unknown license id 'apache2' (did you mean 'Apache-2.0'?)"
    with pytest.raises(LicensePatternError) as info:
        parse_pattern("Proprietary-Zebra-License")
    assert str(info.value) == "unknown license id 'Proprietary-Zebra-License'"


def test_unknown_family_is_an_error() -> None:
    cases = {
        "CC-BY-SA-NC-*": "unknown license family 'CC-BY-SA-NC-*' (did you mean 'CC-BY-NC-SA-*'?)",
        "cc-bz-*": "unknown license family 'cc-bz-*' (did you mean 'CC-BY-*'?)",
        "FOO-*": "unknown license family 'FOO-*'",
        "CC-*": "unknown license family 'CC-*': it would span several license units; list the "
                "ones you mean, e.g. 'CC-BY-*', 'CC-BY-NC-*', 'CC-BY-NC-ND-*'",
        "GPL-3.0-*": "unknown license family 'GPL-3.0-*': name the license exactly "
                     "('GPL-3.0-only', 'GPL-3.0-or-later') or its whole family ('GPL-*')",
    }
    for text, message in cases.items():
        with pytest.raises(LicensePatternError) as info:
            parse_pattern(text)
        assert str(info.value) == message


@pytest.mark.parametrize("text", ["*", "CC-BY*", "CC-BY-4.*", "CC-BY-?.0", "CC-[AB]Y-4.0",
                                  "*-4.0"])
def test_no_other_wildcard(text: str) -> None:
    with pytest.raises(LicensePatternError, match="the only wildcard is a trailing '-\\*'"):
        parse_pattern(text)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(LicensePatternError) as info:
        compile_patterns(["CC-BY-*", "CC-BY-9.9", "", "XYZ-*", "MIT"])
    assert info.value.problems == [
        "unknown license id 'CC-BY-9.9' (did you mean 'CC-BY-4.0'?)",
        "empty license pattern",
        "unknown license family 'XYZ-*'",
    ]


def test_empty_selector_selects_nothing() -> None:
    selector = compile_patterns([])
    assert selector.texts == () and not selector.matches("CC-BY-4.0")
