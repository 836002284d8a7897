"""Host patterns in policies: ``example.org`` (exactly that host) or ``*.example.org``
(any subdomain, not the apex); and the port of a URL. Wildcards over a public suffix
(``*.co.uk``) are refused, checked against tldextract's bundled Public Suffix List
snapshot: no fetch at start-up. :func:`check_public_host` tells the hosts of the public
internet from private targets.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

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


_SCHEME_PORTS = {"http": 80, "https": 443}


def url_port(url: str) -> int | None:
    """The TCP port a request for ``url`` goes to (the scheme's when none is written);
    None for a port that is not a number in 1-65535."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    return port if port is not None else _SCHEME_PORTS.get(parts.scheme)


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


#: names that resolve only on the machine or a private network (RFC 6761, 6762, 8375,
#: and ICANN's reserved .internal); each covers itself and every name under it
PRIVATE_NAME_SUFFIXES = ("localhost", "local", "internal", "home.arpa")

#: cloud instance-metadata endpoints (the ranges below catch most of them, not Azure's
#: WireServer 168.63.129.16, a public address)
METADATA_ADDRESSES = frozenset(map(ipaddress.ip_address, (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "fd00:ec2::254")))

_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_NUMBER_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
                    allow_private: bool = False) -> str | None:
    """Why the crawler must not connect to ``address``, or None. ``allow_private`` (the
    operator's switch) admits every address but the cloud metadata endpoints."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:10.0.0.1 reaches 10.0.0.1
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    if allow_private:
        return None
    kinds = (("a loopback", address.is_loopback), ("a link-local", address.is_link_local),
             ("an unspecified", address.is_unspecified), ("a multicast", address.is_multicast),
             ("a reserved", address.is_reserved), ("a private", address.is_private),
             ("a site-local", getattr(address, "is_site_local", False)),
             ("a non-public", not address.is_global))
    kind = next((name for name, flag in kinds if flag), None)
    return f"{address} is {kind} address" if kind else None


def check_public_host(host: str) -> str | None:
    """Why ``host`` (a normalised host name or IP address) is not a target on the public
    internet, or None when it is. Refused: loopback, private, link-local, unspecified,
    multicast, reserved, unique-local and cloud metadata addresses (IPv4 and IPv6, also
    written as ``127.1`` or ``2130706433``, which resolvers accept), single-label names and
    the names of :data:`PRIVATE_NAME_SUFFIXES`. A public name may still resolve to a
    private address: that is the resolver's to check, not the policy's."""
    try:
        return address_problem(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    if not _HOST_NAME.fullmatch(host):
        return f"{host!r} is not a host name"
    if _NUMBER_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        try:  # inet_aton reads 127.1, 0x7f.1 and 2130706433 as resolvers do
            return address_problem(ipaddress.IPv4Address(socket.inet_aton(host)))
        except OSError:
            return f"{host!r} ends in a number but is not an IP address"
    for suffix in PRIVATE_NAME_SUFFIXES:
        if host == suffix or host.endswith("." + suffix):
            return f"{host!r} is a private name (.{suffix})"
    if "." not in host:
        return f"{host!r} is a single-label name, resolved through local search domains"
    return None
