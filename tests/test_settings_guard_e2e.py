"""A user's Scrapy project that enables the compliance addon cannot quietly undo it: the
Telnet console, remote control, or a gate moved or taken out of its chain stop the crawl
before any request, with a sentence naming the setting (real ``scrapy crawl`` runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTACT, page, refused_crawl, write_policy

SITE = "127.0.0.90"
_PKG = "crawler.scrapy_adapters"

LATE_ADDON = '''
class TelnetBackOn:
    """An addon loaded after the compliance addon that turns the Telnet console on."""
    def update_settings(self, settings):
        settings.set("TELNETCONSOLE_ENABLED", True, "addon")
'''


def _project(root: Path, policies: Path, store: Path, extra: str) -> Path:
    (root / "userproj").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = userproj.settings\n")
    (root / "userproj" / "__init__.py").write_text(LATE_ADDON)
    (root / "userproj" / "settings.py").write_text(
        'BOT_NAME = "userproj"\nSPIDER_MODULES = ["crawler.spiders"]\n'
        f'ADDONS = {{"{_PKG}.addon.ComplianceAddon": 0}}\n'
        f'COMPLIANCE_POLICIES = {str(policies)!r}\nCOMPLIANCE_STORE = {str(store)!r}\n'
        'COMPLIANCE_PURPOSE = "research"\nCOMPLIANCE_ALLOW_PRIVATE_NETWORKS = True\n'
        f'COMPLIANCE_CONTACT = {CONTACT!r}\n'
        + extra)
    return root


@pytest.mark.parametrize(("extra", "override", "named"), [
    ("", None, None),  # the control: the same project crawls
    ("TELNETCONSOLE_ENABLED = True\n", None, "TELNETCONSOLE_ENABLED is on"),
    ("REMOTE_CONTROL_ENABLED = True\n", None, "REMOTE_CONTROL_ENABLED is on"),
    # a component table in settings.py is merged with the addon's, which wins; from the
    # command line (or a spider's custom_settings) it outranks the addon
    ("", f'DOWNLOADER_MIDDLEWARES={{"{_PKG}.allowlist.AllowListMiddleware": null}}',
     "AllowListMiddleware"),
    ("", f'DOWNLOADER_MIDDLEWARES={{"{_PKG}.robots.RobotsGateMiddleware": 700}}',
     "RobotsGateMiddleware"),
    ("", f'ITEM_PIPELINES={{"{_PKG}.store.StorePipeline": 1}}', "StorePipeline"),
    ("", 'DOWNLOAD_HANDLERS={"https": "scrapy.core.downloader.handlers.http2.H2DownloadHandler"}',
     "DOWNLOAD_HANDLERS['https']"),
    (f'ADDONS = {{"{_PKG}.addon.ComplianceAddon": 0, "userproj.TelnetBackOn": 10}}\n', None,
     "TELNETCONSOLE_ENABLED is on"),  # a later addon: the guard extension sees it
])
def test_unsafe_project_settings_stop_the_crawl(serve, tmp_path: Path, extra: str,
                                                override: str | None, named: str | None) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies, store = tmp_path / "policies", tmp_path / "corpus"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    project = _project(tmp_path / "project", policies, store, extra)
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "corpus",
                           *(["-s", override] if override else [])], cwd=project,
                          capture_output=True, text=True, timeout=120)
    if named is None:
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert {h.path for h in server.hits} >= {"/robots.txt", "/"}
        return
    assert proc.returncode != 0
    assert "refusing to crawl with unsafe settings" in proc.stderr
    assert named in proc.stderr
    assert server.hits == []


def test_the_cli_refuses_with_one_line_and_exit_2(serve, tmp_path: Path) -> None:
    server = serve({SITE: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", SITE, [server.url(SITE, "/")])
    assert refused_crawl(policies, tmp_path / "corpus", "--contact", CONTACT,
                         "-s", "TELNETCONSOLE_ENABLED=True").startswith(
        "crawler: refusing to crawl with unsafe settings: TELNETCONSOLE_ENABLED is on")
    assert server.hits == []
