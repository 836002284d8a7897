"""Recording a terms fingerprint: ``crawler policy check DIR --record-terms`` reads each
policy's terms page (robots.txt obeyed) and writes ``tos.fingerprint`` into the file in
place, comments and layout kept; ``crawler policy new`` fills it when it read the terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import CONTACT, run_cli
from test_terms_e2e import CHANGED, NEW_DATE_AND_MENU, REVIEWED

from crawler.demo.server import Route
from crawler.policy.record_terms import EditError, with_fingerprint
from crawler.signals.terms import read_terms

SITE, OTHER = "127.0.0.109", "127.0.0.110"
FP_A, FP_B = "sha256:" + "a" * 64, "sha256:" + "b" * 64

BLOCK = """\
# Reviewed by legal, ticket LEGAL-42.
name: site
hosts: [{host}]   # the docs site
ports: [{port}]
tos:
  # the terms as read on review day
  url: {url}   # linked from the footer
  reviewed: 2026-11-01
  reviewer: Jane
  crawling: allowed
  ai_training: allowed
  notes: "section 4 allows research use"
purposes: [research]
start_urls: [http://{host}:{port}/]
licenses:
  accept: {{research: [CC-BY-4.0]}}   # only CC BY
retention_days: 30
"""
FLOW = """\
name: other
hosts: [{host}]
ports: [{port}]
tos: {{url: {url}, reviewed: 2026-11-01, reviewer: Jane,
      crawling: allowed, ai_training: allowed}}   # one flow mapping
purposes: [research]
licenses: {{accept: {{research: [CC-BY-4.0]}}}}
retention_days: 30
"""


def record(policies: Path, *args: str) -> tuple[int, str, str]:
    proc = run_cli("policy", "check", str(policies), "--record-terms", "--contact", CONTACT,
                   "--allow-private-networks", *args)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def fingerprint_of(path: Path) -> str | None:
    return yaml.safe_load(path.read_text())["tos"].get("fingerprint")


def lines_kept(before: str, after: str) -> list[str]:
    """The lines of ``after`` that are not in ``before`` (``before``'s all kept, in order)."""
    rest = after.splitlines()
    added = []
    for line in before.splitlines():
        while rest and rest[0] != line:
            added.append(rest.pop(0))
        assert rest, f"line lost: {line!r}"
        rest.pop(0)
    return added + rest


def test_record_then_refuse_a_change_until_the_site_is_named(serve, tmp_path: Path) -> None:
    terms = {"now": Route(REVIEWED)}
    server = serve({SITE: {"/terms": lambda: terms["now"],
                           "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n",
                                                content_type="text/plain")},
                    OTHER: {"/legal": Route(NEW_DATE_AND_MENU)}})
    port = server.url(SITE, "/").split(":")[2].rstrip("/")
    policies = tmp_path / "policies"
    policies.mkdir()
    site, other = policies / "site.yaml", policies / "other.yaml"
    site_text = BLOCK.format(host=SITE, port=port, url=server.url(SITE, "/terms"))
    other_text = FLOW.format(host=OTHER, port=port, url=server.url(OTHER, "/legal"))
    site.write_text(site_text)
    other.write_text(other_text)

    status, out, err = record(policies)
    assert status == 0, err
    reviewed = read_terms(REVIEWED, server.url(SITE, "/terms")).fingerprint
    assert fingerprint_of(site) == reviewed
    assert fingerprint_of(other) == read_terms(NEW_DATE_AND_MENU, "").fingerprint
    [added] = lines_kept(site_text, site.read_text())
    assert re.fullmatch(rf"  fingerprint: {reviewed}  # main text of tos\.url, recorded "
                        r"\d{4}-\d\d-\d\d", added)
    assert site.read_text().index(added) > site.read_text().index("  url: ")
    assert 'ai_training: allowed, fingerprint: "sha256:' in other.read_text()
    assert "# one flow mapping" in other.read_text()
    assert re.search(r"recorded\s+site\s+sha256:", out)
    # robots.txt first, then the page; the User-Agent carries the operator's contact
    assert [h.path for h in server.hits_for(SITE)] == ["/robots.txt", "/terms"]
    assert all(CONTACT in h.headers["User-Agent"] for h in server.hits)
    assert run_cli("policy", "check", str(policies), "--allow-private-networks").returncode == 0

    # the same page (a new date, a new menu: the same terms) again: nothing to write
    status, out, _err = record(policies)
    assert status == 0 and re.search(r"unchanged\s+site", out)

    # a changed sentence is the crawl's stop signal: recorded only for a site named
    terms["now"] = Route(CHANGED)
    recorded = site.read_text()
    status, out, err = record(policies)
    assert status == 3 and re.search(r"changed\s+site\s.*--site site", out)
    assert "terms not recorded for 1 policy file(s): site" in err
    assert site.read_text() == recorded
    status, out, err = record(policies, "--site", "site")
    assert status == 0, err
    assert re.search(r"replaced\s+site", out)
    assert not re.search(r"^terms .*other", out, re.MULTILINE)  # only the named one
    assert fingerprint_of(site) == read_terms(CHANGED, "").fingerprint
    assert lines_kept(site_text, site.read_text())  # every comment still there


def test_terms_that_cannot_be_read_are_not_recorded(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/terms": Route(REVIEWED),
                           "/robots.txt": Route(b"User-agent: *\nDisallow: /terms\n",
                                                content_type="text/plain")},
                    OTHER: {"/legal": Route(b"down", 503)}})
    port = server.url(SITE, "/").split(":")[2].rstrip("/")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "site.yaml").write_text(BLOCK.format(host=SITE, port=port,
                                                     url=server.url(SITE, "/terms")))
    (policies / "other.yaml").write_text(FLOW.format(host=OTHER, port=port,
                                                     url=server.url(OTHER, "/legal")))
    before = {p.name: p.read_text() for p in policies.iterdir()}
    status, out, _err = record(policies)
    assert status == 3
    assert re.search(r"unreadable\s+site\s.*robots\.txt disallows", out)
    assert re.search(r"unreadable\s+other\s.*503", out)
    assert {p.name: p.read_text() for p in policies.iterdir()} == before
    assert [h.path for h in server.hits_for(SITE)] == ["/robots.txt"]


