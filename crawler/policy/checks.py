"""The checks of one policy document: its JSON Schema, then what the schema cannot express.

Every check runs on every document, whatever the others found, so one pass reports every
problem of a file: a check reads only the fields that have the shape it needs (a field the
schema refused is the schema's problem, reported once). Misspelt keys, purposes and verdicts
get a "did you mean" (difflib); license ids and families get theirs from
:mod:`crawler.signals.license_patterns`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import jsonschema

from crawler.policy.hosts import (
    HostPatternError,
    check_public_host,
    host_matches,
    normalize_host_pattern,
    url_port,
)
from crawler.policy.model import (
    DEFAULT_PORTS,
    ON_CONFLICT_EXCLUDE,
    ON_CONFLICT_MOST_RESTRICTIVE,
    Verdict,
)
from crawler.policy.schema import POLICY_SCHEMA
from crawler.policy.source import PolicyDoc, PolicyProblem
from crawler.signals.license_patterns import LicensePatternError, parse_pattern
from crawler.signals.spdx_ids import lookup_spdx

ON_CONFLICT_WORDS = (ON_CONFLICT_EXCLUDE, ON_CONFLICT_MOST_RESTRICTIVE)
_VERDICTS = frozenset(v.value for v in Verdict)


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.8) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or "".

    The cutoff is high on purpose: a suggestion is a claim about what the author meant, and
    ``allow_private`` (a policy trying to unlock private networks) is not ``allow_paths``.
    A candidate that the word begins (``retention`` for ``retention_days``) also counts."""
    options = sorted(set(candidates))
    close = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    if not close and len(word) >= 4:
        close = [c for c in options if c.startswith(word)][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _finite_number(checker: Any, instance: Any) -> bool:
    """JSON Schema's "number", without NaN and infinity (YAML's .nan and .inf)."""
    base = jsonschema.Draft202012Validator.TYPE_CHECKER
    return base.is_type(instance, "number") and not (
        isinstance(instance, float) and not math.isfinite(instance))


_VALIDATOR = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number),
)(POLICY_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

#: fields a person fills in after reading the terms (``crawler policy new`` leaves them empty)
_REVIEW_FIELDS = frozenset({"url", "reviewed", "reviewer", "crawling", "ai_training"})


def _schema_message(err: jsonschema.ValidationError) -> str:
    path = [str(p) for p in err.path]
    if err.instance is None and err.validator in ("type", "enum"):
        if len(path) == 2 and path[0] == "tos" and path[1] in _REVIEW_FIELDS:
            return "not filled in: the person who reviewed the terms fills this in"
        return "empty: a value is needed here"
    if err.validator == "required":
        return err.message.replace("is a required property", "is required")
    if err.validator == "type" and err.validator_value in ("number", "integer") \
            and isinstance(err.instance, float) and not math.isfinite(err.instance):
        return f"{err.instance} is not a finite number"
    if err.validator == "enum" and isinstance(err.instance, str):
        return err.message + did_you_mean(err.instance, err.validator_value, cutoff=0.6)
    if path[:1] in (["allow_paths"], ["deny_paths"]) and err.validator == "pattern":
        if not str(err.instance).startswith("/"):
            return f"{err.instance!r} does not start with '/'"
        return (f"{err.instance!r} has a '.' or '..' segment: URLs are compared with theirs "
                "removed, so this rule would match no URL; write the path without them")
    if path == ["tos", "fingerprint"] and err.validator == "pattern":
        return (f"{err.instance!r} is not a terms fingerprint (sha256: and 64 hex digits, as "
                "`crawler policy check --record-terms` writes it)")
    return err.message


def schema_problems(doc: PolicyDoc, data: dict[str, Any]) -> list[PolicyProblem]:
    problems = []
    for err in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = list(err.path)
        if err.validator == "additionalProperties":
            known = err.schema.get("properties", {})
            what = "unknown purpose" if path == ["licenses", "accept"] else "unknown key"
            for key in sorted(set(err.instance) - set(known)):
                problems.append(doc.problem([*path, key], what + did_you_mean(str(key), known)))
            continue
        problems.append(doc.problem(path, _schema_message(err)))
    return problems


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[tuple[int, str]]:
    """The (index, item) string items of a list; anything else is the schema's problem."""
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]


def semantic_problems(doc: PolicyDoc, data: dict[str, Any]) -> list[PolicyProblem]:
    """Checks JSON Schema cannot express: licenses, verdicts, URLs inside the policy."""
    problems: list[PolicyProblem] = []
    tos = _mapping(data.get("tos"))
    verdicts = {tos.get("crawling"), tos.get("ai_training")} & _VERDICTS
    purposes = [p for _, p in _strings(data.get("purposes"))]
    if Verdict.PROHIBITED.value in verdicts:
        for key in ("start_urls", "sitemaps"):
            if data.get(key):
                problems.append(doc.problem(
                    [key], f"the ToS verdict is 'prohibited': a prohibited site has no {key}"))
        if data.get("purposes"):
            problems.append(doc.problem(["purposes"], "the ToS verdict is 'prohibited': "
                                        "no purpose can be allowed"))
    if Verdict.RESEARCH_ONLY.value in verdicts and "commercial" in purposes:
        problems.append(doc.problem(["purposes"], "the ToS verdict is 'research-only': "
                                    "purpose 'commercial' is not allowed"))
    problems += _license_problems(doc, _mapping(data.get("licenses")))
    return problems


