"""What a license is, for a training corpus: :class:`License` and its obligations.

Pure (standard library only). The tables that produce :class:`License` values live in
:mod:`crawler.signals.cc_licenses` and :mod:`crawler.signals.other_licenses`; this module is
kept free of them so both tables, and everything that only needs the type, can import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["BY", "CC_BASE", "CC_HOST", "NC", "ND", "OBLIGATION_TOKENS", "SA", "License"]

BY: Final = "BY"
SA: Final = "SA"
NC: Final = "NC"
ND: Final = "ND"
OBLIGATION_TOKENS: Final = frozenset({BY, SA, NC, ND})

CC_HOST: Final = "creativecommons.org"
CC_BASE: Final = "https://creativecommons.org/"


class UseTerms:
    """What a set of ``obligations`` allows; shared by a license and a versionless family."""

    obligations: frozenset[str]

    @property
    def allows_commercial(self) -> bool:
        """False for NonCommercial licenses."""
        return NC not in self.obligations

    @property
    def allows_derivatives(self) -> bool:
        """False for NoDerivatives licenses."""
        return ND not in self.obligations


@dataclass(frozen=True)
class License(UseTerms):
    """One concrete license.

    ``obligations`` is a subset of {"BY", "SA", "NC", "ND"}: BY = attribution / notice must be kept,
    SA = derivatives must carry the same (or a compatible) license (copyleft), NC = no commercial
    use, ND = no derivatives. Public-domain tools (CC0, PDM, PDDC, PDDL) have none.
    """

    spdx: str
    url: str
    name: str
    obligations: frozenset[str]

    @property
    def requires_attribution(self) -> bool:
        return BY in self.obligations

    @property
    def share_alike(self) -> bool:
        return SA in self.obligations

    @property
    def is_creative_commons(self) -> bool:
        return self.url.startswith(CC_BASE)
