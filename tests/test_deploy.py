"""deploy/: the Dockerfile, the Kubernetes CronJobs and the systemd units pass their linters,
and the exact crawl and purge command lines they run work against a local site."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CONTACT, REPO, page, write_policy

from crawler.jsonl import read_jsonl
from crawler.storage.base import manifest_view

DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
K8S = DEPLOY / "k8s-cronjob.yaml"
UNITS = ("crawler.service", "crawler.timer", "crawler-purge.service", "crawler-purge.timer")
SERVICES = tuple(name for name in UNITS if name.endswith(".service"))
SITE = "127.0.0.75"
#: the oldest Kubernetes the manifests target (podFailurePolicy is GA from 1.31), and the
#: newest kubernetes-validate knows
K8S_VERSIONS = ("1.31.0", None)


def tool(name: str) -> str:
    """A linter from the venv (the test extra) or the system; missing is a failure."""
    found = shutil.which(name, path=os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", ""), "/usr/bin"]))
    assert found, f"{name} not found: pip install -e '.[test]' (systemd-analyze: systemd)"
    return found


def run(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kwargs)


# -- reading the files -------------------------------------------------------------------

def dockerfile_final_stage() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the last build stage, continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    text = re.sub(r"\\\n(?:\s*#.*\n)*", " ", DOCKERFILE.read_text())
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            instructions = []
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def dockerfile(keyword: str) -> str:
    """The arguments of the final stage's last ``keyword`` instruction (the one in force)."""
    values = [v for k, v in dockerfile_final_stage() if k == keyword]
    assert values, f"no {keyword} in the final stage of {DOCKERFILE}"
    return values[-1]


def cronjobs() -> dict[str, dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(K8S.read_text()) if d]
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "CronJob"}


