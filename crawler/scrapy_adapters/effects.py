"""The effects of a crawl's decisions, all in one place.

Gates decide: pure code in :mod:`crawler.gates`, called by the Scrapy adapters that gather
its inputs. This module applies what they decided, and nothing else in a crawl writes to
the ledger or the store or removes anything from it:

- :meth:`Effects.record`: one ledger line and a stats counter; with a request's meta, the
  decision also joins the chain the item's sidecar will show. Never removes anything.
  (:meth:`Effects.note`: a ledger line alone, for how a control file was read.)
- :meth:`Effects.decide`: :meth:`record`, and when a refusal withdraws consent for what this
  crawl's purpose stored from that URL (a new opt-out, a robots.txt disallow, a policy that
  no longer allows the path or purpose: :data:`~crawler.retention.WITHDRAWING_REASONS`),
  removes it (delete or quarantine, with its own ledger line). Other purposes' records stay.
- :meth:`Effects.store_item`: builds the sidecar, commits content and sidecar, and ledgers the
  outcome (stored, recorded for this purpose, unchanged, revalidated with a 304, or
  ``store_error``); a stored version met again gets a manifest ``check`` event when its
  headers changed or it had been missing (404) before.
- A 410 withdraws at once (``gone`` is a withdrawing reason); a 404 is recorded on the
  current version and withdraws on the second run in a row that meets it; a 5xx or a
  timeout never withdraws.
- :meth:`Effects.open_run`: before the first request, removes what a ToS review no longer
  permits for this purpose and everything of retired policies, then indexes what this
  purpose has stored (for :meth:`decide`).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawler import sidecar
from crawler.gates.decision import Decision
from crawler.items import CorpusItem
from crawler.ledger import Ledger
from crawler.policy.model import SitePolicy
from crawler.policy.registry import PolicyRegistry
from crawler.purge import Purger
from crawler.retention import WITHDRAWING_REASONS, prohibited_sites, retired_sites
from crawler.revalidation import stored_headers, validators
from crawler.scrapy_adapters.meta import DECISIONS
from crawler.storage.base import Committed, Store, StoreError, StoreItem, check_event

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger("crawler.compliance")
#: the content gate's reason for a 404 (withdraws on the second run in a row)
NOT_FOUND = "not_found"
REVALIDATED_SENTENCE = ("Revalidated: the server answered 304 Not Modified; the gates judged "
                        "the stored copy again under this run's signals, and it stays.")

STORE_GATE = "store"
#: ledger sentence by (new for this purpose, content newly written)
_STORED_SENTENCES = {
    (True, True): "Stored with its license sidecar.",
    (True, False): "Content already stored for another purpose: recorded for this purpose "
                   "too, nothing rewritten.",
    (False, False): "Already stored (same content): nothing written.",
    (False, True): "Already stored (same content): nothing written.",
}


class Effects:
    def __init__(self, ledger: Ledger, store: Store, purpose: str, run_id: str,
                 purger: Purger | None = None, crawler: Crawler | None = None):
        self.ledger, self.store, self.purger = ledger, store, purger
        self.purpose, self.run_id, self.crawler = purpose, run_id, crawler
        #: url → versions stored for this crawl's purpose by earlier runs (what :meth:`decide`
        #: may withdraw: a URL is fetched once per run, so this run's own items need no
        #: entry, and nothing per item stays referenced after it is stored)
        self.stored: dict[str, list[dict[str, Any]]] = {}
        #: url → its current stored version, whatever the purpose (what a recrawl
        #: revalidates: :mod:`crawler.scrapy_adapters.revalidate`)
        self.current: dict[str, dict[str, Any]] = {}

    def record(self, url: str, decision: Decision, meta: dict[str, Any] | None = None,
               **context: Any) -> None:
        """Ledger line, stats counter and (for denials) a debug log line for one decision;
        with ``meta`` (a request's), the decision also joins the item's chain."""
        if meta is not None:
            meta.setdefault(DECISIONS, []).append(decision.summary())
        self.ledger.record(url, decision, purpose=self.purpose, **context)
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(
                f"compliance/{decision.gate}/{'allow' if decision.allowed else decision.reason}")
        if not decision.allowed:
            logger.debug("%s [%s/%s] %s", url, decision.gate, decision.reason, decision.sentence)

    def note(self, url: str, decision: Decision, **context: Any) -> None:
        """A ledger line only: how a control file (robots.txt, a site file) was read."""
        self.ledger.record(url, decision, purpose=self.purpose, **context)

    def decide(self, url: str, decision: Decision, meta: dict[str, Any] | None = None,
               **context: Any) -> None:
        """A gate's decision about ``url``: recorded, and applied to what is stored."""
        self.record(url, decision, meta, **context)
        if decision.allowed:
            return
        withdrawing = (self._missing_again(url) if decision.reason == NOT_FOUND
                       else decision.reason in WITHDRAWING_REASONS)
        if withdrawing and url in self.stored:
            self._withdraw(url, decision)

    def _missing_again(self, url: str) -> bool:
        """A 404 for a stored URL: True when an earlier run met one too (none met it
        since); else recorded on its current version for the next run."""
        entry = self.current.get(url)
        if entry is None:
            return False
        if any(run != self.run_id for run in entry.get("missing", [])):
            return True
        self._check(entry, check_event(entry, 404, self.run_id))
        entry["missing"] = [self.run_id]
        return False

    def _check(self, entry: dict[str, Any], event: dict[str, Any]) -> None:
        try:
            self.store.check(event)
        except StoreError as exc:  # the next run asks again; nothing is stored on it
            logger.warning("could not record a check of %s: %s", entry["url"], exc)

    def _withdraw(self, url: str, decision: Decision) -> None:
        if self.purger is None:
            return
        for entry in self.stored.pop(url, []):
            self.purger.remove(entry, "consent_withdrawn", f"{decision.gate}/{decision.reason} "
                               f"on re-crawl: {decision.sentence}", purpose=self.purpose)

    def store_item(self, item: CorpusItem, policy: SitePolicy) -> Committed:
        """Commit one gated item with its sidecar now (a group of one); a store failure is
        ledgered, then raised."""
        stored = self.to_store(item, policy)
        [result] = self.store.put_many([stored])
        return self.stored_as(item, policy, stored, result)

    def to_store(self, item: CorpusItem, policy: SitePolicy) -> StoreItem:
        """What the store keeps of a gated item: its body and its sidecar."""
        assert item.license is not None
        digest = hashlib.sha256(item.body).hexdigest()
        headers = stored_headers(item.headers)
        # (Measured: a worker thread for this made crawls slower: the sidecar and JSON work
        # holds the GIL and contends with the reactor.)
        card = sidecar.build(
            url=item.url, kind=item.kind, content_type=item.content_type, sha256=digest,
            size=len(item.body), fetched_at=item.fetched_at, status=item.status,
            chosen=item.license, statements=item.statements, title=item.title,
            creator=item.creator, policy=policy, purpose=self.purpose, robots=item.robots,
            decisions=item.decisions, run_id=self.run_id, page_url=item.page_url,
            headers=headers, license_notes=item.license_notes)
        return StoreItem(
            url=item.url, host=urlsplit(item.url).hostname or "", kind=item.kind,
            content=item.body, content_type=item.content_type, sha256=digest, sidecar=card,
            manifest_extra={"spdx": card["license"]["spdx"], "policy": policy.name,
                            "run_id": self.run_id, "validators": validators(headers)},
            purpose=self.purpose)

    def stored_as(self, item: CorpusItem, policy: SitePolicy, stored: StoreItem,
                  result: Committed | StoreError) -> Committed:
        """Ledger what the store did with one item (``result`` of its group commit);
        a store failure is raised after its ``store_error`` line."""
        if isinstance(result, StoreError):
            self.record(item.url, Decision.deny(STORE_GATE, "store_error", str(result)),
                        kind=item.kind, policy=policy.name)
            raise result
        revalidated = item.revalidated and not result.new
        self.record(item.url, Decision.allow(
            STORE_GATE, REVALIDATED_SENTENCE if revalidated
            else _STORED_SENTENCES[result.new, result.content_new],
            content=result.content_path, sidecar=result.sidecar_path, sha256=stored.sha256,
            new=result.new, revalidated=revalidated, spdx=stored.manifest_extra["spdx"]),
            kind=item.kind, policy=policy.name)
        if not result.new:
            self._seen_again(item, stored.sha256, stored.sidecar["headers"])
        return result

    def _seen_again(self, item: CorpusItem, sha256: str, headers: dict[str, list[str]]) -> None:
        """The current version answered again: a ``check`` event when its headers changed
        (so later runs ask with its new validators) or it had been missing."""
        entry = self.current.get(item.url)
        if entry is None or entry["sha256"] != sha256:
            return
        before = entry.get("headers")
        changed = (item.headers_updated if item.revalidated
                   else validators(headers) != (validators(before) if before is not None
                                                 else entry.get("validators", {})))
        if changed or entry.get("missing"):
            self._check(entry, check_event(entry, 200, self.run_id, headers))
            entry["headers"], entry["missing"] = headers, []

    def open_run(self, registry: PolicyRegistry) -> None:
        """Withdrawals that need no request, then the index :meth:`decide` works from."""
        entries = self.store.entries()
        if self.purger is not None:
            withdrawn = self.purger.remove_all(
                prohibited_sites(entries, registry, self.purpose), "consent_withdrawn",
                purpose=self.purpose)
            if withdrawn:
                logger.warning("compliance: %d stored item(s) removed: their site's ToS review "
                               "no longer permits %s", withdrawn, self.purpose)
            retired = self.purger.remove_all(retired_sites(entries, registry), "policy_retired")
            if retired:
                logger.warning("compliance: %d stored item(s) removed: their policy is retired",
                               retired)
            entries = self.store.entries()
        self.stored, self.current = {}, {}
        for entry in entries:
            if self.purpose in entry.get("purposes", ()):
                self.stored.setdefault(entry["url"], []).append(entry)
            if entry.get("current"):
                self.current[entry["url"]] = entry

    def close(self) -> None:
        """Close the ledger (last upload, index) and then the store; a ledger that could
        not be written into the store is raised, after the store is closed."""
        try:
            self.ledger.close()
        finally:
            self.store.close()
