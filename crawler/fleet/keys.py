"""The Redis data layout of a fleet (the table in docs/fleet.md): one place for every key."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "crawler"


def active_run_key(purpose: str) -> str:
    """The id of the run the fleet's workers for ``purpose`` join (absent between runs)."""
    return f"{PREFIX}:active:{purpose}"


@dataclass(frozen=True)
class RunKeys:
    run_id: str

    def _key(self, name: str) -> str:
        return f"{PREFIX}:run:{self.run_id}:{name}"

    @property
    def queue(self) -> str:
        """Sorted set of requests waiting (score: -priority), JSON-encoded."""
        return self._key("queue")

    @property
    def leases(self) -> str:
        """Hash lease id (``<worker>|<n>``) -> ``"<score> <request>"``: requests a worker
        took and has not finished; a dead worker's go back to the queue."""
        return self._key("leases")

    @property
    def dupefilter(self) -> str:
        """Set of request fingerprints seen in this run (scrapy-redis' RFPDupeFilter)."""
        return self._key("dupefilter")

    @property
    def seeded(self) -> str:
        """Set once a worker has scheduled every start URL and sitemap of the policies."""
        return self._key("seeded")

    @property
    def workers(self) -> str:
        """Hash worker id -> the time it joined (every worker the run ever had)."""
        return self._key("workers")

    def alive(self, worker: str = "") -> str:
        """A worker's heartbeat, expiring unless renewed (with no worker: the prefix)."""
        return self._key(f"alive:{worker}")

    @property
    def finished(self) -> str:
        """Set of the workers that left the run in good order."""
        return self._key("finished")

    def budget(self, key: str) -> str:
        """A politeness budget (a site's or a host's): its state as JSON."""
        return self._key(f"budget:{key}")

    def slots(self, key: str) -> str:
        """Sorted set of the requests in flight on a site, by holder."""
        return self._key(f"slots:{key}")

    def signal(self, cache: str, origin: str) -> str:
        """A cached reading of an origin's control file (robots.txt, site files)."""
        return self._key(f"signal:{cache}:{origin}")

    def signal_lock(self, cache: str, origin: str) -> str:
        """Held by the worker reading that file now."""
        return self._key(f"signal-lock:{cache}:{origin}")

    @property
    def pattern(self) -> str:
        """Every key of the run."""
        return self._key("*")
