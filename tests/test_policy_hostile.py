"""Policy files that are hostile or mistaken: loading stays fast, bounded and clear.

Every fault is one ``file:line: ...`` problem, never a hang, a traceback or gigabytes."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import CONTACT, run_cli
from test_policy_loader import GOOD, problems, write

from crawler.policy import loader
from crawler.policy.hosts import check_public_host
from crawler.policy.loader import MAX_POLICY_BYTES, PolicyError, load_policies
from crawler.policy.registry import PolicyRegistry
from crawler.policy.schema import MAX_CONCURRENCY, MAX_REQUESTS_PER_SECOND, MAX_RETENTION_DAYS


def problems_within(directory: Path, seconds: float = 5.0, **kwargs: bool) -> list[str]:
    """Load in a daemon thread, so a loader blocked on a FIFO fails the test instead of
    hanging it."""
    outcome: list[object] = []

    def load() -> None:
        try:
            load_policies(directory, **kwargs)
            outcome.append([])
        except PolicyError as exc:
            outcome.append([str(p) for p in exc.problems])
        except BaseException as exc:  # reported below, with its type
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"loading {directory} did not finish within {seconds} s"
    [result] = outcome
    assert isinstance(result, list), f"loading raised {result!r}"
    return result


def billion_laughs(levels: int = 10) -> str:
    """9**levels strings once expanded: 3.5 billion for 10 levels."""
    lines = ["hosts: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- YAML anchors and aliases


def test_billion_laughs_is_refused_fast_and_small(tmp_path: Path) -> None:
    write(tmp_path, "lol.yaml", billion_laughs())
    tracemalloc.start()
    start = time.perf_counter()
    try:
        found = problems(tmp_path)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == [f"{tmp_path}/lol.yaml:1: YAML syntax: anchors and aliases are not "
                     "allowed in a policy (&l0)"]
    assert elapsed < 2
    assert peak < 10 * 2**20, f"{peak} bytes allocated"


def test_an_alias_is_refused_at_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("purposes: [research]", "purposes: *research")
    assert problems(write(tmp_path, "site.yaml", text)) == [
        f"{tmp_path}/site.yaml:10: YAML syntax: anchors and aliases are not allowed in a "
        "policy (*research)"]


def test_merge_key_from_an_anchor_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("rate: {requests_per_second: 2, concurrency: 1}",
                        "slow: &slow {requests_per_second: 2}\nrate: {<<: *slow}")
    [message] = problems(write(tmp_path, "site.yaml", text))
    assert message.startswith(f"{tmp_path}/site.yaml:14: YAML syntax: anchors and aliases")


# ---------------------------------------------------------------- other YAML faults


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("reviewed: 2026-11-01", "reviewed: 2026-13-45", 6,
     "YAML syntax: invalid value: month must be in 1..12"),
    ("retention_days: 30", "retention_days: " + "9" * 5000, 19,
     "YAML syntax: invalid value: Exceeds the limit (4300 digits)"),
    ("crawling: allowed", "crawling: allowed\n  notes: " + "[" * 40 + "]" * 40, 9,
     "YAML syntax: nested deeper than 16 levels"),
    ("hosts: [docs.example.org]", "hosts: [docs.example.org", 4,
     "YAML syntax: while parsing a flow sequence: expected ',' or ']', but got ':'"),
])
def test_yaml_faults_are_one_line_problems(tmp_path: Path, old: str, new: str, line: int,
                                           message: str) -> None:
    [found] = problems(write(tmp_path, "site.yaml", GOOD.replace(old, new)))
    assert found.startswith(f"{tmp_path}/site.yaml:{line}: {message}"), found
    assert "\n" not in found


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(("field", "value", "message"), [
    ("requests_per_second", ".nan", "nan is not a finite number"),
    ("requests_per_second", ".inf", "inf is not a finite number"),
    ("requests_per_second", "-.inf", "-inf is not a finite number"),
    ("requests_per_second", "1.0e+9", "1000000000.0 is greater than the maximum of 1000"),
    ("requests_per_second", "1000000000", "1000000000 is greater than the maximum of 1000"),
    ("requests_per_second", "1000.5", "1000.5 is greater than the maximum of 1000"),
    ("requests_per_second", "-1", "-1 is less than or equal to the minimum of 0"),
    ("requests_per_second", "0", "0 is less than or equal to the minimum of 0"),
    ("requests_per_second", "1e9", "'1e9' is not of type 'number'"),  # YAML 1.1: a string
    ("concurrency", ".nan", "nan is not a finite number"),
    ("concurrency", "0", "0 is less than the minimum of 1"),
    ("concurrency", "65", "65 is greater than the maximum of 64"),
    ("concurrency", "-3", "-3 is less than the minimum of 1"),
])
def test_rates_must_be_finite_and_in_range(tmp_path: Path, field: str, value: str,
                                           message: str) -> None:
    rate = {"requests_per_second": "2", "concurrency": "1", field: value}
    text = GOOD.replace("rate: {requests_per_second: 2, concurrency: 1}",
                        "rate: {" + ", ".join(f"{k}: {v}" for k, v in rate.items()) + "}")
    assert problems(write(tmp_path, "site.yaml", text)) == [
        f"{tmp_path}/site.yaml:14: rate.{field}: {message}"]


@pytest.mark.parametrize(("value", "message"), [
    (".inf", "inf is not a finite number"),
    ("0", "0 is less than the minimum of 1"),
    ("-1", "-1 is less than the minimum of 1"),
    ("3651", "3651 is greater than the maximum of 3650"),
    ("1000000000", "1000000000 is greater than the maximum of 3650"),
])
def test_retention_days_must_be_in_range(tmp_path: Path, value: str, message: str) -> None:
    text = GOOD.replace("retention_days: 30", f"retention_days: {value}")
    assert problems(write(tmp_path, "site.yaml", text)) == [
        f"{tmp_path}/site.yaml:19: retention_days: {message}"]


def test_the_bounds_themselves_load(tmp_path: Path) -> None:
    text = GOOD.replace(
        "rate: {requests_per_second: 2, concurrency: 1}",
        f"rate: {{requests_per_second: {MAX_REQUESTS_PER_SECOND}, "
        f"concurrency: {MAX_CONCURRENCY}}}").replace(
        "retention_days: 30", f"retention_days: {MAX_RETENTION_DAYS}")
    [policy] = load_policies(write(tmp_path, "site.yaml", text))
    assert policy.rate.requests_per_second == MAX_REQUESTS_PER_SECOND
    assert policy.rate.concurrency == MAX_CONCURRENCY
    assert policy.retention_days == MAX_RETENTION_DAYS


def test_a_nan_in_defaults_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "_defaults.yaml", "rate: {requests_per_second: .nan}\n")
    write(tmp_path, "site.yaml", GOOD.replace(
        "rate: {requests_per_second: 2, concurrency: 1}\n", ""))
    [message] = problems(tmp_path)
    assert message.endswith("rate.requests_per_second: nan is not a finite number")


# ---------------------------------------------------------------- what is read


def test_fifo_named_yaml_is_refused_without_blocking(tmp_path: Path) -> None:
    write(tmp_path, "site.yaml", GOOD)
    os.mkfifo(tmp_path / "x.yaml")
    assert problems_within(tmp_path) == [f"{tmp_path}/x.yaml:1: not a regular file (a FIFO)"]


def test_fifo_as_defaults_is_refused_without_blocking(tmp_path: Path) -> None:
    write(tmp_path, "site.yaml", GOOD)
    os.mkfifo(tmp_path / "_defaults.yaml")
    assert problems_within(tmp_path) == [
        f"{tmp_path}/_defaults.yaml:1: not a regular file (a FIFO)"]


def test_fifo_swapped_in_after_the_check_is_refused(tmp_path: Path, monkeypatch) -> None:
    """os.stat sees a regular file, then a FIFO is opened: O_NONBLOCK and fstat catch it."""
    write(tmp_path, "site.yaml", GOOD)
    os.mkfifo(tmp_path / "x.yaml")
    real_stat = os.stat

    def stat_before_the_swap(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(path, str | os.PathLike) and os.fspath(path).endswith("/x.yaml"):
            path = tmp_path / "site.yaml"
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(loader.os, "stat", stat_before_the_swap)
    assert problems_within(tmp_path) == [f"{tmp_path}/x.yaml:1: not a regular file (a FIFO)"]


def test_directory_named_yaml_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "site.yaml", GOOD)
    (tmp_path / "x.yaml").mkdir()
    assert problems(tmp_path) == [f"{tmp_path}/x.yaml:1: not a regular file (a directory)"]


def test_configmap_symlinks_to_regular_files_load(tmp_path: Path) -> None:
    """The layout Kubernetes mounts a ConfigMap as: name -> ..data/name, ..data -> ..<stamp>."""
    stamp = tmp_path / "..2026_11_01_00_00_00.000000001"
    stamp.mkdir()
    write(stamp, "site.yaml", GOOD)
    write(stamp, "_defaults.yaml", "retention_days: 99\n")
    (tmp_path / "..data").symlink_to(stamp.name)
    for name in ("site.yaml", "_defaults.yaml"):
        (tmp_path / name).symlink_to(f"..data/{name}")
    [policy] = load_policies(tmp_path)
    assert policy.source == f"{tmp_path}/site.yaml"
    assert policy.retention_days == 30  # the policy's own value wins over the default


def test_symlinks_to_a_fifo_or_nowhere_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "site.yaml", GOOD)
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.yaml").symlink_to("pipe")
    (tmp_path / "b.yaml").symlink_to("missing.yaml")
    assert problems_within(tmp_path) == [
        f"{tmp_path}/a.yaml:1: not a regular file (a FIFO)",
        f"{tmp_path}/b.yaml:1: cannot read: No such file or directory"]


def test_file_size_limit(tmp_path: Path) -> None:
    padded = GOOD + "#" * (MAX_POLICY_BYTES - len(GOOD) - 1) + "\n"
    assert len(padded.encode()) == MAX_POLICY_BYTES
    [policy] = load_policies(write(tmp_path, "site.yaml", padded))
    assert policy.retention_days == 30
    write(tmp_path, "site.yaml", padded + "\n")
    assert problems(tmp_path) == [f"{tmp_path}/site.yaml:1: {MAX_POLICY_BYTES + 1} bytes: "
                                  f"a policy file has at most {MAX_POLICY_BYTES}"]


# ---------------------------------------------------------------- private targets


def only_host(host: str) -> str:
    return GOOD.replace("hosts: [docs.example.org]", f"hosts: ['{host}']").replace(
        "start_urls: [https://docs.example.org/]", "start_urls: []")


@pytest.mark.parametrize(("host", "why"), [
    ("169.254.169.254", "169.254.169.254 is a cloud metadata address"),
    ("100.100.100.200", "100.100.100.200 is a cloud metadata address"),
    ("10.0.0.1", "10.0.0.1 is a private address"),
    ("192.168.1.1", "192.168.1.1 is a private address"),
    ("127.0.0.1", "127.0.0.1 is a loopback address"),
    ("127.1", "127.0.0.1 is a loopback address"),
    ("2130706433", "127.0.0.1 is a loopback address"),
    ("169.254.1.1", "169.254.1.1 is a link-local address"),
    ("0.0.0.0", "0.0.0.0 is an unspecified address"),
    ("224.0.0.1", "224.0.0.1 is a multicast address"),
    ("240.0.0.1", "240.0.0.1 is a reserved address"),
    ("100.64.0.1", "100.64.0.1 is a non-public address"),
    ("localhost", "'localhost' is a private name (.localhost)"),
    ("api.localhost", "'api.localhost' is a private name (.localhost)"),
    ("metadata.google.internal", "'metadata.google.internal' is a private name (.internal)"),
    ("*.corp.internal", "'corp.internal' is a private name (.internal)"),
    ("printer.local", "'printer.local' is a private name (.local)"),
    ("nas.home.arpa", "'nas.home.arpa' is a private name (.home.arpa)"),
    ("metadata", "'metadata' is a single-label name, resolved through local search domains"),
])
def test_private_hosts_are_refused_unless_the_operator_allows(tmp_path: Path, host: str,
                                                              why: str) -> None:
    write(tmp_path, "site.yaml", only_host(host))
    assert problems_within(tmp_path, allow_private=False) == [
        f"{tmp_path}/site.yaml:3: hosts.0: {why}: refused unless the operator sets "
        "COMPLIANCE_ALLOW_PRIVATE_NETWORKS"]
    with pytest.raises(PolicyError):
        PolicyRegistry.from_directory(str(tmp_path), allow_private=False)
    assert len(PolicyRegistry.from_directory(str(tmp_path), allow_private=True)) == 1


def test_a_policy_cannot_allow_private_targets_itself(tmp_path: Path) -> None:
    write(tmp_path, "site.yaml", only_host("10.0.0.1") + "allow_private: true\n")
    found = problems_within(tmp_path, allow_private=False)
    assert f"{tmp_path}/site.yaml:20: allow_private: unknown key" in found


@pytest.mark.parametrize("host", ["example.org", "docs.example.org", "*.example.org",
                                  "93.184.216.34", "bücher.example"])
def test_public_hosts_load_with_private_targets_refused(tmp_path: Path, host: str) -> None:
    [policy] = load_policies(write(tmp_path, "site.yaml", only_host(host)), allow_private=False)
    assert len(policy.hosts) == 1


@pytest.mark.parametrize(("host", "why"), [
    ("::1", "::1 is a loopback address"),
    ("[::1]", "::1 is a loopback address"),
    ("fd00::1", "fd00::1 is a private address"),
    ("fd00:ec2::254", "fd00:ec2::254 is a cloud metadata address"),
    ("fe80::1", "fe80::1 is a link-local address"),
    ("::ffff:10.0.0.1", "10.0.0.1 is a private address"),
    ("::", ":: is an unspecified address"),
    ("ff02::1", "ff02::1 is a multicast address"),
    ("0x7f.1", "127.0.0.1 is a loopback address"),
    ("1.2.3.4.5", "'1.2.3.4.5' ends in a number but is not an IP address"),
    ("a\tb.example", "'a\\tb.example' is not a host name"),
])
def test_check_public_host_refusals(host: str, why: str) -> None:
    assert check_public_host(host) == why


@pytest.mark.parametrize("host", ["example.org", "93.184.216.34", "2606:4700::1111",
                                  "xn--bcher-kva.example", "local.example.org"])
def test_check_public_host_accepts_public_hosts(host: str) -> None:
    assert check_public_host(host) is None


# ---------------------------------------------------------------- through the CLI


def test_cli_reports_one_line_per_problem_and_exit_code_2(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    write(policies, "good.yaml", GOOD)
    write(policies, "lol.yaml", billion_laughs())
    write(policies, "nan.yaml", GOOD.replace("docs.example.org", "nan.example.org").replace(
        "requests_per_second: 2", "requests_per_second: .nan"))
    write(policies, "big.yaml", "#" * (MAX_POLICY_BYTES + 1))
    os.mkfifo(policies / "fifo.yaml")
    (policies / "dir.yaml").mkdir()
    proc = run_cli("validate", "--policies", str(policies), timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        "crawler: invalid site policies:",
        f"  {policies}/big.yaml:1: {MAX_POLICY_BYTES + 1} bytes: a policy file has at most "
        f"{MAX_POLICY_BYTES}",
        f"  {policies}/dir.yaml:1: not a regular file (a directory)",
        f"  {policies}/fifo.yaml:1: not a regular file (a FIFO)",
        f"  {policies}/lol.yaml:1: YAML syntax: anchors and aliases are not allowed in a "
        "policy (&l0)",
        f"  {policies}/nan.yaml:14: rate.requests_per_second: nan is not a finite number",
    ]


def test_private_hosts_need_the_operator_not_the_policy(serve, tmp_path: Path) -> None:
    """A crawl of a loopback site runs only with the operator's switch; without it the
    crawl stops before any request, with one line."""
    from conftest import page, write_policy

    site = "127.0.0.85"
    server = serve({site: {"/": page("home")}})
    policies = tmp_path / "policies"
    write_policy(policies, "site", site, [server.url(site, "/")])
    args = ("crawl", "--policies", str(policies), "--store", str(tmp_path / "c"),
            "--purpose", "research", "--contact", CONTACT)
    proc = run_cli(*args, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[1].endswith(
        f"hosts.0: {site} is a loopback address: refused unless the operator sets "
        "COMPLIANCE_ALLOW_PRIVATE_NETWORKS")
    assert server.hits_for(site) == []
    assert run_cli(*args, "--allow-private-networks", timeout=120).returncode == 0
    assert {h.path for h in server.hits_for(site)} >= {"/robots.txt", "/"}
