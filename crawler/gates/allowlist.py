"""Gate 1: is there a reviewed policy for this host, port, path and purpose? Runs before
any I/O."""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

from crawler.gates.decision import Decision
from crawler.policy.hosts import url_port
from crawler.policy.model import SitePolicy
from crawler.policy.registry import PolicyRegistry
from crawler.signals.site_files import SITE_FILES
from crawler.suppression import Suppressions

GATE = "allowlist"

#: files the crawler reads to learn a site's wishes (robots.txt and the built-in site
#: files; a crawl may add site files of its own); allowed on any policy'd host unless the
#: policy denies them explicitly (then the site's signals cannot be read and everything on
#: it fails closed)
ROBOTS_PATH = "/robots.txt"
CONTROL_FILES: tuple[str, ...] = (ROBOTS_PATH, *(f.path for f in SITE_FILES))


def request_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def check(url: str, registry: PolicyRegistry, purpose: str, control: bool = False,
          suppressions: Suppressions | None = None,
          control_paths: Collection[str] = CONTROL_FILES) -> tuple[Decision, SitePolicy | None]:
    """``control``: the crawler itself is reading a control file (only then do
    ``control_paths`` get their exemption from ``allow_paths``); ``suppressions``:
    what the store says was removed on request and must not come back."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return Decision.deny(GATE, "scheme_not_allowed",
                             f"Only http and https are crawled, not {parts.scheme!r}."), None
    host = parts.hostname or ""
    policy = registry.for_host(host)
    if policy is None:
        return Decision.deny(GATE, "no_policy",
                             f"No reviewed site policy covers host {host!r}.", host=host), None
    evidence = {"policy": policy.name, "policy_sha256": policy.sha256}
    port = url_port(url)
    if port not in policy.ports:
        return Decision.deny(GATE, "port_not_allowed",
                             f"Port {port} is not among the ports of policy {policy.name} "
                             f"{list(policy.ports)}.", port=port, **evidence), policy
    if policy.retired:
        return Decision.deny(GATE, "policy_retired",
                             f"Policy {policy.name} is retired: the site left the corpus.",
                             **evidence), policy
    suppressed = suppressions.match(url) if suppressions is not None and not control else None
    if suppressed is not None:
        return Decision.deny(
            GATE, "suppressed",
            f"Removed on request ({suppressed['scope']} {suppressed['value']}: "
            f"{suppressed['reason']}); lifted only by crawler unsuppress.",
            suppressed_at=suppressed.get("time"), **evidence), policy
    if not policy.tos.permits(purpose):
        return Decision.deny(
            GATE, "tos_prohibited",
            f"The ToS review of {policy.name} (crawling: {policy.tos.crawling}, AI training: "
            f"{policy.tos.ai_training}) does not permit purpose {purpose!r}.",
            tos_url=policy.tos.url, **evidence), policy
    if purpose not in policy.purposes:
        return Decision.deny(
            GATE, "purpose_not_allowed",
            f"Policy {policy.name} allows purposes {sorted(policy.purposes)}, not {purpose!r}.",
            **evidence), policy
    path = request_path(url)
    allowed, pattern = policy.path_decision(path)
    if not allowed and pattern is None and control and parts.path in control_paths:
        return Decision.allow(GATE, f"Control file {parts.path} of a site with a policy.",
                              **evidence), policy
    if not allowed:
        if pattern is not None:
            return Decision.deny(GATE, "path_denied",
                                 f"Path {path} matches deny_paths entry {pattern.pattern!r}.",
                                 pattern=pattern.pattern, **evidence), policy
        return Decision.deny(GATE, "path_not_allowed",
                             f"Path {path} matches none of the policy's allow_paths.",
                             **evidence), policy
    return Decision.allow(GATE, f"Host, path and purpose allowed by policy {policy.name}.",
                          **evidence), policy


def site_budget(policy: SitePolicy, requested: int, limit: int) -> Decision | None:
    """The refusal of one more page or image for a site that has had ``requested`` of them
    in this run, when that reaches ``limit`` (0: no limit); None while within it."""
    if not limit or requested < limit:
        return None
    return Decision.deny(GATE, "site_page_limit",
                         f"Site {policy.name} has had {limit} pages and images requested in "
                         "this run (COMPLIANCE_MAX_PAGES_PER_SITE).",
                         limit=limit, policy=policy.name, policy_sha256=policy.sha256)
