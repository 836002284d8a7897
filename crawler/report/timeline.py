"""The request rate over a run: counts per second binned into at most :data:`MAX_BINS`
bars, whatever the run's length (a second for a short test run, a day for a long one)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

#: at most this many bars in the request-rate chart; the bin is the smallest of BINS
#: (seconds) that fits the run
MAX_BINS = 120
BINS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
        43200, 86400)


@dataclass
class Series:
    """Requests per bin of ``bin_seconds``, the first bin starting at ``start`` (UTC)."""

    start: datetime
    bin_seconds: int
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)


def epoch(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return math.floor((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def series(per_second: Mapping[int, int], first: int | None = None,
           last: int | None = None) -> Series:
    """Bin counts per second (epoch seconds) into at most :data:`MAX_BINS` bins spanning
    ``first`` to ``last`` (default: the first and last second counted)."""
    seconds = sorted(per_second)
    lo = min([s for s in (first, *seconds[:1]) if s is not None], default=0)
    hi = max([s for s in (last, *seconds[-1:]) if s is not None], default=lo)
    step = next((b for b in BINS if (hi - (lo - lo % b)) // b < MAX_BINS),
                BINS[-1] * math.ceil((hi - lo + 1) / (BINS[-1] * (MAX_BINS - 1))))
    start = lo - lo % step
    counts = [0] * ((hi - start) // step + 1)
    for second, n in per_second.items():
        counts[(second - start) // step] += n
    return Series(datetime.fromtimestamp(start, UTC), step, counts)
