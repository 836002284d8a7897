"""What a draft policy says about the licenses and AI-use signals a site showed.

Pure, like :mod:`crawler.policy.draft`: reads the answers of a
:class:`~crawler.policy.survey.Survey` with the crawl's own readers (license detection,
robots.txt, TDMRep, ai.txt, noai and Content-Usage), so the draft shows what the crawl
would see.
"""

from __future__ import annotations

import re

from crawler.policy.survey import PARSED, UNAVAILABLE, Survey, Visit, page_selector
from crawler.signals.aitxt import AiTxt
from crawler.signals.license_detect import GRANT, SCOPE_PAGE, SCOPE_SITE, detect
from crawler.signals.license_evidence import page_grant
from crawler.signals.license_patterns import LicensePatternError, parse_pattern
from crawler.signals.licenses import License, UnversionedCC
from crawler.signals.optout import ALLOWED, SCOPE_ALL, item_signals
from crawler.signals.robots import DEFAULT_AI_TRAINING_TOKENS, path_from_url
from crawler.signals.tdmrep import TdmRepFile

#: most license notes (mentions, notices) listed
MAX_NOTES = 6


def family_of(spdx: str) -> str | None:
    """The family pattern that covers ``spdx`` (``CC-BY-4.0`` -> ``CC-BY-*``), if any."""
    name = re.sub(r"-\d+(\.\d+)*(-.*)?$", "", spdx)
    if name == spdx:
        return None
    try:
        return parse_pattern(name + "-*").text
    except LicensePatternError:
        return None


def _pages(survey: Survey) -> list[tuple[str, Visit]]:
    seen: set[int] = set()
    out = []
    for name, visit in (("home page", survey.home), ("license page", survey.license),
                        ("terms page", survey.terms)):
        if visit is not None and id(visit) not in seen:
            seen.add(id(visit))
            out.append((name, visit))
    return out


def license_findings(survey: Survey) -> tuple[list[tuple[str, str]], list[str]]:
    """(SPDX ids to propose for ``research``, each with where it was stated; notes on the
    other statements: mentions, notices, version-less links, images)."""
    accepted: dict[str, str] = {}
    notes: list[str] = []
    for page, visit in _pages(survey):
        selector = page_selector(visit.answer)
        if visit.answer is None or selector is None:
            continue
        for found in detect(visit.final_url, visit.answer.headers, selector):
            lic = found.license
            where = f"{found.channel} on the {page}"
            if found.role == GRANT and found.scope in (SCOPE_PAGE, SCOPE_SITE) \
                    and isinstance(lic, License):
                if lic.spdx not in accepted:
                    family = family_of(lic.spdx)
                    extra = f"; {family!r} would take every version and port" if family else ""
                    nc = "; NC: never for commercial" if not lic.allows_commercial else ""
                    accepted[lic.spdx] = f"granted by {where}{nc}{extra}"
            elif len(notes) < MAX_NOTES:
                name = (lic.spdx if isinstance(lic, License) else
                        f"{lic.family} (no version)" if isinstance(lic, UnversionedCC)
                        else "no license")
                notes.append(f"also seen, not proposed: {found.role} {name} ({found.scope}) "
                             f"by {where}: {found.snippet}")
    if accepted:
        notes.insert(0, "licenses the site grants for its pages (check them against the "
                        "terms; `crawler policy check --verbose` expands families):")
    return list(accepted.items()), notes


def license_page(survey: Survey) -> tuple[str, str] | None:
    """The license page to name in the draft (``licenses.page``) and why: the page the home
    page links to with license wording, read by the survey on the site's host, when it
    grants one license for its own text (the crawl's own rule: a page without a license of
    its own then takes it, however the page links there). The caller checks that the URL is
    on the draft's hosts and ports."""
    visit = survey.license
    if visit is None or not visit.ok:
        return None
    selector = page_selector(visit.answer)
    if visit.answer is None or selector is None:
        return None
    grant, _ = page_grant(detect(visit.final_url, visit.answer.headers, selector))
    if grant is None or not isinstance(grant.license, License):
        return None
    return visit.final_url, (f"grants {grant.license.spdx} ({grant.channel}): a page without "
                             "a license of its own takes it")


