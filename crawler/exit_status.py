"""Exit statuses, the same for every command (the table in docs/operations.md): later
features add rows, never new meanings."""

from __future__ import annotations

OK = 0
#: some items could not be stored (or removed)
STORE_FAILURES = 1
#: usage or configuration error, before any request
CONFIG = 2
#: the crawl finished, but some sites failed
SITES_FAILED = 3
#: interrupted (SIGTERM/SIGINT), after a graceful flush
INTERRUPTED = 4
#: the fleet's Redis (``--redis``) could not be reached at the start (nothing was
#: crawled), or was lost during the run (the worker stopped; its unfinished requests go
#: back to the fleet's queue)
FLEET_UNAVAILABLE = 5
