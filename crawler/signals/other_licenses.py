"""Common open licenses that are not Creative Commons (MIT, Apache, BSD, GNU, Open Data
Commons): SPDX id, name, obligations, canonical URL and the URLs that name each one.

Pure (standard library only); the tables are built at import for the URL canonicalisation
(:mod:`crawler.signals.license_urls`), the SPDX index (:mod:`crawler.signals.spdx_ids`) and
:func:`crawler.signals.licenses.parse_license_ref`.
"""

from __future__ import annotations

from typing import Final

from crawler.signals.license_model import BY, SA, License

__all__ = ["OTHER_ALIASES", "OTHER_BY_SPDX", "OTHER_BY_URL_KEY", "OTHER_HOSTS"]

# (spdx, name, obligations, canonical url, url keys). A url key is host + path, lower case,
# without scheme, "www.", trailing slash and the file suffixes crawler.signals.license_urls
# strips (".html", ".txt", ...).
_OTHER_LICENSES: Final[tuple[tuple[str, str, frozenset[str], str, tuple[str, ...]], ...]] = (
    (
        "MIT",
        "MIT License",
        frozenset({BY}),
        "https://opensource.org/licenses/MIT",
        (
            "opensource.org/licenses/mit",
            "opensource.org/licenses/mit-license",
            "opensource.org/license/mit",
        ),
    ),
    (
        "Apache-2.0",
        "Apache License 2.0",
        frozenset({BY}),
        "https://www.apache.org/licenses/LICENSE-2.0",
        (
            "apache.org/licenses/license-2.0",
            "opensource.org/licenses/apache-2.0",
            "opensource.org/license/apache-2-0",
        ),
    ),
    (
        "BSD-2-Clause",
        'BSD 2-Clause "Simplified" License',
        frozenset({BY}),
        "https://opensource.org/licenses/BSD-2-Clause",
        ("opensource.org/licenses/bsd-2-clause", "opensource.org/license/bsd-2-clause"),
    ),
    (
        "BSD-3-Clause",
        'BSD 3-Clause "New" or "Revised" License',
        frozenset({BY}),
        "https://opensource.org/licenses/BSD-3-Clause",
        ("opensource.org/licenses/bsd-3-clause", "opensource.org/license/bsd-3-clause"),
    ),
    (
        "GPL-2.0-only",
        "GNU General Public License v2.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html",
        ("gnu.org/licenses/gpl-2.0", "gnu.org/licenses/old-licenses/gpl-2.0"),
    ),
    (
        "GPL-3.0-only",
        "GNU General Public License v3.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/gpl-3.0.html",
        ("gnu.org/licenses/gpl-3.0",),
    ),
    (
        "LGPL-3.0-only",
        "GNU Lesser General Public License v3.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/lgpl-3.0.html",
        ("gnu.org/licenses/lgpl-3.0",),
    ),
    (
        "AGPL-3.0-only",
        "GNU Affero General Public License v3.0 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/agpl-3.0.html",
        ("gnu.org/licenses/agpl-3.0",),
    ),
    (
        "GFDL-1.3-only",
        "GNU Free Documentation License v1.3 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/fdl-1.3.html",
        ("gnu.org/licenses/fdl-1.3",),
    ),
    (
        "GFDL-1.2-only",
        "GNU Free Documentation License v1.2 only",
        frozenset({BY, SA}),
        "https://www.gnu.org/licenses/old-licenses/fdl-1.2.html",
        ("gnu.org/licenses/fdl-1.2", "gnu.org/licenses/old-licenses/fdl-1.2"),
    ),
    (
        "ODbL-1.0",
        "Open Data Commons Open Database License v1.0",
        frozenset({BY, SA}),
        "https://opendatacommons.org/licenses/odbl/1-0/",
        (
            "opendatacommons.org/licenses/odbl",
            "opendatacommons.org/licenses/odbl/1.0",
            "opendatacommons.org/licenses/odbl/1-0",
        ),
    ),
    (
        "ODC-By-1.0",
        "Open Data Commons Attribution License v1.0",
        frozenset({BY}),
        "https://opendatacommons.org/licenses/by/1-0/",
        (
            "opendatacommons.org/licenses/by",
            "opendatacommons.org/licenses/by/1.0",
            "opendatacommons.org/licenses/by/1-0",
        ),
    ),
    (
        "PDDL-1.0",
        "Open Data Commons Public Domain Dedication & License 1.0",
        frozenset(),
        "https://opendatacommons.org/licenses/pddl/1-0/",
        (
            "opendatacommons.org/licenses/pddl",
            "opendatacommons.org/licenses/pddl/1.0",
            "opendatacommons.org/licenses/pddl/1-0",
        ),
    ),
)

# The "-or-later" GNU variants cannot be told apart by URL; they exist for lookup_spdx only.
# Deprecated bare SPDX ids ("GPL-3.0", "GPL-3.0+") resolve to the -only / -or-later entries.
_GNU_OR_LATER: Final[dict[str, str]] = {
    "GPL-2.0-only": "GPL-2.0-or-later",
    "GPL-3.0-only": "GPL-3.0-or-later",
    "LGPL-3.0-only": "LGPL-3.0-or-later",
    "AGPL-3.0-only": "AGPL-3.0-or-later",
    "GFDL-1.3-only": "GFDL-1.3-or-later",
    "GFDL-1.2-only": "GFDL-1.2-or-later",
}

OTHER_BY_URL_KEY: dict[str, License] = {}
OTHER_HOSTS: set[str] = set()
OTHER_BY_SPDX: dict[str, License] = {}  # upper-cased SPDX id -> License
OTHER_ALIASES: dict[str, License] = {}  # deprecated bare GNU id ("GPL-3.0", "GPL-3.0+") -> result


def _build_other_tables() -> None:
    for spdx, name, obligations, url, keys in _OTHER_LICENSES:
        lic = License(spdx=spdx, url=url, name=name, obligations=obligations)
        OTHER_BY_SPDX[spdx.upper()] = lic
        for key in keys:
            OTHER_BY_URL_KEY[key] = lic
            OTHER_HOSTS.add(key.split("/", 1)[0])
        later = _GNU_OR_LATER.get(spdx)
        if later is not None:
            later_lic = License(
                spdx=later,
                url=url,
                name=name.replace(" only", " or later"),
                obligations=obligations,
            )
            OTHER_BY_SPDX[later.upper()] = later_lic
            bare = spdx.removesuffix("-only").upper()
            OTHER_ALIASES[bare] = lic
            OTHER_ALIASES[bare + "+"] = later_lic


_build_other_tables()
