"""Host → policy lookup over a validated set of policies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from crawler.policy.hosts import normalize_host
from crawler.policy.loader import load_policies
from crawler.policy.model import SitePolicy


class PolicyRegistry:
    """Finds the one policy covering a host (policies never overlap: the loader checks)."""

    def __init__(self, policies: Iterable[SitePolicy]):
        self._exact: dict[str, SitePolicy] = {}
        self._wildcard: dict[str, SitePolicy] = {}
        self.policies = tuple(policies)
        for policy in self.policies:
            for pattern in policy.hosts:
                if pattern.startswith("*."):
                    self._wildcard[pattern[2:]] = policy
                else:
                    self._exact[pattern] = policy

    @classmethod
    def from_directory(cls, directory: str, sites: Iterable[str] = (), *,
                       allow_private: bool = False) -> PolicyRegistry:
        """Load a policy directory; ``sites`` (host names or policy names) narrows the set.
        ``allow_private``: see :func:`~crawler.policy.loader.load_policies` (the crawl sets it
        from ``COMPLIANCE_ALLOW_PRIVATE_NETWORKS``)."""
        policies = load_policies(directory, allow_private=allow_private)
        wanted = {s.lower() for s in sites}
        if wanted:
            policies = [p for p in policies if p.name.lower() in wanted
                        or wanted & {h.removeprefix("*.") for h in p.hosts}]
        return cls(policies)

    def site_of(self, host: str) -> str | None:
        """The name of the policy (site) ``host`` belongs to, or None."""
        policy = self.for_host(host)
        return policy.name if policy else None

    def for_host(self, host: str) -> SitePolicy | None:
        try:
            host = normalize_host(host)
        except ValueError:
            return None
        policy = self._exact.get(host)
        if policy is not None:
            return policy
        labels = host.split(".")
        for i in range(1, len(labels)):
            policy = self._wildcard.get(".".join(labels[i:]))
            if policy is not None:
                return policy
        return None

    def __iter__(self) -> Iterator[SitePolicy]:
        return iter(self.policies)

    def __len__(self) -> int:
        return len(self.policies)
