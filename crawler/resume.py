"""Runs that can be resumed: Scrapy's ``JOBDIR`` keeps the request queue and the requests
already seen; this module keeps, beside them, which run the directory belongs to, so a
resumed run's report names the run it continues."""

from __future__ import annotations

import json
from pathlib import Path

#: the compliance file in a JOBDIR (Scrapy's own are requests.queue/, requests.seen, ...)
RUN_FILE = "compliance-run.json"


def begin(jobdir: str, run_id: str) -> str | None:
    """Start run ``run_id`` in ``jobdir``; the run it continues, if the directory holds one
    (a JOBDIR that Scrapy has not used yet starts afresh)."""
    directory = Path(jobdir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / RUN_FILE
    previous = None
    if path.is_file():
        try:
            previous = json.loads(path.read_text()).get("run_id")
        except (OSError, ValueError, AttributeError):
            previous = None
    path.write_text(json.dumps({"run_id": run_id}) + "\n")
    return previous
