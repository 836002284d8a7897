"""``licenses.unversioned``: what a license statement without a version ("CC BY") is worth.

``reject`` (the default) refuses it as before; ``family`` takes it as the whole family
(``CC-BY-*``), which only an accept list taking every version accepts; ``assume-latest``
takes the family's latest version from the license table. The decision's ``unversioned``
evidence says which mode, which family, which license and from what statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_license_detect import CC, make_policy
from test_policy_loader import GOOD, write

from crawler import sidecar
from crawler.dataset.selection import license_filter, license_selected, purpose_problem
from crawler.gates import license as license_gate
from crawler.policy.loader import check_policies, load_policies
from crawler.signals import license_detect as ld
from crawler.signals.cc_licenses import CC_UNVERSIONED
from crawler.signals.license_patterns import compile_patterns
from crawler.signals.licenses import parse_license_ref
from crawler.signals.unversioned import as_family, latest, lookup, selects

BY = CC_UNVERSIONED[("licenses", "by")]


def statement(url: str = f"{CC}by/", scope: str = ld.SCOPE_PAGE) -> ld.LicenseEvidence:
    return ld.LicenseEvidence("html:a", "html/body/footer/a", f'<a rel="license" href="{url}">',
                              url, parse_license_ref(url), scope, part="footer")


# ----------------------------------------------------------------------------------------------
# The family and its latest version, from the one table and the one grammar
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("unit", "family", "newest"), [
    (("licenses", "by"), "CC-BY-*", "CC-BY-4.0"),
    (("licenses", "by-nc-sa"), "CC-BY-NC-SA-*", "CC-BY-NC-SA-4.0"),
    # 1.0's by-nd-nc is the by-nc-nd family: its latest is 4.0 by-nc-nd
    (("licenses", "by-nd-nc"), "CC-BY-ND-NC-*", "CC-BY-NC-ND-4.0"),
    # international before a port: sa 1.0 is newer to the world than sa 2.0 Japan
    (("licenses", "sa"), "CC-SA-*", "CC-SA-1.0"),
    (("publicdomain", "zero"), "CC0-*", "CC0-1.0"),
    (("publicdomain", "mark"), "CC-PDM-*", "CC-PDM-1.0"),
])
def test_family_and_latest(unit: tuple[str, str], family: str, newest: str) -> None:
    lic = CC_UNVERSIONED[unit]
    taken = as_family(lic)
    assert taken is not None and taken.spdx == family
    assert taken.obligations == lic.obligations and "version unknown" in taken.name
    assert lookup(family.lower()) == taken
    assert latest(lic) is not None and latest(lic).spdx == newest  # type: ignore[union-attr]


def test_a_tool_the_grammar_has_no_family_for_is_taken_as_nothing() -> None:
    pddc = CC_UNVERSIONED[("publicdomain", "certification")]
    assert as_family(pddc) is None and latest(pddc) is None


@pytest.mark.parametrize(("accept", "taken"), [
    (["CC-BY-*"], True),
    (["CC-BY-4.0"], False),  # one version is not the family
    ([f"CC-BY-{v}" for v in ("1.0", "2.0", "2.5", "3.0", "4.0")], False),  # ports missing
    (["CC-BY-SA-*"], False),
])
def test_an_accept_list_takes_a_family_only_whole(accept: list[str], taken: bool) -> None:
    selector = compile_patterns(accept)
    assert selects(selector, "CC-BY-*") is taken
    assert selects(selector, "CC-BY-4.0") is ("CC-BY-4.0" in accept or "CC-BY-*" in accept)


def test_the_export_filter_and_purposes_read_family_ids() -> None:
    card: dict[str, Any] = {"purpose": "commercial", "policy": {"tos_ai_training": "allowed"}}
    assert license_selected("CC-BY-*", license_filter(["CC-BY-*"]))
    assert not license_selected("CC-BY-*", license_filter(["CC-BY-4.0"]))
    assert purpose_problem(card, "CC-BY-*", ["BY"], "commercial") is None
    assert purpose_problem(card, "CC-BY-NC-*", ["BY", "NC"], "commercial") == \
        "license_forbids_purpose"


# ----------------------------------------------------------------------------------------------
# The license gate, per mode
# ----------------------------------------------------------------------------------------------

def test_reject_is_the_default_and_refuses_as_before() -> None:
    found = [statement()]
    decision, chosen = license_gate.check(found, [], make_policy(), "research")
    assert (decision.reason, chosen) == ("license_unknown", None)
    assert "the family is known, the license is not (licenses.unversioned: reject)" in \
        decision.sentence
    record = decision.evidence["unversioned"]
    assert record["mode"] == "reject" and record["family"] == "CC-BY-*"
    assert record["version"] == "unknown" and record["license"] is None
    assert record["statement"]["url"] == f"{CC}by/"
    assert [s["status"] for s in decision.evidence["statements"]] == ["unknown"]


def test_family_is_accepted_only_by_the_whole_family() -> None:
    found = [statement()]
    whole = make_policy({"research": frozenset({"CC-BY-*"})}, unversioned="family")
    decision, chosen = license_gate.check(found, [], whole, "research")
    assert decision.allowed and decision.evidence["spdx"] == "CC-BY-*"
    assert chosen is found[0]  # the statement as found: the family, no version
    assert decision.evidence["unversioned"] == {
        "mode": "family", "family": "CC-BY-*", "version": "unknown", "license": "CC-BY-*",
        "statement": found[0].as_record()}
    one = make_policy({"research": frozenset({"CC-BY-4.0"})}, unversioned="family")
    decision, _ = license_gate.check(found, [], one, "research")
    assert decision.reason == "license_not_accepted"
    assert "accepted only where every version is" in decision.sentence
    assert decision.evidence["unversioned"]["mode"] == "family"


def test_a_noncommercial_family_is_never_commercial() -> None:
    policy = make_policy({"commercial": frozenset({"CC-BY-NC-*"})}, unversioned="family")
    decision, _ = license_gate.check([statement(f"{CC}by-nc/")], [], policy, "commercial")
    assert decision.reason == "license_not_accepted" and "NonCommercial" in decision.sentence


def test_assume_latest_takes_the_newest_version() -> None:
    found = [statement()]
    policy = make_policy({"research": frozenset({"CC-BY-4.0"})}, unversioned="assume-latest")
    decision, chosen = license_gate.check(found, [], policy, "research")
    assert decision.allowed and decision.evidence["spdx"] == "CC-BY-4.0"
    assert chosen is not None and chosen.license is not None
    assert chosen.license.spdx == "CC-BY-4.0"  # type: ignore[union-attr]
    assert chosen.url == f"{CC}by/" and "taken as CC-BY-4.0" in chosen.note
    record = decision.evidence["unversioned"]
    assert (record["mode"], record["version"], record["license"]) == (
        "assume-latest", "assumed-latest", "CC-BY-4.0")
    assert record["statement"]["spdx"] is None and record["statement"]["family"] == "by"
    # the latest may still be refused
    older = make_policy({"research": frozenset({"CC-BY-3.0"})}, unversioned="assume-latest")
    assert license_gate.check(found, [], older, "research")[0].reason == \
        "license_not_accepted"


@pytest.mark.parametrize("mode", ["reject", "family", "assume-latest"])
def test_a_version_from_the_fallback_wins_over_every_mode(mode: str) -> None:
    policy = make_policy(unversioned=mode, default="CC-BY-4.0")
    fallback = ld.from_policy(policy.licenses.default, policy.source)
    decision, chosen = license_gate.check([statement()], fallback, policy, "research")
    assert decision.allowed and chosen is fallback[0] and "unversioned" not in decision.evidence


def test_an_image_inherits_a_family_its_page_was_stored_under() -> None:
    page = statement()
    policy = make_policy({"research": frozenset({"CC-BY-*"})}, unversioned="family",
                         images_share_page_license=True)
    inherited = ld.LicenseEvidence.from_record({**page.as_record(), "channel": "page"})
    decision, chosen = license_gate.check([], [inherited], policy, "research", kind="image")
    assert decision.allowed and decision.evidence["spdx"] == "CC-BY-*" and chosen is inherited
    rejecting = make_policy({"research": frozenset({"CC-BY-*"})},
                            images_share_page_license=True)
    assert license_gate.check([], [inherited], rejecting, "research",
                              kind="image")[0].reason == "license_missing"


def test_the_sidecar_names_the_family_and_the_mode() -> None:
    policy = make_policy({"research": frozenset({"CC-BY-*"})}, unversioned="family")
    found = [statement()]
    decision, chosen = license_gate.check(found, [], policy, "research")
    assert chosen is not None
    card = sidecar.build(
        url="https://site.example/a", kind="page", content_type="text/html", sha256="0",
        size=1, fetched_at="t", status=200, chosen=chosen,
        statements=decision.evidence["statements"], title="A", creator="", policy=policy,
        purpose="research", robots=None, decisions=[], run_id="r",
        license_notes={"unversioned": decision.evidence["unversioned"]})
    assert card["license"]["spdx"] == "CC-BY-*" and card["license"]["url"] == f"{CC}by/"
    assert card["license"]["permits"]["research"]["policy_accepts_license"] is True
    assert card["evidence"]["unversioned"]["mode"] == "family"
    assert "version unknown" in card["attribution"]["text"]


# ----------------------------------------------------------------------------------------------
# The policy key
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["reject", "family", "assume-latest"])
def test_the_mode_loads(tmp_path: Path, mode: str) -> None:
    write(tmp_path, "s.yaml", GOOD.replace("  default: CC-BY-4.0",
                                           f"  default: CC-BY-4.0\n  unversioned: {mode}"))
    [policy] = load_policies(tmp_path)
    assert policy.licenses.unversioned == mode


def test_the_mode_defaults_to_reject(tmp_path: Path) -> None:
    [policy] = load_policies(write(tmp_path, "s.yaml", GOOD))
    assert policy.licenses.unversioned == "reject"


def test_a_misspelt_mode_gets_a_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path, "s.yaml", GOOD.replace("  default: CC-BY-4.0",
                                           "  default: CC-BY-4.0\n  unversioned: assume_latest"))
    assert [str(p) for p in check_policies(tmp_path).problems] == [
        f"{tmp_path}/s.yaml:19: licenses.unversioned: 'assume_latest' is not one of "
        "['reject', 'family', 'assume-latest'] (did you mean 'assume-latest'?)"]