def _license_problems(doc: PolicyDoc, lic: dict[str, Any]) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []
    for purpose, patterns in _mapping(lic.get("accept")).items():
        for i, text in _strings(patterns):
            # An NC id or family under "commercial" loads, but LicenseRules.accepted never
            # accepts an NC license for it.
            try:
                parse_pattern(text)
            except LicensePatternError as exc:
                problems += [doc.problem(["licenses", "accept", purpose, i], message)
                             for message in exc.problems]
    default = lic.get("default")
    if isinstance(default, str) and default and lookup_spdx(default) is None:
        try:
            parse_pattern(default)
            hint = ": a default is one license, not a family"
        except LicensePatternError as exc:
            hint = exc.problems[0].partition(repr(default))[2]
        problems.append(doc.problem(["licenses", "default"],
                                    f"unknown license id {default!r}{hint}"))
    if isinstance(lic.get("page"), str) and isinstance(default, str) and default:
        problems.append(doc.problem(["licenses", "page"], "licenses.default decides for every "
                                    "page without a license of its own, so the license page "
                                    "would never be read: keep one of them"))
    on_conflict = lic.get("on_conflict")
    if isinstance(on_conflict, str) and on_conflict and on_conflict not in ON_CONFLICT_WORDS \
            and lookup_spdx(on_conflict) is None:
        problems.append(doc.problem(
            ["licenses", "on_conflict"],
            f"{on_conflict!r} is neither {' nor '.join(map(repr, ON_CONFLICT_WORDS))} "
            f"nor a known license id{did_you_mean(on_conflict, ON_CONFLICT_WORDS, 0.6)}"))
    return problems


def _ports(data: dict[str, Any]) -> tuple[int, ...] | None:
    """The policy's ports, or None when the field is malformed (the schema reports it)."""
    ports = data.get("ports", DEFAULT_PORTS)
    if not isinstance(ports, list | tuple) or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in ports):
        return None
    return tuple(ports)


def host_problems(doc: PolicyDoc, data: dict[str, Any], allow_private: bool
                  ) -> tuple[list[tuple[int, str]], list[PolicyProblem]]:
    """The policy's host patterns that could be read, each with its index, normalised; and
    the problems of its hosts and of the URLs that must be on them."""
    hosts: list[tuple[int, str]] = []
    problems: list[PolicyProblem] = []
    for i, raw in _strings(data.get("hosts")):
        if not raw:
            continue  # the schema's minLength
        try:
            host = normalize_host_pattern(raw)
        except HostPatternError as exc:
            problems.append(doc.problem(["hosts", i], str(exc)))
            continue
        hosts.append((i, host))
        private = None if allow_private else check_public_host(host.removeprefix("*."))
        if private is not None:
            problems.append(doc.problem(["hosts", i], f"{private}: refused unless the operator "
                                        "sets COMPLIANCE_ALLOW_PRIVATE_NETWORKS"))
    if not hosts or len(hosts) < len(data["hosts"]):
        return hosts, problems  # a URL is only checked against a complete host list
    ports = _ports(data)
    for key in ("start_urls", "sitemaps"):
        for i, url in _strings(data.get(key)):
            problem = _off_policy(url, hosts, ports)
            if problem is not None:
                problems.append(doc.problem([key, i], problem))
    problems += _terms_url_problems(doc, _mapping(data.get("tos")), hosts, ports)
    page = _mapping(data.get("licenses")).get("page")
    if isinstance(page, str) and page.startswith(("http://", "https://")):  # else: the schema's
        problem = _off_policy(page, hosts, ports)
        if problem is not None:
            problems.append(doc.problem(["licenses", "page"], f"the license page {problem}: "
                                        "a crawl reads it under this policy"))
    return hosts, problems


def _off_policy(url: str, hosts: list[tuple[int, str]],
                ports: tuple[int, ...] | None) -> str | None:
    """Why ``url`` is not on the policy's hosts and ports, or None when it is."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError as exc:  # http://[x/
        return f"{url!r} is not a URL: {exc}"
    if not any(host_matches(pattern, host) for _, pattern in hosts):
        return f"{url} is not on one of the policy's hosts"
    if ports is not None and url_port(url) not in ports:
        return f"{url}: port {url_port(url)} is not among the policy's ports {list(ports)}"
    return None


def _terms_url_problems(doc: PolicyDoc, tos: dict[str, Any], hosts: list[tuple[int, str]],
                        ports: tuple[int, ...] | None) -> list[PolicyProblem]:
    """A fingerprinted terms page is read by the crawl under this policy (through the
    allow-list and robots gates, at the site's rate), so it must be on the policy's hosts."""
    url = tos.get("url")
    if not isinstance(tos.get("fingerprint"), str) or not isinstance(url, str):
        return []
    problem = _off_policy(url, hosts, ports)
    if problem is None:
        return []
    return [doc.problem(["tos", "fingerprint"], f"the terms page {problem}: a crawl reads it "
                        "under this policy (add its host, or remove the fingerprint)")]
