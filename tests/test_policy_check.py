"""``crawler policy check``: every problem of every file in one pass, with file:line and a
"did you mean"; the expanded accept lists with ``--verbose``."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_policy_loader import GOOD, write

from crawler.policy.checks import did_you_mean
from crawler.policy.command import main
from crawler.policy.loader import PolicyError, check_policies, load_policies


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    status = main(["policy", "check", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, err.splitlines(), out


def test_every_problem_of_every_file_in_one_pass(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Misspellings, schema faults, license faults, host overlaps: all at once, although
    a.yaml's schema faults used to hide its license faults, and both c.yaml's overlap."""
    write(tmp_path, "a.yaml", GOOD.replace("retention_days: 30", "retention_dayz: 30")
          .replace("purposes: [research]", "purposes: [reserch]")
          .replace("crawling: allowed", "crawling: alowed")
          .replace("    research: [CC-BY-4.0, cc-by-sa-4.0]",
                   "    reserch: [CC-BY-4.0]\n    research: [CC-BY-SA-9.9, CC-BY-SA-NC-*]"))
    write(tmp_path, "b.yaml", "hosts: [x.example\nname: x\n")
    write(tmp_path, "c.yaml", GOOD.replace("docs.example.org]", "'*.example.org']")
          .replace("start_urls: [https://docs.example.org/]",
                   "start_urls: [https://elsewhere.example.net/]")
          .replace("requests_per_second: 2", "requests_per_second: .nan"))
    write(tmp_path, "d.yaml", GOOD.replace("docs.example.org", "wiki.example.com"))
    status, err, out = check(capsys, str(tmp_path))
    assert status == 2
    a, b, c = (f"{tmp_path}/{name}.yaml" for name in "abc")
    assert err == [
        "crawler: invalid site policies:",
        f"  {a}:1: 'retention_days' is required",
        f"  {a}:8: tos.crawling: 'alowed' is not one of ['allowed', 'research-only', "
        "'prohibited'] (did you mean 'allowed'?)",
        f"  {a}:10: purposes.0: 'reserch' is not one of ['research', 'commercial'] "
        "(did you mean 'research'?)",
        f"  {a}:17: licenses.accept.reserch: unknown purpose (did you mean 'research'?)",
        f"  {a}:18: licenses.accept.research.0: unknown license id 'CC-BY-SA-9.9' "
        "(did you mean 'CC-BY-SA-4.0'?)",
        f"  {a}:18: licenses.accept.research.1: unknown license family 'CC-BY-SA-NC-*' "
        "(did you mean 'CC-BY-NC-SA-*'?)",
        f"  {a}:20: retention_dayz: unknown key (did you mean 'retention_days'?)",
        f"  {b}:2: YAML syntax: while parsing a flow sequence: expected ',' or ']', but "
        "got ':'",
        f"  {c}:3: hosts.0: host '*.example.org' overlaps 'docs.example.org' of {a}:3",
        f"  {c}:11: start_urls.0: https://elsewhere.example.net/ is not on one of the "
        "policy's hosts",
        f"  {c}:14: rate.requests_per_second: nan is not a finite number",
    ]
    # the valid file is listed; the crawl would still take nothing from this directory
    assert out == f"ok  site                     wiki.example.com  ({tmp_path}/d.yaml)\n"
    with pytest.raises(PolicyError) as info:
        load_policies(tmp_path)
    assert [str(p) for p in info.value.problems] == [line[2:] for line in err[1:]]
    assert f"crawler: {info.value}".splitlines() == err  # the crawl says the same


def test_checks_that_need_a_field_skip_only_that_field(tmp_path: Path) -> None:
    """A malformed field is the schema's problem alone; every other check still runs."""
    text = (GOOD.replace("hosts: [docs.example.org]", "hosts: docs.example.org")
            .replace("ai_training: research-only", "ai_training: prohibited")
            .replace("rate: {requests_per_second: 2, concurrency: 1}", "rate: 3")
            .replace("  default: CC-BY-4.0", "  default: CC-BY-4.O\n  on_conflict: exlude"))
    found = [str(p) for p in check_policies(write(tmp_path, "s.yaml", text)).problems]
    path = f"{tmp_path}/s.yaml"
    assert found == [
        f"{path}:3: hosts: 'docs.example.org' is not of type 'array'",
        f"{path}:10: purposes: the ToS verdict is 'prohibited': no purpose can be allowed",
        f"{path}:11: start_urls: the ToS verdict is 'prohibited': a prohibited site has no "
        "start_urls",
        f"{path}:14: rate: 3 is not of type 'object'",
        f"{path}:18: licenses.default: unknown license id 'CC-BY-4.O' (did you mean "
        "'CC-BY-4.0'?)",
        f"{path}:19: licenses.on_conflict: 'exlude' is neither 'exclude' nor "
        "'most_restrictive' nor a known license id (did you mean 'exclude'?)",
    ]


