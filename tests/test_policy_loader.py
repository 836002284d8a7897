"""Policy loader: valid directories load; every kind of fault names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.gates import allowlist
from crawler.policy.loader import PolicyError, load_policies
from crawler.policy.registry import PolicyRegistry

GOOD = """\
name: site
version: 4
hosts: [docs.example.org]
tos:
  url: https://docs.example.org/terms
  reviewed: 2026-11-01
  reviewer: R. Eviewer
  crawling: allowed
  ai_training: research-only
purposes: [research]
start_urls: [https://docs.example.org/]
allow_paths: [/docs/, /img/]
deny_paths: [/docs/private/]
rate: {requests_per_second: 2, concurrency: 1}
licenses:
  accept:
    research: [CC-BY-4.0, cc-by-sa-4.0]
  default: CC-BY-4.0
retention_days: 30
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def problems(directory: Path) -> list[str]:
    with pytest.raises(PolicyError) as info:
        load_policies(directory)
    return [str(p) for p in info.value.problems]


def test_good_policy_loads_with_canonical_licenses(tmp_path: Path) -> None:
    [policy] = load_policies(write(tmp_path, "site.yaml", GOOD))
    assert policy.hosts == ("docs.example.org",)
    assert policy.licenses.accept["research"] == {"CC-BY-4.0", "CC-BY-SA-4.0"}
    assert policy.rate.min_gap == 0.5
    assert policy.version == "4"
    assert len(policy.sha256) == 64
    assert policy.purpose_allowed("research") and not policy.purpose_allowed("commercial")


def test_unknown_key_names_file_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("retention_days: 30", "retention_days: 30\nretention_dayz: 3")
    [message] = problems(write(tmp_path, "site.yaml", text))
    assert message == (f"{tmp_path}/site.yaml:20: retention_dayz: unknown key "
                       "(did you mean 'retention_days'?)")


def test_wrong_type_names_nested_field(tmp_path: Path) -> None:
    text = GOOD.replace("requests_per_second: 2", "requests_per_second: fast")
    [message] = problems(write(tmp_path, "site.yaml", text))
    assert message.startswith(f"{tmp_path}/site.yaml:14: rate.requests_per_second: 'fast'")


def test_bad_verdict_and_missing_field(tmp_path: Path) -> None:
    text = GOOD.replace("crawling: allowed", "crawling: sure")
    text = text.replace("  reviewer: R. Eviewer\n", "")
    found = problems(write(tmp_path, "site.yaml", text))
    assert any(":4: tos: 'reviewer' is required" in m for m in found), found
    assert any(":7: tos.crawling: 'sure' is not one of" in m for m in found), found


def test_unknown_license_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("cc-by-sa-4.0", "CC-BY-SA-9.9")
    [message] = problems(write(tmp_path, "site.yaml", text))
    assert message == (f"{tmp_path}/site.yaml:17: licenses.accept.research.1: "
                       "unknown license id 'CC-BY-SA-9.9' (did you mean 'CC-BY-SA-4.0'?)")


def test_license_families_in_accept_lists(tmp_path: Path) -> None:
    text = GOOD.replace("ai_training: research-only", "ai_training: allowed").replace(
        "purposes: [research]", "purposes: [research, commercial]").replace(
        "    research: [CC-BY-4.0, cc-by-sa-4.0]\n",
        "    research: [cc-by-*, CC0-1.0]\n"
        "    commercial: [CC-BY-NC-*, CC-BY-NC-SA-4.0, CC-BY-SA-*]\n")
    [policy] = load_policies(write(tmp_path, "site.yaml", text))
    rules = policy.licenses
    assert rules.accept == {"research": {"CC-BY-*", "CC0-1.0"},
                            "commercial": {"CC-BY-NC-*", "CC-BY-NC-SA-4.0", "CC-BY-SA-*"}}
    for spdx in ("CC-BY-4.0", "CC-BY-3.0-DE", "CC-BY-2.0", "LicenseRef-CC-BY-2.0-FR", "CC0-1.0"):
        assert rules.accepted(spdx, "research"), spdx
    for spdx in ("CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-ND-4.0", "CC-BY-NC-SA-4.0", "MIT"):
        assert not rules.accepted(spdx, "research"), spdx
    # an NC family or id under commercial loads, but never accepts: NC is never commercial
    for spdx in ("CC-BY-NC-4.0", "CC-BY-NC-3.0-DE", "CC-BY-NC-SA-4.0"):
        assert not rules.accepted(spdx, "commercial"), spdx
    assert rules.accepted("CC-BY-SA-3.0-DE", "commercial")
    assert not rules.accepted("CC-BY-4.0", "commercial")  # listed for research only

    # the same patterns in another order and case: the same stored rules
    again = tmp_path / "again"
    again.mkdir()
    [other] = load_policies(write(again, "site.yaml", text.replace(
        "[cc-by-*, CC0-1.0]", "[cc0-1.0, CC-BY-*, Cc-By-*]")))
    assert other.licenses.accept == rules.accept


def test_bad_license_patterns_are_each_reported(tmp_path: Path) -> None:
    text = GOOD.replace("[CC-BY-4.0, cc-by-sa-4.0]", "[CC-BY-*, CC-BY-SA-NC-*, CC-BY-4.*]")
    found = problems(write(tmp_path, "site.yaml", text))
    assert found == [
        f"{tmp_path}/site.yaml:17: licenses.accept.research.1: unknown license family "
        "'CC-BY-SA-NC-*' (did you mean 'CC-BY-NC-SA-*'?)",
        f"{tmp_path}/site.yaml:17: licenses.accept.research.2: unsupported license pattern "
        "'CC-BY-4.*': the only wildcard is a trailing '-*' naming one license family, "
        "e.g. 'CC-BY-*' (did you mean 'CC-BY-*'?)",
    ]


def test_prohibited_verdict_with_start_urls(tmp_path: Path) -> None:
    text = GOOD.replace("ai_training: research-only", "ai_training: prohibited")
    found = problems(write(tmp_path, "site.yaml", text))
    assert f"{tmp_path}/site.yaml:11: start_urls: the ToS verdict is 'prohibited': " \
           "a prohibited site has no start_urls" in found
    assert any(":10: purposes:" in m for m in found)


def test_research_only_verdict_refuses_commercial(tmp_path: Path) -> None:
    text = GOOD.replace("purposes: [research]", "purposes: [research, commercial]")
    [message] = problems(write(tmp_path, "site.yaml", text))
    assert ":10: purposes: the ToS verdict is 'research-only'" in message


def test_overlapping_hosts_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    other = GOOD.replace("hosts: [docs.example.org]", "hosts: ['*.example.org']").replace(
        "start_urls: [https://docs.example.org/]", "start_urls: []")
    write(tmp_path, "b.yaml", other)
    [message] = problems(tmp_path)
    assert message.startswith(f"{tmp_path}/b.yaml:3: hosts.0: host '*.example.org' overlaps "
                              f"'docs.example.org' of {tmp_path}/a.yaml:3")


def test_wildcard_over_public_suffix_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("hosts: [docs.example.org]", "hosts: ['*.co.uk']").replace(
        "start_urls: [https://docs.example.org/]", "start_urls: []")
    [message] = problems(write(tmp_path, "site.yaml", text))
    assert message == f"{tmp_path}/site.yaml:3: hosts.0: '*.co.uk' covers a whole public suffix"


def test_start_url_off_policy_hosts(tmp_path: Path) -> None:
    text = GOOD.replace("start_urls: [https://docs.example.org/]",
                        "start_urls: [https://elsewhere.example.net/]")
    [message] = problems(write(tmp_path, "site.yaml", text))
    assert ":11: start_urls.0: https://elsewhere.example.net/ is not on one of" in message


def test_yaml_syntax_error_and_duplicate_key(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", "hosts: [a.example\nname: x\n")
    write(tmp_path, "dup.yaml", GOOD + "retention_days: 40\n")
    found = problems(tmp_path)
    assert any(m.startswith(f"{tmp_path}/broken.yaml:2: YAML syntax") for m in found), found
    assert f"{tmp_path}/dup.yaml:20: retention_days: duplicate key" in found


def test_defaults_are_merged_and_restricted(tmp_path: Path) -> None:
    write(tmp_path, "_defaults.yaml", "retention_days: 99\nrate: {concurrency: 3}\n")
    write(tmp_path, "site.yaml", GOOD.replace("retention_days: 30\n", "").replace(
        "rate: {requests_per_second: 2, concurrency: 1}\n", ""))
    [policy] = load_policies(tmp_path)
    assert policy.retention_days == 99 and policy.rate.concurrency == 3
    write(tmp_path, "_defaults.yaml", "hosts: [x.example]\n")
    expected = f"{tmp_path}/_defaults.yaml:1: hosts: not allowed in _defaults.yaml"
    assert expected in problems(tmp_path)


def test_empty_or_missing_directory(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path}:0: no policy files (*.yaml) found"]
    assert problems(tmp_path / "nope") == [f"{tmp_path}/nope:0: policy directory not found"]


def test_allowlist_gate_decisions(tmp_path: Path) -> None:
    registry = PolicyRegistry(load_policies(write(tmp_path, "site.yaml", GOOD)))

    def reason(url: str, purpose: str = "research", control: bool = False) -> str:
        return allowlist.check(url, registry, purpose, control)[0].reason

    assert reason("https://docs.example.org/docs/a.html") == "allowed"
    assert reason("https://DOCS.example.org:443/docs/a.html") == "allowed"
    assert reason("http://docs.example.org:80/docs/a.html") == "allowed"
    # other ports only when the policy lists them (ports:)
    assert reason("https://docs.example.org:8443/docs/a.html") == "port_not_allowed"
    assert reason("https://docs.example.org:0/docs/a.html") == "port_not_allowed"
    assert reason("https://docs.example.org/docs/private/x") == "path_denied"
    assert reason("https://docs.example.org/blog/") == "path_not_allowed"
    # control files: outside allow_paths, allowed only when the crawler itself reads them
    assert reason("https://docs.example.org/robots.txt", control=True) == "allowed"
    assert reason("https://docs.example.org/ai.txt") == "path_not_allowed"
    assert reason("https://other.example.org/docs/") == "no_policy"
    assert reason("ftp://docs.example.org/docs/") == "scheme_not_allowed"
    assert reason("https://docs.example.org/docs/a", "commercial") == "tos_prohibited"