def pod_spec(job: dict[str, Any]) -> dict[str, Any]:
    return job["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def unit(name: str) -> list[tuple[str, str, str]]:
    """(section, key, value) of a unit file, in order (keys may repeat)."""
    entries, section = [], ""
    for line in (DEPLOY / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.append((section, key, value))
    return entries


def unit_values(name: str, key: str) -> list[str]:
    return [v for _, k, v in unit(name) if k == key]


# -- linters -----------------------------------------------------------------------------

def test_dockerfile_passes_hadolint(tmp_path: Path) -> None:
    config = tmp_path / "hadolint.yaml"  # no config from the user's home or the cwd
    config.write_text("failure-threshold: style\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    proc = run(tool("hadolint"), "--config", str(config), "--no-color", str(DOCKERFILE),
               cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")


def test_dockerfile_runs_crawler_unprivileged_with_one_volume() -> None:
    stage = dockerfile_final_stage()
    assert json.loads(dockerfile("ENTRYPOINT")) == ["crawler"]
    assert json.loads(dockerfile("VOLUME")) == ["/corpus"]
    uid, _, gid = dockerfile("USER").partition(":")
    assert uid.isdigit() and int(uid) >= 1000 and gid.isdigit()
    base = stage[0][1].split()[0]
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base)
    text = DOCKERFILE.read_text()
    assert all("--no-cache-dir" in line for line in text.splitlines() if "pip install" in line)
    assert not re.search(r"(?im)^\s*(ENV|ARG)\b.*(AWS_|SECRET|TOKEN|PASSWORD)", text)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_manifests_pass_kubernetes_validate_strict(version: str | None) -> None:
    flags = ["--kubernetes-version", version] if version else []
    proc = run(tool("kubernetes-validate"), "--strict", *flags, str(K8S))
    lines = (proc.stdout + proc.stderr).splitlines()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    documents = [d for d in yaml.safe_load_all(K8S.read_text()) if d]
    assert len(lines) == len(documents) == 3  # a PVC and two CronJobs, each "passed"
    assert all(line.startswith("INFO ") and " passed for resource " in line for line in lines)


def test_cronjobs_are_bounded_and_locked_down() -> None:
    uid, _, gid = dockerfile("USER").partition(":")
    jobs = cronjobs()
    assert set(jobs) == {"compliance-crawler", "compliance-crawler-purge"}
    for job in jobs.values():
        spec, pod = job["spec"], pod_spec(job)
        assert spec["concurrencyPolicy"] == "Forbid"
        assert spec["startingDeadlineSeconds"] > 0
        assert spec["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0
        assert pod["terminationGracePeriodSeconds"] >= 120
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) \
            == (int(uid), int(gid))
        [container] = pod["containers"]
        assert "command" not in container  # the image's ENTRYPOINT runs the args
        assert set(container["resources"]) == {"requests", "limits"}
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert {"secretRef": {"name": "crawler-s3", "optional": True}} in container["envFrom"]
        assert not any(e["name"].startswith("AWS_") for e in container.get("env", []))
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
        assert "emptyDir" in mounts["/tmp"]
        assert "configMap" in mounts["/policies"]


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify checks that ExecStart's program exists: the copies run a stub at the same
    # path under tmp_path; every other line is as written
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        for program in {v.split()[0] for v in unit_values(name, "ExecStart")}:
            stub = tmp_path / program.lstrip("/")
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("#!/bin/sh\n")
            stub.chmod(0o755)
            text = text.replace(f"ExecStart={program} ", f"ExecStart={stub} ")
        (tmp_path / name).write_text(text)
    env = {**os.environ, "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""}
    analyze = tool("systemd-analyze")
    proc = run(analyze, "verify", "--man=no", "--generators=no", *UNITS, cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")
    for name in SERVICES:  # and the sandboxing is kept (exposure <= 2.0)
        proc = run(analyze, "security", "--offline=yes", "--threshold=20", "--no-pager",
                   name, cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr


def test_units_are_oneshot_sandboxed_and_keep_secrets_out() -> None:
    for name in SERVICES:
        service = {k: v for s, k, v in unit(name) if s == "Service"}
        assert service["Type"] == "oneshot"
        assert service["User"] == "crawler"
        assert service["KillSignal"] == "SIGTERM"
        assert service["TimeoutStopSec"] == "120s"
        assert service["EnvironmentFile"].startswith("/etc/")
        assert service["ProtectSystem"] == "strict"
        assert service["NoNewPrivileges"] == service["PrivateTmp"] == "yes"
        assert not any("AWS_" in v for v in unit_values(name, "Environment"))
        assert "AWS_" not in " ".join(unit_values(name, "ExecStart"))
    for timer in ("crawler.timer", "crawler-purge.timer"):
        assert unit_values(timer, "OnCalendar") and unit_values(timer, "Persistent") == ["true"]


# -- the command lines, run ---------------------------------------------------------------

def configmap_volume(root: Path, source: Path, generation: int) -> None:
    """``source``'s files laid out as the kubelet mounts a ConfigMap: each name a symlink
    through ``..data`` into a timestamped folder, swapped whole on an update."""
    data = root / f"..2026_12_01_00_00_0{generation}.000000000"
    data.mkdir(parents=True)
    for file in source.iterdir():
        shutil.copy(file, data / file.name)
        if not (root / file.name).is_symlink():
            (root / file.name).symlink_to(Path("..data") / file.name)
    link = root / "..data_tmp"
    link.symlink_to(data.name)
    link.replace(root / "..data")


def reroot(word: str, root: Path) -> str:
    """An absolute path of the deployed system, under ``root`` here."""
    return str(root / word.lstrip("/")) if word.startswith("/") else word


def local_argv(argv: list[str], root: Path) -> list[str]:
    """The deployed command line, run here: the ``crawler`` entry point as this Python's
    module, paths under ``root``, and loopback allowed for the test site."""
    program, command, *rest = argv
    assert Path(program).name == "crawler" and command in ("crawl", "purge")
    return [sys.executable, "-m", "crawler.cli", command, "--allow-private-networks",
            *(reroot(word, root) for word in rest)]


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def run_deployed(argv: list[str], cwd: Path, tmpdir: Path) -> subprocess.CompletedProcess[str]:
    tmpdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COMPLIANCE_"))}
    proc = subprocess.run(argv, cwd=cwd, env={**env, "TMPDIR": str(tmpdir)},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc


def stored_urls(store: Path) -> set[str]:
    return {e["url"] for e in manifest_view(read_jsonl(store / "manifest.jsonl"))}


def check_crawl_then_purge(serve, tmp_path: Path, crawl: list[str], purge: list[str],
                           contact: str, cwd: Path, tmpdir: Path) -> None:
    """Crawl the test site with the deployed crawl line, retire its policy, and check
    the deployed purge line removes what was stored."""
    server = serve({SITE: {"/": page("home", links=("/a",)), "/a": page("a")}})
    source = tmp_path / "policies-source"
    write_policy(source, "site", SITE, [server.url(SITE, "/")])
    policies, store = Path(option(crawl, "--policies")), Path(option(crawl, "--store"))
    assert (Path(option(purge, "--policies")), Path(option(purge, "--store"))) \
        == (policies, store)
    configmap_volume(policies, source, 1)

    proc = run_deployed(crawl, cwd, tmpdir)
    assert stored_urls(store) == {server.url(SITE, "/"), server.url(SITE, "/a")}, proc.stdout
    assert {h.headers.get("User-Agent", "").split("(+")[-1] for h in server.hits} \
        == {f"{contact})"}
    assert list(tmpdir.iterdir()) == []  # the temporary frontier was removed

    write_policy(source, "site", SITE, [server.url(SITE, "/")], retired=True)
    configmap_volume(policies, source, 2)
    proc = run_deployed(purge, cwd, tmpdir)
    assert "2 item(s) removed, 0 failed" in proc.stdout
    assert stored_urls(store) == set()


def test_kubernetes_crawl_and_purge_run_as_written(serve, tmp_path: Path) -> None:
    root = tmp_path / "pod"
    entrypoint = json.loads(dockerfile("ENTRYPOINT"))
    lines = {}
    for job in cronjobs().values():
        [container] = pod_spec(job)["containers"]
        env = {e["name"]: e["value"] for e in container.get("env", [])}
        args = [re.sub(r"\$\((\w+)\)", lambda m, env=env: env[m[1]], a)
                for a in container["args"]]
        lines[args[0]] = local_argv(entrypoint + args, root)
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        # what the command writes and reads is on the pod's volumes, as mounted
        assert mounts[option(args, "--policies")].get("readOnly") is True
        assert not mounts[option(args, "--store")].get("readOnly")
        assert json.loads(dockerfile("VOLUME")) == [option(args, "--store")]
    contact = option(lines["crawl"], "--contact")
    assert contact != CONTACT and "$" not in contact
    check_crawl_then_purge(serve, tmp_path, lines["crawl"], lines["purge"], contact,
                           cwd=root, tmpdir=root / "tmp")


def test_systemd_crawl_and_purge_run_as_written(serve, tmp_path: Path) -> None:
    root = tmp_path / "host"
    # the operator's environment file supplies the contact (and S3 settings, unused here)
    lines, cwd = {}, root
    for name in SERVICES:
        env = dict(item.split("=", 1) for value in unit_values(name, "Environment")
                   for item in shlex.split(value))
        env["COMPLIANCE_CONTACT"] = CONTACT
        [exec_start] = unit_values(name, "ExecStart")
        argv = [re.sub(r"\$\{(\w+)\}", lambda m, env=env: env[m[1]], word)
                for word in shlex.split(exec_start)]
        assert not any("$" in word for word in argv)
        # the store is in the StateDirectory: writable under ProtectSystem=strict
        [state] = unit_values(name, "StateDirectory")
        assert Path(option(argv, "--store")).is_relative_to(Path("/var/lib", state))
        [workdir] = unit_values(name, "WorkingDirectory")
        cwd = Path(reroot(workdir, root))
        cwd.mkdir(parents=True, exist_ok=True)  # systemd creates the StateDirectory
        lines[argv[1]] = local_argv(argv, root)
    check_crawl_then_purge(serve, tmp_path, lines["crawl"], lines["purge"], CONTACT,
                           cwd=cwd, tmpdir=root / "tmp")
