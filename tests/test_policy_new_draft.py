"""The pure half of ``crawler policy new``: link finding, proposals and the YAML draft
(no network: answers are built by hand)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from parsel import Selector

from crawler.policy.draft import (
    MAX_PATHS,
    comment_text,
    draft_policy,
    floor_sig,
    policy_name,
    propose_paths,
    propose_rate,
    scalar,
)
from crawler.policy.draft_signals import family_of
from crawler.policy.fetch import Answer
from crawler.policy.loader import check_policies
from crawler.policy.survey import (
    AI_TXT,
    HOME,
    LICENSE_PAGE,
    PARSED,
    ROBOTS,
    TDMREP,
    TERMS_PAGE,
    Survey,
    Visit,
)
from crawler.policy.terms_links import LICENSE, TERMS, find_links
from crawler.signals.robots import RobotsTxt

TOKEN = "compliance-crawler"
BASE = "https://docs.example.org"


def links(html: str) -> list[tuple[str, str, str]]:
    return [(c.kind, c.language, c.url.removeprefix(BASE))
            for c in find_links(Selector(text=html), BASE + "/")]


@pytest.mark.parametrize(("text", "kind", "language"), [
    ("Terms of Service", TERMS, "English"),
    ("  Terms\n of   use ", TERMS, "English"),
    ("Nutzungsbedingungen", TERMS, "German"),
    ("AGB", TERMS, "German"),
    ("Impressum", TERMS, "German"),
    ("Conditions d\u2019utilisation", TERMS, "French"),  # a typographic apostrophe
    ("Mentions légales", TERMS, "French"),
    ("Términos y condiciones", TERMS, "Spanish"),
    ("TERMINOS Y CONDICIONES", TERMS, "Spanish"),  # no accent, upper case
    ("Aviso legal", TERMS, "Spanish"),
    ("Note legali", TERMS, "Italian"),
    ("Termos de Uso", TERMS, "Portuguese"),
    ("Algemene voorwaarden", TERMS, "Dutch"),
    ("Regulamin", TERMS, "Polish"),
    ("サイト利用規約", TERMS, "Japanese"),
    ("Lizenz", LICENSE, "German"),
    ("Licence", LICENSE, "English, French"),
    ("Licencia", LICENSE, "Spanish"),
    ("Licença", LICENSE, "Portuguese"),
    ("Licentie", LICENSE, "Dutch"),
    ("Copyright", LICENSE, "English"),
])
def test_legal_links_in_many_languages(text: str, kind: str, language: str) -> None:
    [(found_kind, found_language, url)] = links(f'<a href="/legal/x">{text}</a>')
    assert (found_kind, found_language, url) == (kind, language, "/legal/x")


@pytest.mark.parametrize("html", [
    '<a href="/a">Determs</a>',  # not a whole word
    '<a href="/a">Terminator</a>',
    '<a href="mailto:legal@example.org">Legal</a>',  # not http(s)
    '<a href="javascript:void(0)">Terms</a>',
    '<a href="/a">' + "These terms are discussed at length in this article " * 3 + "</a>",
    '<a>Terms</a>',  # no href
])
def test_what_is_not_a_legal_link(html: str) -> None:
    assert links(html) == []


def test_ranking_specific_footer_links_first() -> None:
    html = ('<base href="/de/"><nav><a href="legal">Legal</a> <a href="t">Terms</a></nav>'
            '<div id="page-footer"><a href="nb#top">Nutzungsbedingungen</a>'
            '<a href="lic"><img alt="Lizenz"></a></div>')
    assert links(html) == [(TERMS, "German", "/de/nb"), (LICENSE, "German", "/de/lic"),
                           (TERMS, "English", "/de/t"), (TERMS, "English", "/de/legal")]


def test_rate_from_crawl_delay_and_request_rate() -> None:
    def rate(text: str) -> float:
        return propose_rate(RobotsTxt.parse(text.encode()), TOKEN)[0]

    assert propose_rate(None, TOKEN) == (1.0, "the polite default: one request per second")
    assert rate("User-agent: *\nCrawl-delay: 3\n") == 0.333
    assert rate("User-agent: *\nRequest-rate: 1/10\n") == 0.1
    assert rate("User-agent: *\nCrawl-delay: 2\nRequest-rate: 1/5\n") == 0.2
    assert rate("User-agent: *\nCrawl-delay: 0.5\n") == 1.0  # never faster than the default
    assert rate(f"User-agent: {TOKEN}\nCrawl-delay: 4\n\nUser-agent: *\nCrawl-delay: 1\n") \
        == 0.25
    assert floor_sig(1 / 86400) == 1.15e-05 and floor_sig(0.29) <= 0.29


def test_paths_from_the_matching_group() -> None:
    robots = (b"User-agent: *\nDisallow: /everything/\n\n"
              b"User-agent: Compliance-Crawler\nDisallow: /private/\nDisallow: *.pdf$\n"
              b"Allow: /private/press/\nAllow: /docs/\nDisallow:\n")
    deny, allow, left_out = propose_paths(robots, TOKEN)
    assert deny == [("/private/", "robots.txt line 5 (group compliance-crawler): "
                                  "Disallow: /private/"),
                    ("/*.pdf$", "robots.txt line 6 (group compliance-crawler): "
                                "Disallow: *.pdf$")]
    # only the Allow that reopens part of a disallowed path is an exception worth listing
    assert allow == [("/private/press/", "robots.txt line 7 (group compliance-crawler): "
                                         "Allow: /private/press/")]
    assert left_out == 0
    # a rule with a dot segment is no policy path rule (policy check refuses it): left out
    deny, _, left_out = propose_paths(b"User-agent: *\nDisallow: /a/../b/\nDisallow: /c/\n",
                                      TOKEN)
    assert [path for path, _ in deny] == ["/c/"] and left_out == 1
    many = b"User-agent: *\n" + b"".join(b"Disallow: /p%d/\n" % i for i in range(80))
    deny, _, left_out = propose_paths(many, TOKEN)
    assert len(deny) == MAX_PATHS and left_out == 80 - MAX_PATHS


@pytest.mark.parametrize("value", ["yes", "no", "null", "~", "1.0", "0x10", "2026-01-01",
                                   "a: b", "#x", "- x", "@x", "'", '"', "x\ny", "\u2028",
                                   "é", "/p?q=1&r", "*.pdf", "", "http://h:81/a b"])
def test_scalars_read_back_as_written(value: str) -> None:
    assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}


def test_comments_stay_on_one_line() -> None:
    assert comment_text("a\nb\r\nc\u2028d\x85e\tf") == "a b c d e f"
    assert len(comment_text("x" * 1000)) == 160
    assert policy_name("www.Docs.example.org") == "docs-example-org"
    assert family_of("CC-BY-4.0") == "CC-BY-*" and family_of("MIT") is None
    assert family_of("CC-BY-3.0-DE") == "CC-BY-*"


def answer(url: str, body: bytes, status: int = 200, ctype: str = "text/html",
           **headers: str) -> Answer:
    return Answer(url, status, {"Content-Type": [ctype], **{k: [v] for k, v in headers.items()}},
                  body)


EVIL = "Terms\n  hosts: [evil.example]\u2028retired: true # x"


def survey(home_html: str, robots: bytes = b"User-agent: *\nDisallow: /admin/\n") -> Survey:
    s = Survey(BASE + "/", "docs.example.org", TOKEN,
               Visit(ROBOTS, BASE + "/robots.txt",
                     answer(BASE + "/robots.txt", robots, ctype="text/plain")),
               robots_state=PARSED, robots_txt=RobotsTxt.parse(robots))
    s.home = Visit(HOME, BASE + "/", answer(BASE + "/", home_html.encode(),
                                             **{"X-Robots-Tag": "noai"}))
    s.tdmrep = Visit(TDMREP, BASE + "/.well-known/tdmrep.json",
                     answer(BASE + "/.well-known/tdmrep.json",
                            b'[{"location": "/", "tdm-reservation": 1}]', ctype="application/json"))
    s.ai_txt = Visit(AI_TXT, BASE + "/ai.txt", answer(BASE + "/ai.txt", b"nope", 404))
    s.links = find_links(Selector(text=home_html), BASE + "/")
    s.visits = [s.robots, s.home, s.tdmrep, s.ai_txt]
    if s.links:
        s.terms = Visit(TERMS_PAGE, s.links[0].url, skipped="robots.txt disallows it")
        s.visits.append(s.terms)
    return s


HOME_HTML = ('<p>Text under <a rel="license" href="https://creativecommons.org/licenses/'
             'by-nc/4.0/">CC BY-NC 4.0</a></p><footer><a href="/terms?a=1&b=2">'
             + EVIL + "</a></footer>")


def test_draft_from_a_survey(tmp_path: Path) -> None:
    text = draft_policy(survey(HOME_HTML), today=date(2026, 11, 3), agent="cc/1")
    draft = yaml.safe_load(text)
    assert list(draft) == ["name", "version", "hosts", "tos", "purposes", "start_urls",
                           "sitemaps", "deny_paths", "rate", "licenses", "retention_days"]
    assert draft["hosts"] == ["docs.example.org"]  # the link text added nothing
    assert draft["tos"]["url"] == BASE + "/terms?a=1&b=2"
    assert draft["deny_paths"] == ["/admin/"]
    assert draft["licenses"] == {"accept": {"research": ["CC-BY-NC-4.0"]}}
    assert "ports" not in draft  # 443: the default
    assert "on 2026-11-03" in text.splitlines()[0]
    assert "NC: never for commercial; 'CC-BY-NC-*' would take every version and port" in text
    assert "#   tdmrep.json: 1 rule(s); optout for / (" in text
    assert "#   ai.txt: none (404, 4 bytes)" in text
    assert "#   home page: optout x-robots-tag: noai (header X-Robots-Tag)" in text
    # not valid as drafted; valid once a person fills in the review
    (tmp_path / "site.yaml").write_text(text)
    problems = [p.field for p in check_policies(tmp_path).problems]
    assert problems == ["tos.reviewed", "tos.reviewer", "tos.crawling", "tos.ai_training"]
    for key, value in (("reviewed", "2026-11-04"), ("reviewer", "R"), ("crawling", "allowed"),
                       ("ai_training", "research-only")):
        text = text.replace(f"  {key}:  #", f"  {key}: {value}  #")
    (tmp_path / "site.yaml").write_text(text)
    [policy] = check_policies(tmp_path).policies
    assert policy.licenses.accepted("CC-BY-NC-4.0", "research")


def test_draft_without_terms_robots_or_license(tmp_path: Path) -> None:
    s = survey("<p>nothing here</p>", robots=b"")
    s.robots_state, s.robots_txt, s.terms = "unavailable", None, None
    draft = yaml.safe_load(text := draft_policy(s, today=date(2026, 11, 3), agent="cc/1"))
    assert draft["tos"]["url"] is None
    assert draft["deny_paths"] == [] and draft["licenses"]["accept"] == {"research": []}
    assert draft["rate"]["requests_per_second"] == 1.0
    assert "TO FILL: no link to terms found on the home page" in text
    assert "robots.txt answered 4xx: no restrictions" in text


LICENSE_HTML = ("<html><body><h1>Lizenz</h1><p>Diese Dokumentation ist lizenziert unter einer "
                '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">Creative '
                "Commons Namensnennung 4.0 International Lizenz</a>.</p></body></html>")


def _with_license_page(url: str, html: str) -> Survey:
    s = survey("<p>Handbuch</p><nav><a href='/lizenz/'>Lizenz</a></nav>")
    s.license = Visit(LICENSE_PAGE, url, answer(url, html.encode()))
    s.visits.append(s.license)
    return s


def test_a_license_page_that_grants_one_license_is_named(tmp_path: Path) -> None:
    text = draft_policy(_with_license_page(BASE + "/lizenz/", LICENSE_HTML),
                        today=date(2026, 11, 3), agent="cc/1")
    draft = yaml.safe_load(text)
    assert draft["licenses"]["page"] == BASE + "/lizenz/"
    assert draft["licenses"]["accept"] == {"research": ["CC-BY-4.0"]}
    assert "grants CC-BY-4.0 (html:a): a page without a license of its own takes it" in text
    for key, value in (("reviewed", "2026-11-04"), ("reviewer", "R"), ("crawling", "allowed"),
                       ("ai_training", "research-only")):
        text = text.replace(f"  {key}:  #", f"  {key}: {value}  #")
    text = text.replace("\n  url:\n", f"\n  url: {BASE}/impressum/\n")
    (tmp_path / "site.yaml").write_text(text)
    [policy] = check_policies(tmp_path).policies
    assert policy.licenses.page == BASE + "/lizenz/"


@pytest.mark.parametrize(("url", "html"), [
    (BASE + "/lizenz/", "<p>Lizenz: siehe die Bedingungen.</p>"),  # grants nothing
    (BASE + "/lizenz/", LICENSE_HTML.replace("</p>", " Fotos: <a href='https://"
                                             "creativecommons.org/licenses/by-sa/4.0/'>CC BY-SA "
                                             "4.0</a>. Alle Inhalte sind lizenziert unter CC BY-"
                                             "NC 4.0.</p>")),  # several
    ("https://other.example.org/lizenz/", LICENSE_HTML),  # another host
    ("https://docs.example.org:8443/lizenz/", LICENSE_HTML),  # another port
])
def test_no_license_page_is_named_unless_it_grants_one_license_on_the_site(
        url: str, html: str) -> None:
    draft = yaml.safe_load(draft_policy(_with_license_page(url, html), today=date(2026, 11, 3),
                                        agent="cc/1"))
    assert "page" not in draft["licenses"]
