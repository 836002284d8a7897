"""Which URLs ``crawler policy new`` requests from a site, in which order, and what it keeps.

A fixed, small set: ``/robots.txt`` first; then, as robots.txt allows for the crawler's own
product token, the home page, ``/.well-known/tdmrep.json``, ``/ai.txt``, the first
:data:`MAX_SITEMAPS` sitemaps robots.txt names on the site, and the terms and license pages
the home page links to (:mod:`crawler.policy.terms_links`): never more than
:data:`MAX_REQUESTS` requests, redirect hops included. Everything is read the way the crawl
reads it (:mod:`crawler.signals.robots`): a robots.txt that answers 429, 5xx, or not at
all, or that is not text, disallows everything else; a 4xx allows everything; a
``Crawl-delay`` or ``Request-rate`` slows the survey down (a delay the crawl would refuse,
over ``COMPLIANCE_MAX_CRAWL_DELAY``, stops it). Redirects are followed up to 5 hops while
they stay on the site's host (http/https, the ports of the start URL, 80 and 443), each hop
checked against the robots.txt of its origin. Nothing is stored: the answers live in the
returned :class:`Survey` for :mod:`crawler.policy.draft` to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.compliance_settings import DEFAULTS
from crawler.policy.fetch import AddressRefused, Answer, GuardedFetcher
from crawler.policy.hosts import normalize_host, url_port
from crawler.policy.terms_links import LICENSE, TERMS, LinkCandidate, find_links
from crawler.signals.aitxt import AI_TXT_URL
from crawler.signals.robots import RobotsTxt, decode_robots, path_from_url
from crawler.signals.tdmrep import TDMREP_URL

ROBOTS, HOME, TDMREP, AI_TXT = "robots.txt", "home page", "tdmrep.json", "ai.txt"
SITEMAP, TERMS_PAGE, LICENSE_PAGE = "sitemap", "terms page", "license page"
#: robots.txt outcomes, as the crawl names them
PARSED, UNAVAILABLE, UNREACHABLE = "parsed", "unavailable", "unreachable"

MAX_REQUESTS: Final = 12
MAX_SITEMAPS: Final = 3
MAX_REDIRECTS: Final = 5
#: a robots.txt asking a longer gap makes the crawl skip the host
MAX_CRAWL_DELAY: Final[float] = float(DEFAULTS["COMPLIANCE_MAX_CRAWL_DELAY"])
ROBOTS_TOKEN: Final[str] = str(DEFAULTS["COMPLIANCE_ROBOTS_TOKEN"])
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass
class Visit:
    """One URL of the survey: fetched (``answer``, after the redirects in ``redirects``),
    or not, and why (``skipped``)."""

    role: str
    url: str
    answer: Answer | None = None
    skipped: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def final_url(self) -> str:
        return self.answer.url if self.answer is not None else self.url

    @property
    def ok(self) -> bool:
        return self.answer is not None and self.answer.ok

    def outcome(self) -> str:
        """What happened, in a few words (for the draft's comments)."""
        if self.answer is None:
            return f"not fetched: {self.skipped}"
        via = f" after redirect(s) to {self.answer.url}" if self.answer.url != self.url else ""
        note = f"; {self.skipped}" if self.skipped else ""
        return f"{self.answer.summary()}{via}{note}"


@dataclass
class Survey:
    start_url: str
    host: str
    token: str
    robots: Visit
    robots_state: str = UNREACHABLE
    robots_txt: RobotsTxt | None = None
    home: Visit | None = None
    tdmrep: Visit | None = None
    ai_txt: Visit | None = None
    sitemaps: list[Visit] = field(default_factory=list)
    #: every Sitemap: URL robots.txt names, in file order
    sitemap_urls: list[str] = field(default_factory=list)
    terms: Visit | None = None
    license: Visit | None = None
    links: list[LinkCandidate] = field(default_factory=list)
    #: why the survey stopped before the end, if it did
    stopped: str | None = None
    #: seconds between requests the survey kept to
    gap: float = 1.0
    #: every URL considered, in order (fetched or not)
    visits: list[Visit] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        """Some request got an HTTP answer."""
        return any(v.answer is not None and v.answer.status is not None for v in self.visits)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"


def page_selector(answer: Answer | None) -> Selector | None:
    """The answer parsed as HTML, when it is a successful HTML (or untyped) answer."""
    if answer is None or not answer.ok or not answer.body:
        return None
    ctype = (answer.header("Content-Type") or "").lower()
    if ctype and not any(t in ctype for t in ("html", "xml")):
        return None
    _encoding, text = html_to_unicode(answer.header("Content-Type"), answer.body)
    try:
        return Selector(text=text, type="html")
    except (ValueError, TypeError):
        return None


def _looks_like_sitemap(answer: Answer) -> bool:
    head = answer.body[:4096].lower()
    return answer.body.startswith(b"\x1f\x8b") or b"<urlset" in head or b"<sitemapindex" in head


class _Surveyor:
    def __init__(self, fetcher: GuardedFetcher, start_url: str, token: str):
        self.fetcher = fetcher
        self.token = token
        parts = urlsplit(start_url)
        self.host = normalize_host(parts.hostname or "")
        self.ports = {url_port(start_url), 80, 443}
        self.robots: dict[str, tuple[str, RobotsTxt | None, Visit]] = {}
        self.requests = 0
        self.survey = Survey(start_url, self.host, token, Visit(ROBOTS, ""))

    # ---- fetching -------------------------------------------------------------------------

    def _off_site(self, url: str) -> str | None:
        try:
            parts = urlsplit(url)
            host = normalize_host(parts.hostname or "")
        except ValueError:
            return "not a valid URL"
        if parts.scheme not in ("http", "https"):
            return "not an http(s) URL"
        if host != self.host:
            return f"on another host ({host})"
        if url_port(url) not in self.ports:
            return f"on another port ({url_port(url)})"
        return None

    def _get(self, url: str) -> Answer | None:
        """One request within the budget; None when the budget is spent."""
        if self.requests >= MAX_REQUESTS:
            return None
        self.requests += 1
        return self.fetcher.get(url)

    def fetch(self, role: str, url: str, *, obey: bool = True) -> Visit:
        """GET ``url`` as robots.txt allows, following redirects on the site."""
        visit = Visit(role, url)
        self.survey.visits.append(visit)
        current = url
        for hop in range(MAX_REDIRECTS + 1):
            why = self._off_site(current) or (self._disallowed(current) if obey else None)
            if why is not None:
                visit.skipped = why if hop == 0 else f"redirects to {current}: {why}"
                return visit
            try:
                answer = self._get(current)
            except AddressRefused as exc:
                if self.requests <= 1:
                    raise  # the site itself may not be contacted: a configuration error
                visit.skipped = f"address refused: {exc}"
                return visit
            if answer is None:
                visit.skipped = f"the survey's budget of {MAX_REQUESTS} requests is spent"
                return visit
            visit.answer = answer
            location = answer.header("Location")
            if answer.status not in _REDIRECTS or not location:
                return visit
            visit.redirects.append(current)
            try:
                current = urljoin(current, location.strip())
            except ValueError:
                visit.skipped = "redirect to an invalid URL"
                return visit
        visit.skipped = f"more than {MAX_REDIRECTS} redirects"
        return visit

    # ---- robots.txt ----------------------------------------------------------------------

    def robots_for(self, url: str) -> tuple[str, RobotsTxt | None]:
        key = origin(url)
        if key not in self.robots:
            visit = self.fetch(ROBOTS, key + "/robots.txt", obey=False)
            state, parsed = self._read_robots(visit)
            self.robots[key] = (state, parsed, visit)
            if key == origin(self.survey.start_url):
                self.survey.robots, self.survey.robots_state = visit, state
                self.survey.robots_txt = parsed
            if parsed is not None:
                self._pace(parsed)
        state, parsed, _visit = self.robots[key]
        return state, parsed

    @staticmethod
    def _read_robots(visit: Visit) -> tuple[str, RobotsTxt | None]:
        answer = visit.answer
        if answer is None or answer.status is None or answer.error:
            return UNREACHABLE, None
        if 200 <= answer.status < 300:
            if answer.truncated or decode_robots(answer.body) is None:
                return UNREACHABLE, None  # too large, or not text: never an empty allow-all
            return PARSED, RobotsTxt.parse(answer.body)
        if 400 <= answer.status < 500 and answer.status != 429:
            return UNAVAILABLE, None
        return UNREACHABLE, None

    def _pace(self, robots: RobotsTxt) -> None:
        delay = max(robots.crawl_delay(self.token) or 0.0, robots.request_rate(self.token) or 0.0)
        if delay > MAX_CRAWL_DELAY:
            self.survey.stopped = (f"robots.txt asks {delay:g} s between requests, more than "
                                   f"COMPLIANCE_MAX_CRAWL_DELAY ({MAX_CRAWL_DELAY:g} s): the "
                                   "crawl would skip this host")
        else:
            self.fetcher.set_gap(delay)
        self.survey.gap = self.fetcher.gap

    def _disallowed(self, url: str) -> str | None:
        if urlsplit(url).path == "/robots.txt":
            return None
        state, parsed = self.robots_for(url)
        if self.survey.stopped:
            return self.survey.stopped
        if state == UNREACHABLE:
            return f"robots.txt of {origin(url)} is unreachable: everything is disallowed"
        if parsed is None:
            return None
        match = parsed.match(path_from_url(url), self.token)
        if match.allowed:
            return None
        rule = match.rule
        where = f" (line {rule.line}: Disallow: {rule.pattern})" if rule is not None else ""
        return f"robots.txt disallows it for {self.token}{where}"

    # ---- the survey ----------------------------------------------------------------------

    def run(self) -> Survey:
        survey = self.survey
        start = survey.start_url
        self.robots_for(start)
        if survey.robots_state == UNREACHABLE:
            survey.stopped = survey.stopped or "robots.txt is unreachable: the crawl would " \
                                               "fetch nothing from this site"
        if survey.stopped:
            return survey
        survey.home = self.fetch(HOME, start)
        base = origin(start)
        survey.tdmrep = self.fetch(TDMREP, base + TDMREP_URL)
        survey.ai_txt = self.fetch(AI_TXT, base + AI_TXT_URL)
        if survey.robots_txt is not None:
            survey.sitemap_urls = survey.robots_txt.sitemaps()
        on_site = [u for u in survey.sitemap_urls if self._off_site(u) is None]
        for url in on_site[:MAX_SITEMAPS]:
            visit = self.fetch(SITEMAP, url)
            if visit.ok and visit.answer is not None and not _looks_like_sitemap(visit.answer):
                visit.skipped = "not a sitemap (no <urlset> or <sitemapindex>)"
            survey.sitemaps.append(visit)
        home = survey.home
        selector = page_selector(home.answer)
        if selector is not None:
            survey.links = find_links(selector, home.final_url)
        self._legal_pages()
        return survey

    def _legal_pages(self) -> None:
        survey = self.survey
        best = {kind: next((c for c in survey.links if c.kind == kind), None)
                for kind in (TERMS, LICENSE)}
        terms, lic = best[TERMS], best[LICENSE]
        if terms is not None:
            survey.terms = self.fetch(TERMS_PAGE, terms.url)
        if lic is not None:
            if terms is not None and lic.url == terms.url:
                survey.license = survey.terms
            else:
                survey.license = self.fetch(LICENSE_PAGE, lic.url)


def survey_site(start_url: str, fetcher: GuardedFetcher, token: str = ROBOTS_TOKEN) -> Survey:
    """Survey the site of ``start_url`` (see the module docstring). Raises
    :class:`~crawler.policy.fetch.AddressRefused` when the site may not be contacted at all
    (nothing was sent)."""
    return _Surveyor(fetcher, start_url, token).run()


def fetch_page(url: str, fetcher: GuardedFetcher, role: str = TERMS_PAGE,
               token: str = ROBOTS_TOKEN) -> Visit:
    """One page read the way the survey reads a site: its origin's robots.txt first (one
    that cannot be read disallows it; a Crawl-delay slows the fetcher down), redirects
    followed on its host, the survey's budget. ``crawler policy check --record-terms`` reads
    each policy's terms page so. Raises :class:`~crawler.policy.fetch.AddressRefused` when
    the host may not be contacted (nothing was sent)."""
    return _Surveyor(fetcher, url, token).fetch(role, url)