def _robots_lines(survey: Survey, path: str) -> tuple[list[str], bool]:
    """What robots.txt says about AI use of ``path``, and whether it opts it out."""
    if survey.robots_state != PARSED or survey.robots_txt is None:
        state = ("answered 4xx: no rules" if survey.robots_state == UNAVAILABLE
                 else "unreachable: the crawl would fetch nothing")
        return [f"robots.txt: {state}"], False
    robots = survey.robots_txt
    lines = []
    prefs = robots.ai_preferences(path, survey.token)
    blocked = robots.ai_training_optout(path, DEFAULT_AI_TRAINING_TOKENS)
    if blocked:
        lines.append(f"robots.txt: AI-training crawlers disallowed from {path}: "
                     f"{', '.join(blocked[:8])} -> the crawl opts these pages out "
                     "(robots_ai_optout)")
    for pref in prefs:
        state = {True: "opt-out", False: "allowed", None: "unreadable (counts as opt-out)"}
        lines.append(f"robots.txt line {pref.line}: {pref.raw} -> AI training "
                     f"{state[pref.optout]}")
    for url in robots.license_urls()[:3]:
        lines.append(f"robots.txt License: {url} (RSL; read by the crawl)")
    opted = bool(blocked) or any(pref.optout is not False for pref in prefs)
    return lines or [f"robots.txt: no AI-training rule for {path}"], opted


def _file_lines(visit: Visit | None, name: str) -> tuple[list[str], bytes | None]:
    if visit is None:
        return [], None
    if not visit.ok or visit.answer is None:
        status = visit.answer.status if visit.answer is not None else None
        if status is not None and 400 <= status < 500 and status != 429:
            return [f"{name}: none ({visit.outcome()})"], None
        return [f"{name}: {visit.outcome()} -> the crawl keeps the site's items out until "
                "it can read it"], None
    return [], visit.answer.body


def signal_lines(survey: Survey) -> list[str]:
    """One line per AI-use signal the site showed (for the draft's closing comments)."""
    home = survey.home
    path = path_from_url(home.final_url) if home is not None else "/"
    lines, opted = _robots_lines(survey, path)
    found, body = _file_lines(survey.tdmrep, "tdmrep.json")
    lines += found
    if body is not None and survey.tdmrep is not None:
        tdm = TdmRepFile.parse(body, survey.tdmrep.final_url)
        signal = tdm.lookup(path)
        rules = f"{len(tdm.rules)} rule(s)" if tdm.status == "rules" else tdm.status
        said = (f"{signal.state} for {path} ({signal.location}: {signal.snippet})"
                if signal is not None else f"nothing about {path}")
        lines.append(f"tdmrep.json: {rules}; {said}")
        opted |= signal is not None and signal.state != ALLOWED
        if signal is None:
            lines += [f"  tdmrep.json rule {r.index + 1}: {r.raw}" for r in tdm.rules[:3]]
    found, body = _file_lines(survey.ai_txt, "ai.txt")
    lines += found
    if body is not None and survey.ai_txt is not None:
        ai_txt = AiTxt.parse(body, survey.ai_txt.final_url)
        for what, probe in (("pages", path), ("images", "/image.jpg")):
            signal = ai_txt.signal_for(probe, survey.token)
            opted |= what == "pages" and signal is not None and signal.state != ALLOWED
            lines.append(f"ai.txt, {what} ({probe}): " + (
                f"{signal.state} ({signal.location}: {signal.snippet})"
                if signal is not None else "no rule"))
    if home is not None and home.answer is not None and home.ok:
        selector = page_selector(home.answer)
        for signal in item_signals("page", home.final_url, home.answer.headers,
                                   token=survey.token, selector=selector, site_files=[]):
            lines.append(f"home page: {signal.state} {signal.signal}: {signal.snippet} "
                         f"({signal.location})")
            opted |= signal.state != ALLOWED and signal.scope == SCOPE_ALL
    if opted:
        lines.append("=> the home page is opted out of AI use: the crawl would not store it")
    return lines
