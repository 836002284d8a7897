"""Refuse to crawl with settings that open the crawl to others or take its gates away.

The addon's own settings have Scrapy's ``addon`` priority, below a project's and the
command line's, so a user's ``settings.py`` can turn the Telnet console back on (anyone on
the machine can then drive the crawl; its password is logged), drop a gate from
``DOWNLOADER_MIDDLEWARES`` or send a ``USER_AGENT`` that hides the operator's contact.
The addon cannot win that contest, and should not silently try: it checks the final
values and stops the crawl, before any request, with a sentence that names each setting
to change.

:func:`unsafe_settings` is checked twice: by the addon once its own settings are in (a
clear error as early as possible), and by :class:`SettingsGuard`, an extension built after
every addon has had its turn, just before Scrapy freezes the settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from crawler.identity import ContactError, normalize_contact
from crawler.scrapy_adapters.components import required_settings

#: settings that must be off: (name, why)
MUST_BE_OFF = (
    ("TELNETCONSOLE_ENABLED", "the Telnet console lets anyone who can reach it control the "
                              "crawl, and its password is logged"),
    ("REMOTE_CONTROL_ENABLED", "remote control runs code sent to it"),
)


class UnsafeSettingsError(ValueError):
    """The crawl's final settings are unsafe; the message lists each problem."""


def unsafe_settings(settings: BaseSettings,
                    required: Iterable[tuple[str, str, Any]]) -> list[str]:
    """Each problem with the final ``settings``, as a sentence. ``required``: (setting,
    key, value) triples that must hold in the setting's dict (with Scrapy's ``_BASE``
    merged): the gates in their chains, the compliance download handlers."""
    problems = [f"{name} is on: {why}; set it to False"
                for name, why in MUST_BE_OFF if settings.getbool(name)]
    try:
        contact = normalize_contact(settings.get("COMPLIANCE_CONTACT"))
    except ContactError as exc:
        problems.append(str(exc))
    else:
        if contact not in (settings.get("USER_AGENT") or ""):
            problems.append(f"USER_AGENT {settings.get('USER_AGENT')!r} does not carry the "
                            f"operator's contact {contact}: remove your USER_AGENT")
    for name, key, value in required:
        actual = settings.getwithbase(name).get(key)
        if actual != value:
            problems.append(f"{name}[{key!r}] is {actual!r}, the compliance gates need "
                            f"{value!r}: remove your override")
    return problems


def check(settings: BaseSettings, required: Iterable[tuple[str, str, Any]]) -> None:
    problems = unsafe_settings(settings, required)
    if problems:
        raise UnsafeSettingsError("refusing to crawl with unsafe settings: "
                                  + "; ".join(problems))


class SettingsGuard:
    """Extension: checks the settings as Scrapy will freeze them, then stands aside."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SettingsGuard:
        check(crawler.settings, required_settings())
        raise NotConfigured  # nothing to do while the crawl runs
