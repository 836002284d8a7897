"""Every ``COMPLIANCE_*`` setting in one place: its default and what it means.

The addon sets these defaults at Scrapy's ``default`` priority (below anything a project,
a spider or the command line sets), components read the settings without defaults of
their own, and a test checks that the settings table of docs/operations.md lists exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any  # None: unset (required, or computed where it is used)
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("COMPLIANCE_POLICIES", "policies", "policy directory"),
    Setting("COMPLIANCE_PURPOSE", None, "research or commercial (required)"),
    Setting("COMPLIANCE_CONTACT", None, "the operator's contact, a URL or e-mail address, "
            "sent in the User-Agent (required)"),
    Setting("COMPLIANCE_SITES", [], "only these hosts / policy names"),
    Setting("COMPLIANCE_STORE", "corpus", "store location: a local path or s3://BUCKET/PREFIX"),
    Setting("COMPLIANCE_S3_SSE", None, "S3 server-side encryption: AES256 or aws:kms"),
    Setting("COMPLIANCE_S3_KMS_KEY_ID", None, "KMS key id for aws:kms"),
    Setting("COMPLIANCE_S3_ACL", None, "a private canned ACL for S3 objects"),
    Setting("COMPLIANCE_STORE_FSYNC", True, "fsync content, sidecar and manifest"),
    Setting("COMPLIANCE_LEDGER_UPLOAD_INTERVAL", 60.0,
            "seconds between uploads of a remote store's ledger during a run"),
    Setting("COMPLIANCE_HONOUR_NOINDEX", False, "count noindex/none as opt-outs"),
    Setting("COMPLIANCE_SITE_FILES", [], "extra site-level file signals (import paths)"),
    Setting("COMPLIANCE_ROBOTS_TOKEN", "compliance-crawler",
            "product token matched against robots.txt groups"),
    Setting("COMPLIANCE_AI_TOKENS", [], "AI-training tokens (empty: the built-in list)"),
    Setting("COMPLIANCE_ROBOTS_TTL", 86400.0, "seconds a robots.txt or site file read is trusted"),
    Setting("COMPLIANCE_ROBOTS_ERROR_TTL", 600.0, "first retry of an unreadable robots.txt"),
    Setting("COMPLIANCE_ROBOTS_TIMEOUT", 30.0, "download timeout for control files"),
    Setting("COMPLIANCE_MAX_CRAWL_DELAY", 60.0, "a longer robots.txt gap skips the host"),
    Setting("COMPLIANCE_BACKOFF_BASE", 2.0, "429/503 backoff base (seconds)"),
    Setting("COMPLIANCE_BACKOFF_CAP", 300.0, "429/503 backoff cap (seconds)"),
    Setting("COMPLIANCE_PARK_AFTER", 5, "consecutive 429/503 answers that park a host"),
    Setting("COMPLIANCE_ALLOW_PRIVATE_NETWORKS", False, "let policies name private, loopback "
            "and link-local hosts (the operator's choice, never a policy's)"),
    Setting("COMPLIANCE_RESOLVE", {}, "host name -> addresses answered without DNS "
            "(checked like DNS answers)"),
    Setting("COMPLIANCE_MAX_LINKS_PER_PAGE", 2000, "links and images taken from one page "
            "(the rest: one link_limit ledger line)"),
    Setting("COMPLIANCE_MAX_PAGES_PER_SITE", 100_000, "pages and images requested from one "
            "site (policy) in one run (the rest: site_page_limit)"),
    Setting("COMPLIANCE_DISK_FRONTIER", True, "queue waiting requests on disk (a temporary "
            "JOBDIR) unless JOBDIR is set"),
    Setting("COMPLIANCE_FRONTIER_MEMORY", 2000, "waiting requests kept in memory before "
            "more are queued on disk"),
    Setting("COMPLIANCE_WITHDRAWAL", "purge", "what a withdrawal of consent does: purge or "
            "quarantine"),
    Setting("COMPLIANCE_REDIS_URL", None, "redis://HOST:PORT/DB of a fleet of workers "
            "sharing one run (crawler crawl --redis); unset: a single process"),
    Setting("COMPLIANCE_FLEET_IDLE_EXIT", 30.0, "a fleet's worker leaves once nothing has "
            "been queued or in flight anywhere in the fleet for this many seconds"),
    Setting("COMPLIANCE_TERMS_CHANGE", "stop", "a terms page changed since its review (or "
            "unreadable): stop the site, or warn and crawl it"),
)

#: the defaults the addon sets (unset ones are left unset)
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS if s.default is not None}
