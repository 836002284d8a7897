"""An operator's mistakes, one table: every command given bad arguments, bad files, a
missing store or no permission prints one clear line and exits 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTACT, run_cli, write_policy

#: (arguments, words of the last line on stderr); {tmp} is the test's folder
MISTAKES: list[tuple[list[str], str]] = [
    (["crawl", "--policies", "{tmp}/nosuch", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT], "policy directory not found"),
    (["crawl", "--policies", "{tmp}/bad", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT], "'retention_days' is required"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT, "--site", "nosuch"], "no policy matches"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT, "-s", "CONCURRENT_REQUESTS=abc"], "could not start"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "research"],
     "contact is required"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT, "--resume", "/proc/nope"], "cannot use /proc/nope"),
    (["crawl", "--policies", "{tmp}/good", "--store", "/proc/nope", "--purpose", "research",
      "--contact", CONTACT], "cannot open local store /proc/nope"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "fun",
      "--contact", CONTACT], "invalid choice: 'fun'"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT, "--idle-exit", "5"], "--idle-exit needs --redis"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT, "--redis", "redis://127.0.0.1:1/0", "--idle-exit", "-1"],
     "--idle-exit must be a positive number"),
    (["crawl", "--policies", "{tmp}/good", "--store", "{tmp}/c", "--purpose", "research",
      "--contact", CONTACT, "--redis", "redis://127.0.0.1:1/0", "--resume", "{tmp}/j"],
     "--resume and --redis do not mix"),
    (["export", "{tmp}/nosuch", "--out", "{tmp}/o"], "no store at"),
    (["export", "{tmp}/store", "--out", "{tmp}/o", "--license", "CC-BY-99"], "--license"),
    (["explain", "http://a.test/", "--store", "{tmp}/nosuch"], "no store at"),
    (["explain", "http://a.test/", "--ledger", "{tmp}/nosuch.jsonl"], "no ledger file"),
    (["purge", "--store", "{tmp}/nosuch", "--url", "http://a.test/"], "no store at"),
    (["purge", "--store", "{tmp}/store", "--expired"], "needs --policies"),
    (["purge", "--store", "{tmp}/store", "--expired", "--policies", "{tmp}/good",
      "--ledger-keep", "3x"], "is not a period"),
    (["unsuppress", "--store", "{tmp}/store", "--url", "http://a.test/"], "is not suppressed"),
    (["report", "--store", "{tmp}/nosuch"], "no store at"),
    (["report", "--store", "{tmp}/store", "--run", "nosuchrun"], "nosuchrun"),
    (["policy", "check", "{tmp}/nosuch"], "policy directory not found"),
    (["policy", "check", "{tmp}/bad"], "'retention_days' is required"),
    (["policy", "new", "not-a-url", "--contact", CONTACT], "not an http(s) URL"),
    (["validate", "--policies", "{tmp}/bad"], "'retention_days' is required"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("mistakes")
    (tmp / "bad").mkdir()
    (tmp / "bad" / "site.yaml").write_text("name: site\n")
    write_policy(tmp / "good", "site", "site.example", ["https://site.example/"])
    from crawler.storage.local import LocalStore

    LocalStore(tmp / "store").close()  # an empty store
    return tmp


@pytest.mark.parametrize(("args", "words"), MISTAKES,
                         ids=[" ".join(a[:2]) + f" #{i}" for i, (a, _w) in enumerate(MISTAKES)])
def test_a_mistake_is_one_line_and_exit_2(folder: Path, args: list[str], words: str) -> None:
    proc = run_cli(*(a.replace("{tmp}", str(folder)) for a in args), timeout=60)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert words in proc.stderr.strip().splitlines()[-1], proc.stderr[-1000:]
