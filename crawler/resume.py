"""Runs that can be resumed: Scrapy's ``JOBDIR`` keeps the request queue and the requests
already seen; this module keeps, beside them, which run the directory belongs to, so a
resumed run's report names the run it continues, and whether that run closed it.

Scrapy writes where its queues stand only when the scheduler closes, while the requests it
has seen are written as they come. A process killed outright (SIGKILL, out of memory, the
machine lost) therefore leaves a directory whose queue has lost what was waiting, while
every one of those requests counts as seen: resumed as it is, the run would end at once,
its waiting pages neither fetched nor ledgered. Such a directory is started again instead
(:func:`begin`): its queue and seen list are cleared, so the sites are crawled from their
start URLs, and what the killed run stored is recognised (unchanged pages are not written
again, and answer a conditional request with 304 where the server keeps validators).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

#: the compliance file in a JOBDIR (Scrapy's own are requests.queue/, requests.seen, ...)
RUN_FILE = "compliance-run.json"
#: Scrapy's state in a JOBDIR that a killed run leaves untrustworthy
SCRAPY_STATE = ("requests.queue", "requests.seen")


@dataclass(frozen=True)
class Resumed:
    """The run a JOBDIR held (None: a new directory), and whether its process was killed
    before closing it, so this run starts its sites again."""

    run_id: str | None = None
    restarted: bool = False


def begin(jobdir: str, run_id: str) -> Resumed:
    """Start run ``run_id`` in ``jobdir``, open until :func:`end`; the run it continues,
    if the directory holds one. A directory a run left open is cleared of Scrapy's state
    first (see the module's docstring). A run that fails before it closes the directory,
    whatever the reason, leaves it open: the next starts its sites again (nothing lost)."""
    directory = Path(jobdir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / RUN_FILE
    previous: dict[str, object] = {}
    if path.is_file():
        try:
            found = json.loads(path.read_text())
            previous = found if isinstance(found, dict) else {}
        except (OSError, ValueError):
            previous = {}
    restarted = previous.get("open") is True
    if restarted:
        for name in SCRAPY_STATE:
            state = directory / name
            if state.is_dir():
                shutil.rmtree(state)
            else:
                state.unlink(missing_ok=True)
    _write(path, {"run_id": run_id, "open": True})
    previous_id = previous.get("run_id")
    return Resumed(previous_id if isinstance(previous_id, str) else None, restarted)


def end(jobdir: str, run_id: str) -> None:
    """The run closed ``jobdir``: Scrapy has written where its queues stand."""
    _write(Path(jobdir) / RUN_FILE, {"run_id": run_id, "open": False})


def _write(path: Path, record: dict[str, object]) -> None:
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(record) + "\n")
    staged.replace(path)