def test_a_path_rule_with_a_dot_segment_is_a_mistake(tmp_path: Path) -> None:
    """URLs are compared with their dot segments removed: a rule that keeps one would
    match nothing, and a deny rule that matches nothing fails open."""
    text = GOOD.replace("allow_paths: [/docs/, /img/]",
                        "allow_paths: [/docs/, img/, /a/./b, '/x?q=../', /..well/]").replace(
        "deny_paths: [/docs/private/]", "deny_paths: [/docs/../private/, /p/*/..$]")
    found = [str(p) for p in check_policies(write(tmp_path, "s.yaml", text)).problems]
    path = f"{tmp_path}/s.yaml"
    dots = ("has a '.' or '..' segment: URLs are compared with theirs removed, so this "
            "rule would match no URL; write the path without them")
    assert found == [
        f"{path}:12: allow_paths.1: 'img/' does not start with '/'",
        f"{path}:12: allow_paths.2: '/a/./b' {dots}",
        f"{path}:13: deny_paths.0: '/docs/../private/' {dots}",
        f"{path}:13: deny_paths.1: '/p/*/..$' {dots}",
    ]


def test_empty_review_fields_say_so(tmp_path: Path) -> None:
    text = GOOD.replace("reviewed: 2026-11-01", "reviewed:").replace(
        "crawling: allowed", "crawling:  # TO FILL").replace("retention_days: 30",
                                                             "retention_days:")
    found = [str(p) for p in check_policies(write(tmp_path, "s.yaml", text)).problems]
    assert found == [
        f"{tmp_path}/s.yaml:6: tos.reviewed: not filled in: the person who reviewed the "
        "terms fills this in",
        f"{tmp_path}/s.yaml:8: tos.crawling: not filled in: the person who reviewed the "
        "terms fills this in",
        f"{tmp_path}/s.yaml:19: retention_days: empty: a value is needed here",
    ]


@pytest.mark.parametrize(("word", "candidates", "expected"), [
    ("retention_dayz", ["retention_days", "rate"], " (did you mean 'retention_days'?)"),
    ("retention", ["retention_days", "rate"], " (did you mean 'retention_days'?)"),
    ("start_url", ["start_urls", "sitemaps"], " (did you mean 'start_urls'?)"),
    ("licences", ["licenses"], " (did you mean 'licenses'?)"),
    # a policy trying to unlock private networks is not told about allow_paths
    ("allow_private", ["allow_paths", "deny_paths"], ""),
    ("zzz", ["hosts"], ""),
])
def test_did_you_mean(word: str, candidates: list[str], expected: str) -> None:
    assert did_you_mean(word, candidates) == expected


def test_verbose_expands_families_to_exact_ids(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("ai_training: research-only", "ai_training: allowed").replace(
        "purposes: [research]", "purposes: [research, commercial]").replace(
        "    research: [CC-BY-4.0, cc-by-sa-4.0]\n",
        "    research: [cc-by-*, CC0-1.0]\n    commercial: [CC-BY-NC-*, GPL-*]\n")
    status, err, out = check(capsys, str(write(tmp_path, "site.yaml", text)), "--verbose")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == f"ok  site                     docs.example.org  ({tmp_path}/site.yaml)"
    assert lines[1:3] == ["    purposes: commercial, research", "    accept commercial:"]
    nc = lines.index("      CC-BY-NC-* = 0 license(s):")
    assert lines[nc + 1].startswith("          never accepted for commercial: ")
    gpl = lines.index("      GPL-* = 4 license(s):")
    assert lines[gpl + 1] == ("          GPL-2.0-only, GPL-2.0-or-later, GPL-3.0-only, "
                              "GPL-3.0-or-later")
    family = lines.index("    accept research:") + 1
    assert lines[family].startswith("      CC-BY-* = ")
    members = " ".join(lines[family + 1:lines.index("      CC0-1.0")]).replace(",", " ")
    ids = set(members.split())
    assert {"CC-BY-1.0", "CC-BY-2.0", "CC-BY-3.0-DE", "CC-BY-4.0",
            "LicenseRef-CC-BY-2.0-FR"} <= ids
    assert not {i for i in ids if i.startswith(("CC-BY-SA", "CC-BY-NC", "CC-BY-ND"))}
    assert lines[family].endswith(f" {len(ids)} license(s):")
    assert lines[-1] == "    default: CC-BY-4.0"


def test_missing_directory_and_good_directory(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    status, err, _ = check(capsys, str(tmp_path / "nope"))
    assert status == 2 and err == ["crawler: invalid site policies:",
                                   f"  {tmp_path}/nope:0: policy directory not found"]
    status, err, out = check(capsys, str(write(tmp_path, "site.yaml", GOOD)))
    assert status == 0 and err == [] and out.startswith("ok  site")
