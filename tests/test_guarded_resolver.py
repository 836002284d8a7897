"""The network-safety resolver hands on only checked addresses: what it hands on is what
Twisted's HostnameEndpoint connects to, so no second answer can slip in."""

from __future__ import annotations

from typing import Any

import pytest
from twisted.internet.address import IPv4Address, IPv6Address

from crawler.scrapy_adapters.guarded_resolver import GuardedResolver


class Upstream:
    """A resolver that answers every name with fixed addresses (as DNS might)."""

    def __init__(self, *addresses: str):
        self.addresses = addresses
        self.asked: list[str] = []

    def resolveHostName(self, receiver: Any, name: str, portNumber: int = 0,
                        *_args: Any) -> None:
        self.asked.append(name)
        receiver.resolutionBegan(object())
        for address in self.addresses:
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, portNumber))
        receiver.resolutionComplete()


class Receiver:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, _resolution: Any) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


class Reactor:
    def __init__(self, resolver: Any):
        self.nameResolver = resolver

    def installNameResolver(self, resolver: Any) -> None:
        self.nameResolver = resolver


def resolve(guard: GuardedResolver, name: str) -> list[str]:
    receiver = Receiver()
    guard.resolveHostName(receiver, name, 443)
    assert receiver.complete
    return receiver.addresses


@pytest.mark.parametrize(("answer", "reason"), [
    ("10.1.2.3", "private"), ("127.0.0.1", "loopback"), ("169.254.169.254", "metadata"),
    ("fd00::1", "private"), ("::ffff:192.168.0.1", "private"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("100.100.100.200", "metadata"),
])
def test_private_answers_are_dropped_and_named(answer: str, reason: str) -> None:
    guard = GuardedResolver()
    guard.ensure_installed(Reactor(Upstream("93.184.215.14", answer)))
    assert resolve(guard, "Mixed.Example.org") == ["93.184.215.14"]
    assert reason in guard.refused["mixed.example.org"]


def test_a_name_with_only_private_answers_gets_no_address() -> None:
    guard = GuardedResolver()
    guard.ensure_installed(Reactor(Upstream("192.168.1.1", "::1")))
    assert resolve(guard, "rebind.example.org") == []
    # the next answer is judged on its own: a clean one clears the refusal
    guard.upstream = Upstream("93.184.215.14")
    assert resolve(guard, "rebind.example.org") == ["93.184.215.14"]
    assert "rebind.example.org" not in guard.refused


def test_allow_private_admits_all_but_metadata() -> None:
    guard = GuardedResolver(allow_private=True)
    guard.ensure_installed(Reactor(Upstream("127.0.0.1", "10.0.0.1", "169.254.169.254",
                                            "fd00:ec2::254")))
    assert resolve(guard, "lab.example.org") == ["127.0.0.1", "10.0.0.1"]


def test_pinned_names_skip_dns_and_are_checked() -> None:
    upstream = Upstream("93.184.215.14")
    guard = GuardedResolver(pinned={"Pinned.Example.org.": ["127.0.0.9"],
                                    "one.example.org": "127.0.0.10"})  # one address, bare
    guard.ensure_installed(Reactor(upstream))
    assert resolve(guard, "pinned.example.org") == []  # loopback, not allowed
    assert "loopback" in guard.refused["pinned.example.org"]
    assert resolve(guard, "One.Example.org.") == []
    assert "127.0.0.10" in guard.refused["one.example.org"]
    assert upstream.asked == []
    assert resolve(guard, "other.example.org") == ["93.184.215.14"]


def test_installs_in_front_of_whatever_resolver_came_since() -> None:
    guard = GuardedResolver()
    reactor = Reactor(Upstream("93.184.215.14"))
    guard.ensure_installed(reactor)
    replacement = Upstream("93.184.215.15")
    reactor.nameResolver = replacement  # Scrapy installs its DNS_RESOLVER at reactor start
    guard.ensure_installed(reactor)
    assert reactor.nameResolver is guard and guard.upstream is replacement
    guard.ensure_installed(reactor)  # idempotent: never wraps itself
    assert guard.upstream is replacement
