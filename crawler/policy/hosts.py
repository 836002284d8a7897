"""Host patterns in policies: ``example.org`` (exactly that host) or ``*.example.org``
(any subdomain, not the apex). Wildcards over a public suffix (``*.co.uk``) are refused,
checked against tldextract's bundled Public Suffix List snapshot: no fetch at start-up.
"""

from __future__ import annotations

import ipaddress

import tldextract

#: offline extractor: bundled suffix list only, no network, no cache directory
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class HostPatternError(ValueError):
    pass


def normalize_host(host: str) -> str:
    """Lower-case, IDNA-encoded host name without trailing dot."""
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as exc:
        raise HostPatternError(f"invalid host name {host!r}: {exc}") from None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def normalize_host_pattern(raw: str) -> str:
    if any(c in raw for c in "/:@ ?#"):
        raise HostPatternError(f"{raw!r} is not a host name (no scheme, port or path)")
    wildcard = raw.startswith("*.")
    host = normalize_host(raw[2:] if wildcard else raw)
    if not host or "*" in host:
        raise HostPatternError(f"{raw!r}: '*' is only allowed as a leading '*.' label")
    if wildcard:
        if _is_ip(host):
            raise HostPatternError(f"{raw!r}: an IP address has no subdomains")
        parts = _EXTRACT(host)
        if not parts.domain:
            raise HostPatternError(f"{raw!r} covers a whole public suffix")
        return "*." + host
    return host


def host_matches(pattern: str, host: str) -> bool:
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def patterns_overlap(a: str, b: str) -> bool:
    """True when some host name would match both patterns."""
    base_a, base_b = a.removeprefix("*."), b.removeprefix("*.")
    if a.startswith("*.") and host_matches(a, base_b):
        return True
    if b.startswith("*.") and host_matches(b, base_a):
        return True
    return base_a == base_b and a.startswith("*.") == b.startswith("*.")

