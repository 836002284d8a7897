"""Control files (robots.txt, tdmrep.json, ai.txt, the RSL files robots.txt names) read
once per TTL for the whole fleet.

The raw answer (status, headers, body, final URL) is kept in Redis for its TTL: the
worker that claims a file first fetches it and stores it; the others wait for that and
read the same bytes, so every worker parses the same file and decides alike. A fetch that
fails (timeout, DNS) is not shared: each worker then meets the failure itself, and fails
closed as it would alone.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import redis

from crawler.fleet.keys import RunKeys

#: how long a claim on a file lasts if its worker dies while fetching it
CLAIM_SECONDS = 120


@dataclass(frozen=True)
class RawAnswer:
    url: str  # after redirects
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    fetched_at: float

    def encode(self) -> str:
        return json.dumps({
            "url": self.url, "status": self.status, "fetched_at": self.fetched_at,
            "headers": [[base64.b64encode(k).decode(), base64.b64encode(v).decode()]
                        for k, v in self.headers],
            "body": base64.b64encode(self.body).decode()})

    @classmethod
    def decode(cls, raw: bytes) -> RawAnswer:
        data = json.loads(raw)
        return cls(data["url"], data["status"],
                   [(base64.b64decode(k), base64.b64decode(v)) for k, v in data["headers"]],
                   base64.b64decode(data["body"]), data["fetched_at"])


class SharedFiles:
    """The fleet's copy of the control files it has read, one key per URL asked for."""

    CACHE = "file"

    def __init__(self, client: redis.Redis, keys: RunKeys, worker: str, ttl: float,
                 error_ttl: float):
        self.client = client
        self.keys = keys
        self.worker = worker
        self.ttl = ttl
        self.error_ttl = error_ttl

    def get(self, url: str) -> RawAnswer | None:
        raw = self.client.get(self.keys.signal(self.CACHE, url))
        return RawAnswer.decode(raw) if raw else None

    def claim(self, url: str) -> bool:
        """True when this worker is the one to fetch ``url`` now."""
        return bool(self.client.set(self.keys.signal_lock(self.CACHE, url), self.worker,
                                    nx=True, ex=CLAIM_SECONDS))

    def put(self, url: str, answer: RawAnswer) -> None:
        """Share ``answer`` (a 5xx for the error TTL only: it is retried sooner)."""
        ttl = self.error_ttl if answer.status >= 500 else self.ttl
        pipe = self.client.pipeline(transaction=True)
        pipe.set(self.keys.signal(self.CACHE, url), answer.encode(), px=max(1, int(ttl * 1000)))
        pipe.delete(self.keys.signal_lock(self.CACHE, url))
        pipe.execute()

    def release(self, url: str) -> None:
        self.client.delete(self.keys.signal_lock(self.CACHE, url))

    def claimed(self, url: str) -> bool:
        return bool(self.client.exists(self.keys.signal_lock(self.CACHE, url)))
