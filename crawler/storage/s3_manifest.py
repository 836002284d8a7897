"""The S3 store's manifest: an event log of one immutable object per event.

Layout under the store prefix::

    manifest/events/<UTC time>-<uuid4>.json      one object per commit/delete/check event
    manifest/snapshots/<UTC time>-<uuid4>.jsonl  events folded by compact() (optional)

**Why one object per event.** S3 has no append. A single ``manifest.jsonl`` object would
have to be read, extended and rewritten by each writer: two workers (or a retry after a
lost answer) would overwrite each other's records. Instead each event is its own object
under a key that no other writer can produce (time + uuid4): a PUT is all-or-nothing, so
an event is never torn, and no writer can replace another's, so none is ever lost. A
retried PUT of the same event rewrites the same key with the same bytes, so it cannot
duplicate a record. Event names sort by time, which is the order
:func:`~crawler.storage.base.manifest_view` folds them in (and so which version is
``current``); ordering between *different machines* relies on their clocks.

**Compaction** (:meth:`S3Manifest.compact`) keeps opening cheap once there are many
events: it writes one snapshot holding every event it read, verified, and only then
deletes the objects it folded. Readers list event objects *before* snapshots and merge
everything by event name, so a crash or a concurrent compaction at any point can
duplicate records (harmless, they are keyed by name) but never hide one.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from crawler.storage.base import StoreError
from crawler.storage.s3_objects import EVENT_NAME, S3Objects, is_not_found

_RESTARTS = 5


def _valid_event(event: Any, where: str) -> dict[str, Any]:
    """An unreadable event fails the read: silently skipping a ``delete`` would list
    an item whose objects are gone."""
    if (not isinstance(event, dict) or event.get("event") not in ("commit", "delete", "check")
            or not isinstance(event.get("url"), str)
            or not isinstance(event.get("sha256"), str)
            or (event["event"] == "commit"
                and not (isinstance(event.get("content"), str)
                         and isinstance(event.get("sidecar"), str)))):
        raise StoreError(f"malformed manifest event in {where}")
    return event


class S3Manifest:
    """The manifest events of the store at ``root`` (for messages), read with up to
    ``workers`` parallel GETs. Event and snapshot objects never change once written, so
    each is read once and cached."""

    def __init__(self, objects: S3Objects, root: str, workers: int):
        self.objects = objects
        self.root = root
        self.workers = workers
        self.events_prefix = objects.key("manifest/events/")
        self.snapshots_prefix = objects.key("manifest/snapshots/")
        self._lock = threading.Lock()
        self._events: dict[str, dict[str, Any]] = {}  # event name -> event (immutable)
        self._snapshots: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def any_objects(self) -> bool:
        """Is there any event or snapshot object (a store written before its marker)?"""
        return bool(self.objects.list_names(self.events_prefix, ".json")
                    or self.objects.list_names(self.snapshots_prefix, ".jsonl"))

    def events(self) -> list[dict[str, Any]]:
        """Every event, in name (write) order."""
        _, _, merged = self._load()
        return [merged[name] for name in sorted(merged)]

    def _fetch_event(self, name: str) -> dict[str, Any]:
        key = f"{self.events_prefix}{name}.json"
        try:
            return _valid_event(json.loads(self.objects.get(key)), key)
        except ValueError as exc:
            raise StoreError(f"malformed manifest event in {key}") from exc

    def _fetch_snapshot(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        key = f"{self.snapshots_prefix}{name}.jsonl"
        try:
            records = [json.loads(line) for line in self.objects.get(key).splitlines()
                       if line.strip()]
            return [(str(r["name"]), _valid_event(r["event"], key)) for r in records
                    if EVENT_NAME.fullmatch(str(r["name"]))]
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"malformed manifest snapshot {key}") from exc

    def _load(self) -> tuple[list[str], list[str], dict[str, dict[str, Any]]]:
        """(event names, snapshot names, every event by name). Events are listed before
        snapshots: an event a concurrent compaction removes in between is in a snapshot
        written before the removal. An object removed between listing and reading makes
        the whole read start again."""
        for _ in range(_RESTARTS):
            events = self.objects.list_names(self.events_prefix, ".json")
            snapshots = self.objects.list_names(self.snapshots_prefix, ".jsonl")
            try:
                self._fill(events, snapshots)
            except StoreError as exc:
                if isinstance(exc.__cause__, ClientError) and is_not_found(exc.__cause__):
                    continue
                raise
            with self._lock:  # a compact() in another thread may drop cached names
                if any(n not in self._events for n in events) or \
                        any(n not in self._snapshots for n in snapshots):
                    continue
                merged: dict[str, dict[str, Any]] = {}
                for snapshot in snapshots:
                    merged.update(self._snapshots[snapshot])
                for name in events:
                    merged[name] = self._events[name]
            return events, snapshots, merged
        raise StoreError(f"the manifest of {self.root} kept changing while being read")

    def _fill(self, events: list[str], snapshots: list[str]) -> None:
        """Read the event and snapshot objects not read before (they never change)."""
        new_events = [n for n in events if n not in self._events]
        new_snapshots = [n for n in snapshots if n not in self._snapshots]
        if not new_events and not new_snapshots:
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            event_jobs = {n: pool.submit(self._fetch_event, n) for n in new_events}
            snapshot_jobs = {n: pool.submit(self._fetch_snapshot, n) for n in new_snapshots}
            for name, job in event_jobs.items():
                self._events[name] = job.result()
            for name, snap_job in snapshot_jobs.items():
                self._snapshots[name] = snap_job.result()

    def append(self, event: dict[str, Any]) -> None:
        """Write one event object. If the answer is lost after the retries, a HEAD tells
        whether the write landed anyway (then the event is committed)."""
        name = self.objects.new_name()
        key = f"{self.events_prefix}{name}.json"
        body = json.dumps(event, ensure_ascii=True, sort_keys=True, default=str).encode()
        try:
            self.objects.put(key, body, "application/json", {"event": str(event["event"])})
        except StoreError:
            try:
                landed = self.objects.same_object(key, body)
            except StoreError:
                landed = False
            if not landed:
                raise
        with self._lock:
            self._events[name] = event

    def compact(self) -> int:
        """Fold every event object and snapshot into one new snapshot; returns how many
        objects were folded. Safe to run beside writers and other compactions: the new
        snapshot is written (and verified) before anything it folds is deleted, and each
        compaction deletes only what its snapshot holds."""
        events, snapshots, merged = self._load()
        if len(events) + len(snapshots) <= 1:
            return 0
        lines = [json.dumps({"name": n, "event": merged[n]}, ensure_ascii=True, sort_keys=True,
                            default=str) for n in sorted(merged)]
        name = self.objects.new_name()
        self.objects.put(f"{self.snapshots_prefix}{name}.jsonl",
                         ("\n".join(lines) + "\n").encode(), "application/x-ndjson", {})
        self._snapshots[name] = sorted(merged.items())
        folded = [f"{self.events_prefix}{n}.json" for n in events]
        folded += [f"{self.snapshots_prefix}{n}.jsonl" for n in snapshots]
        self.objects.delete_keys(folded)
        with self._lock:
            for n in events:
                self._events.pop(n, None)
            for n in snapshots:
                self._snapshots.pop(n, None)
        return len(folded)
