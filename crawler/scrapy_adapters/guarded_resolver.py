"""Connect only to addresses that were checked, and to no others.

Scrapy's HTTP/1.1 handler connects through Twisted's ``HostnameEndpoint``, which asks the
reactor's name resolver for a host's addresses and connects to the ones it is handed.
:class:`GuardedResolver` stands in that place: it hands on only the addresses that pass
:func:`crawler.policy.hosts.address_problem` (private, loopback, link-local, unique-local
and metadata ranges are refused unless the operator allows private networks; metadata
addresses always). The address checked is the address connected to: there is no second
lookup for a DNS-rebinding answer to change.

``COMPLIANCE_RESOLVE`` pins names to addresses without DNS (tests, and operators who pin
hosts); pinned answers are checked like any other.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer, provider

from crawler.policy.hosts import address_problem


def host_key(name: str) -> str:
    """One spelling per host: ``Example.org.`` is ``example.org``."""
    return name.lower().rstrip(".")


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # answers are handed on at once: nothing to cancel
        pass


@provider(IResolutionReceiver)
class _CheckedReceiver:
    """Hands on the addresses that pass the check; remembers why the others did not."""

    def __init__(self, receiver: IResolutionReceiver, name: str, guard: GuardedResolver):
        self.receiver = receiver
        self.name = name
        self.guard = guard

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        problem = self.guard.problem(getattr(address, "host", ""))
        if problem is None:
            self.receiver.addressResolved(address)
        else:
            self.guard.refused[host_key(self.name)] = problem

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    def __init__(self, *, allow_private: bool = False,
                 pinned: Mapping[str, Sequence[str]] | None = None):
        #: the resolver asked for names not pinned (set by :meth:`ensure_installed`)
        self.upstream: IHostnameResolver | None = None
        self.allow_private = allow_private
        self.pinned = {host_key(name): [str(ipaddress.ip_address(a))
                                        for a in ([addrs] if isinstance(addrs, str) else addrs)]
                       for name, addrs in (pinned or {}).items()}
        #: host name -> why its last answer was refused (read by the download handler)
        self.refused: dict[str, str] = {}

    def problem(self, host: str) -> str | None:
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return f"{host!r} is not an IP address"
        return address_problem(address, self.allow_private)

    def resolveHostName(self, resolutionReceiver: IResolutionReceiver,
                        hostName: str, portNumber: int = 0,
                        addressTypes: Sequence[type[IAddress]] | None = None,
                        transportSemantics: str = "TCP") -> IHostResolution:
        receiver = _CheckedReceiver(resolutionReceiver, hostName, self)
        self.refused.pop(host_key(hostName), None)
        pinned = self.pinned.get(host_key(hostName))
        if pinned is None:
            assert self.upstream is not None, "not installed"
            return self.upstream.resolveHostName(receiver, hostName, portNumber,
                                                 addressTypes, transportSemantics)
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        for address in pinned:
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, portNumber))
        receiver.resolutionComplete()
        return resolution

    def ensure_installed(self, reactor: Any) -> None:
        """Stand in front of the reactor's resolver, whatever was installed since: Scrapy
        installs its own (``DNS_RESOLVER``) when the reactor starts, after the crawl's
        components are built, so the download handler checks before every request."""
        current = reactor.nameResolver
        if current is not self:
            self.upstream = current
            reactor.installNameResolver(self)
