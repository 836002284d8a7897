"""JSON Schema of a site policy file (after merging ``_defaults.yaml``)."""

from __future__ import annotations

from typing import Any

from crawler.policy.model import UNVERSIONED_MODES

_VERDICT = {"enum": ["allowed", "research-only", "prohibited"]}
_PURPOSE = {"enum": ["research", "commercial"]}
_STR_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}}
#: a path pattern starts with "/" and has no "." or ".." segment before any query: URLs
#: are compared with their dot segments removed, so a rule with one would match no URL
PATH_PATTERN = r"^/(?!(?:[^?]*/)?\.\.?(?:[/?$]|$))"
_PATH_LIST = {"type": "array", "items": {"type": "string", "pattern": PATH_PATTERN}}
_URL_LIST = {"type": "array", "items": {"type": "string", "pattern": "^https?://"}}

# Bounds of the numbers in a policy. Every number must also be finite: the loader's
# validator does not count NaN or infinity as a "number" (YAML reads .nan and .inf as floats).
#: per site (all its hosts); high enough for the loopback servers of the tests, far above
#: any real site's
MAX_REQUESTS_PER_SECOND = 1000
#: parallel requests to one site
MAX_CONCURRENCY = 64
#: ten years
MAX_RETENTION_DAYS = 3650
#: ``tos.fingerprint``: what :func:`crawler.signals.terms.fingerprint` returns
FINGERPRINT_PATTERN = "^sha256:[0-9a-f]{64}$"

POLICY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["hosts", "tos", "purposes", "licenses", "retention_days"],
    "properties": {
        "name": {"type": "string"},
        "version": {"type": ["string", "integer"]},
        "hosts": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        "tos": {
            "type": "object",
            "additionalProperties": False,
            "required": ["url", "reviewed", "reviewer", "crawling", "ai_training"],
            "properties": {
                "url": {"type": "string", "pattern": "^https?://"},
                "reviewed": {"type": "string", "format": "date"},
                "reviewer": {"type": "string", "minLength": 1},
                "crawling": _VERDICT,
                "ai_training": _VERDICT,
                "notes": {"type": "string"},
                # the terms page as reviewed (crawler policy check --record-terms)
                "fingerprint": {"type": "string", "pattern": FINGERPRINT_PATTERN},
            },
        },
        "purposes": {"type": "array", "items": _PURPOSE, "uniqueItems": True},
        "start_urls": _URL_LIST,
        "sitemaps": _URL_LIST,
        # the TCP ports requests may go to (default: 80 and 443); the complete list
        "ports": {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"type": "integer", "minimum": 1, "maximum": 65535}},
        "allow_paths": _PATH_LIST,
        "deny_paths": _PATH_LIST,
        "rate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "requests_per_second": {"type": "number", "exclusiveMinimum": 0,
                                        "maximum": MAX_REQUESTS_PER_SECOND},
                "concurrency": {"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY},
            },
        },
        "licenses": {
            "type": "object",
            "additionalProperties": False,
            "required": ["accept"],
            "properties": {
                "accept": {
                    "type": "object",
                    "additionalProperties": False,
                    # SPDX ids or families like CC-BY-* (checked by the loader)
                    "properties": {"research": _STR_LIST, "commercial": _STR_LIST},
                },
                "default": {"type": "string", "minLength": 1},
                "images_share_page_license": {"type": "boolean"},
                # exclude | most_restrictive | an SPDX id (checked by the loader)
                "on_conflict": {"type": "string", "minLength": 1},
                # what a statement without a version ("CC BY") is worth
                "unversioned": {"enum": list(UNVERSIONED_MODES)},
                # the site's license page (must be on the policy's hosts: checked later)
                "page": {"type": "string", "pattern": "^https?://"},
            },
        },
        "retention_days": {"type": "integer", "minimum": 1, "maximum": MAX_RETENTION_DAYS},
        # how often `crawler crawl --due` crawls the site: 12h, 7d, 2w
        "recrawl_every": {"type": "string", "pattern": "^[1-9][0-9]{0,4}[hdw]$"},
        # the site leaves the corpus: nothing is requested, stored items are withdrawn
        "retired": {"type": "boolean"},
    },
}

#: keys of ``_defaults.yaml``: everything but what identifies a site
DEFAULTS_KEYS = frozenset(POLICY_SCHEMA["properties"]) - {"name", "hosts", "start_urls",
                                                          "sitemaps", "tos", "version"}