@pytest.mark.parametrize(("args", "message"), [
    (("--record-terms",), "the operator's contact is required"),
    (("--record-terms", "--contact", CONTACT, "--site", "nosuch"),
     "--site 'nosuch': no policy"),
    (("--site", "x"), "--site and --contact go with --record-terms"),
])
def test_mistakes_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "site.yaml").write_text(BLOCK.format(host=SITE, port=8000,
                                                     url=f"http://{SITE}:8000/terms"))
    proc = run_cli("policy", "check", str(policies), "--allow-private-networks", *args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_fingerprint_is_checked(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    text = BLOCK.format(host=SITE, port=8000, url="http://docs.example.net/terms")
    (policies / "site.yaml").write_text(with_fingerprint(text, FP_A).replace(FP_A, "sha256:x"))
    proc = run_cli("policy", "check", str(policies), "--allow-private-networks")
    assert proc.returncode == 2
    assert "tos.fingerprint: 'sha256:x' is not a terms fingerprint" in proc.stderr
    (policies / "site.yaml").write_text(with_fingerprint(text, FP_A))
    proc = run_cli("policy", "check", str(policies), "--allow-private-networks")
    assert proc.returncode == 2
    assert ("tos.fingerprint: the terms page http://docs.example.net/terms is not on one of "
            "the policy's hosts") in proc.stderr


@pytest.mark.parametrize("text", [
    "tos:\n  url: https://x/t\n  reviewer: J\n",
    "tos:\n    reviewer: J\n    url: https://x/t",  # other indent, last line without newline
    "tos:\r\n  url: https://x/t\r\n  reviewer: J\r\n",
    "tos:\n  url: https://x/t\n  fingerprint:\n  reviewer: J\n",
    f"tos:\n  url: https://x/t\n  fingerprint: '{FP_B}'  # old\n",
    "tos: {url: 'https://x/t', reviewer: J}\n",
    "tos: {url: 'https://x/t', reviewer: J, }\n",
    f"tos: {{url: 'https://x/t', fingerprint: {FP_B}}}\n",
])
def test_the_edit_changes_one_value_only(text: str) -> None:
    edited = with_fingerprint(text, FP_A, "note")
    data = yaml.safe_load(text)
    assert yaml.safe_load(edited) == {"tos": {**data["tos"], "fingerprint": FP_A}}
    assert len(edited.splitlines()) - len(text.splitlines()) in (0, 1)
    if "# old" in text:
        assert "# old" in edited


def test_a_file_without_a_tos_mapping_is_not_edited() -> None:
    for text in ("tos: x\n", "name: x\n", "- a\n"):
        with pytest.raises(EditError):
            with_fingerprint(text, FP_A)


def test_policy_new_records_the_terms_it_read(serve, tmp_path: Path) -> None:
    home = (b'<html><body><main><p>Docs and notes.</p></main><footer>'
            b'<a href="/terms">Terms of use</a></footer></body></html>')
    server = serve({SITE: {"/": Route(home), "/terms": Route(REVIEWED)}})
    out = tmp_path / "policies" / "site.yaml"
    out.parent.mkdir()
    proc = run_cli("policy", "new", server.url(SITE, "/"), "--out", str(out), "--contact",
                   CONTACT, "--allow-private-networks")
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    expected = read_terms(REVIEWED, server.url(SITE, "/terms")).fingerprint
    assert f"  fingerprint: {expected}\n" in text
    assert "--record-terms --site 127-0-0-109" in text
    for key, value in (("reviewed", "2026-11-02"), ("reviewer", "Ada"),
                       ("crawling", "allowed"), ("ai_training", "allowed")):
        text = re.sub(rf"^(  {key}:)\s*#.*$", rf"\1 {value}", text, flags=re.MULTILINE)
    out.write_text(text)
    proc = run_cli("policy", "check", str(out.parent), "--allow-private-networks")
    assert proc.returncode == 0, proc.stderr
