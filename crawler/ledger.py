"""Audit ledger: one JSON line per decision, allowed or not, for every URL the crawl met.

Each run's ledger lives in the store, one file per writing process, so several workers
never share a file: ``ledger/<run-id>/<writer>.jsonl``, with its index
(:mod:`crawler.ledger_index`) written beside it when the writer closes. A local store's
file is appended to in place. A remote store's is written to a local spool file whose new
lines are added to the store every ``upload_interval`` seconds and at close. A writer
killed outright leaves its last lines in its spool; the next writer to the same store on
this machine uploads them, with the index, in its place (:func:`recover_spools`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

from crawler import ledger_index
from crawler.gates.decision import Decision
from crawler.jsonl import AppendLog, complete_lines, utcnow
from crawler.storage.base import Store, StoreError
from crawler.workdirs import OwnedFolder, remove_abandoned

logger = logging.getLogger(__name__)

#: format version of a ledger line (``"v"``), raised when a field changes meaning
LEDGER_VERSION = 1
#: the folder of the run ledgers in a store; a store of before holds one ``ledger.jsonl``
LEDGER_DIR, LEGACY_LEDGER = "ledger", "ledger.jsonl"
CONTENT_TYPE = "application/x-ndjson"
#: a remote store's ledger spool: a folder (in the system's temporary folder) holding the
#: lines and which store and file they belong to
SPOOL_PREFIX, SPOOL_FILE, SPOOL_TARGET = "crawler-ledger-", "ledger.jsonl", "target.json"
#: the only files a spool may name: a run ledger (``ledger/<run-id>/<writer>.jsonl``)
_LEDGER_FILE = re.compile(rf"{LEDGER_DIR}/\w[\w.-]*/\w[\w.-]*\.jsonl", re.ASCII)


def writer_name() -> str:
    """This process's name among a run's writers: host, pid and a random part (two
    containers may both be pid 1 on hosts of one name)."""
    host = re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname())[:64] or "host"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def run_folder(run_id: str) -> str:
    return f"{LEDGER_DIR}/{run_id}"


class Ledger:
    """One process's ledger lines of one run, written into ``store``."""

    def __init__(self, store: Store, run_id: str, upload_interval: float = 60.0,
                 writer: str | None = None):
        self.run_id, self.store = run_id, store
        #: this process among the run's writers (:func:`writer_name`)
        self.writer = writer or writer_name()
        #: the file's path in the store
        self.name = f"{run_folder(run_id)}/{self.writer}.jsonl"
        in_place = store.local_path(self.name)
        self._spool: OwnedFolder | None = None
        #: the file on this machine (in the store, or the spool of a remote store)
        self.path = in_place or self._open_spool()
        self._log = AppendLog(self.path, shared=False)  # this process's own file
        self.location = str(in_place) if in_place else f"{store.root.rstrip('/')}/{self.name}"
        #: bytes of the spool in the store
        self._uploaded = 0
        self._upload_lock = threading.Lock()
        self._stop = threading.Event()
        self._uploader: threading.Thread | None = None
        if self._spool is not None:
            self._uploader = threading.Thread(target=self._upload_every, args=(upload_interval,),
                                              name="ledger-upload", daemon=True)
            self._uploader.start()

    def _open_spool(self) -> Path:
        """A spool folder for a remote store's file, once the spools that killed writers
        left for the store are uploaded."""
        tmp = Path(tempfile.gettempdir())
        recover_spools(self.store, tmp)
        self._spool = OwnedFolder(tmp, SPOOL_PREFIX)
        staged = self._spool.path / f"{SPOOL_TARGET}.part"  # whole, or not there
        staged.write_text(json.dumps({"store": self.store.root, "name": self.name}))
        staged.replace(self._spool.path / SPOOL_TARGET)
        return self._spool.path / SPOOL_FILE

    def record(self, url: str, decision: Decision, **context: Any) -> dict[str, Any]:
        entry = {"v": LEDGER_VERSION, "time": utcnow(), "run_id": self.run_id, "url": url,
                 **decision.as_record(), **context}
        self._log.append(entry)
        return entry

    def _upload_every(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.upload()
            except StoreError as exc:  # tried again next time, and at close
                logger.warning("ledger upload failed (will retry): %s", exc)

    def upload(self) -> None:
        """Add the spool's new complete lines to the ledger in a remote store: only what was
        written since the last upload is read and sent (``Store.append_file``), so neither
        memory nor traffic grows with the ledger (it had re-sent the whole file at each
        upload: at some 2.4 KB a page, 120 MB a minute once 50,000 pages were in). If that
        fails (a server without S3's part copy, an append whose effect is unknown), the
        whole file is written instead."""
        with self._upload_lock:
            if self._uploaded:
                data = self._complete_lines(self._uploaded)
                if not data:
                    return
                try:
                    self.store.append_file(self.name, data, self._uploaded, CONTENT_TYPE)
                except StoreError as exc:
                    logger.warning("ledger upload: the new lines could not be added (%s); "
                                   "writing the whole file", exc)
                else:
                    self._uploaded += len(data)
                    return
            data = self._complete_lines(0)
            if data:
                self.store.write_file(self.name, data, CONTENT_TYPE)
                self._uploaded = len(data)

    def _complete_lines(self, start: int) -> bytes:
        """The spool's complete lines from byte ``start`` on."""
        with self.path.open("rb") as fh:
            fh.seek(start)
            return complete_lines(fh.read())

    def close(self) -> None:
        """Last upload and the index; a failure is raised (a ledger not in the store is a
        store failure) and leaves the spool, which the next writer to the store on this
        machine uploads (:func:`recover_spools`)."""
        self._log.close()
        if self._uploader is not None:
            self._stop.set()
            self._uploader.join()
            self.upload()
        write_index(self.store, self.name, self.path)
        if self._spool is not None:
            self._spool.remove()


def _read_own(path: Path) -> bytes:
    """A spool file's bytes; not through a symbolic link (a shared temporary folder)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def write_index(store: Store, name: str, path: Path) -> None:
    """The index of ledger file ``name`` in ``store``, from its lines in ``path``."""
    index = ledger_index.build(ledger_index.line_spans(path))
    store.write_file(ledger_index.index_path(name), index, "application/octet-stream")


def recover_spools(store: Store, parent: Path) -> int:
    """Upload the ledgers that writers to ``store`` killed before they closed them left in
    their spools under ``parent`` (their locks free), each with its index, and remove the
    spools; how many. Other stores' spools are left alone, as is one whose upload fails."""

    def upload(spool: Path) -> bool:
        try:
            lines = _read_own(spool / SPOOL_FILE)
        except FileNotFoundError:
            return True  # killed before its first line: nothing to keep
        except OSError:
            return False  # left for the operator
        try:
            target = json.loads(_read_own(spool / SPOOL_TARGET))
        except (OSError, ValueError):
            return not lines  # lines no one can place are left for the operator
        if not isinstance(target, dict) or target.get("store") != store.root:
            return False  # another store's
        name = target.get("name")
        if not isinstance(name, str) or not _LEDGER_FILE.fullmatch(name):
            return False
        try:
            store.write_file(name, complete_lines(lines), CONTENT_TYPE)
            write_index(store, name, spool / SPOOL_FILE)
        except StoreError as exc:
            logger.warning("the ledger spool %s of a writer that was killed could not be "
                           "uploaded (kept): %s", spool, exc)
            return False
        logger.warning("uploaded %s, the ledger of a writer that was killed, from its spool",
                       name)
        return True

    return remove_abandoned(parent, SPOOL_PREFIX, upload)
