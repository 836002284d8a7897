"""``crawler policy new URL`` and ``crawler policy check DIR``.

``policy new`` drafts a policy for a site (:mod:`crawler.policy.survey` fetches,
:mod:`crawler.policy.draft` writes); it is the only command that contacts a host without a
policy, and it stores nothing but the draft. ``policy check`` reports every problem of every
file of a policy directory in one pass (:func:`crawler.policy.loader.check_policies`) and,
with ``--verbose``, the license families of each policy expanded to the exact SPDX ids they
accept; with ``--record-terms`` it then reads each policy's terms page and records its
fingerprint in the file (:mod:`crawler.policy.record_terms`). Exit status: 0, or 2 for any
problem (usage, configuration, an unsafe target, an existing ``--out`` file), or 3 when the
site answered nothing at all (``--record-terms``: when some terms could not be recorded).

The ``crawler`` CLI wires this in with :func:`add_parser` and :func:`run`; :func:`main`
runs it alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from crawler import exit_status
from crawler.identity import ContactError, crawler_version, user_agent
from crawler.policy.draft import draft_policy
from crawler.policy.fetch import AddressRefused, Answer, GuardedFetcher
from crawler.policy.hosts import HostPatternError, normalize_host, url_port
from crawler.policy.loader import PolicyCheck, PolicyError, check_policies
from crawler.policy.model import SitePolicy
from crawler.policy.record_terms import FAILED as RECORD_FAILED
from crawler.policy.record_terms import record_terms
from crawler.policy.survey import ROBOTS_TOKEN, survey_site
from crawler.signals.license_patterns import parse_pattern
from crawler.signals.spdx_ids import lookup_spdx

PRIVATE_HELP = ("allow private, loopback and link-local addresses (test sites on loopback); "
                "cloud metadata addresses are refused always")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``policy new`` and ``policy check`` to the ``crawler`` command line."""
    policy = subparsers.add_parser("policy", help="draft a site policy, check a policy "
                                   "directory")
    sub = policy.add_subparsers(dest="policy_command", required=True)
    new = sub.add_parser(
        "new", help="draft a policy for a site from its robots.txt, signals, home page and "
        "terms (a few requests, robots.txt obeyed, nothing stored)")
    new.add_argument("url", help="the site's home page, e.g. https://docs.example.org/")
    new.add_argument("--out", metavar="FILE",
                     help="write the draft to FILE (never overwritten; default: stdout)")
    new.add_argument("--contact", help="the operator's contact, a URL or e-mail address, "
                     "sent in the User-Agent (required)")
    new.add_argument("--allow-private-networks", action="store_true", help=PRIVATE_HELP)
    check = sub.add_parser("check", help="report every problem of a policy directory, "
                           "with file:line, in one pass")
    check.add_argument("directory", help="the policy directory")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="also print each policy's accept lists, families expanded to "
                       "the exact SPDX ids they accept")
    check.add_argument("--allow-private-networks", action="store_true",
                       help="let policies name private, loopback and link-local hosts (and, "
                       "with --record-terms, contact them)")
    check.add_argument("--record-terms", action="store_true",
                       help="read each valid policy's terms page (tos.url; robots.txt obeyed, "
                       "one request a second) and write the fingerprint of its main text "
                       "into the file as tos.fingerprint")
    check.add_argument("--site", action="append", default=[], metavar="NAME",
                       help="with --record-terms: only this policy (name or host); a "
                       "fingerprint that no longer matches the page is replaced only for a "
                       "policy named here")
    check.add_argument("--contact", help="with --record-terms: the operator's contact, sent "
                       "in the User-Agent (required)")


def run(args: argparse.Namespace) -> int:
    """Run the ``policy`` subcommand ``args`` was parsed for."""
    if args.policy_command == "new":
        return run_new(args)
    if args.record_terms:
        return run_record_terms(args)
    if args.site or args.contact:
        return _fail("--site and --contact go with --record-terms")
    return run_check(args.directory, allow_private=args.allow_private_networks,
                     verbose=args.verbose)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crawler")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


def _fail(message: str, status: int = exit_status.CONFIG) -> int:
    print(f"crawler: {message}", file=sys.stderr)
    return status


# ---------------------------------------------------------------- policy check


def _ids(pattern: str) -> list[str]:
    """The SPDX ids a pattern selects, in the tables' spelling."""
    found = (lookup_spdx(i) for i in parse_pattern(pattern).spdx_ids)
    return sorted(lic.spdx for lic in found if lic is not None)


def expanded(policy: SitePolicy) -> list[str]:
    """Per purpose, each accepted pattern and, for a family, the SPDX ids it accepts for
    that purpose (an NC license is never accepted for commercial, even when listed)."""
    lines = [f"purposes: {', '.join(sorted(policy.purposes)) or '(none)'}"]
    for purpose, patterns in sorted(policy.licenses.accept.items()):
        lines.append(f"accept {purpose}:" + ("" if patterns else " (nothing)"))
        for text in sorted(patterns):
            ids = _ids(text)
            taken = [i for i in ids if policy.licenses.accepted(i, purpose)]
            if text.endswith("-*"):
                lines.append(f"  {text} = {len(taken)} license(s):")
                lines += textwrap.wrap(", ".join(taken), 96, break_on_hyphens=False,
                                       break_long_words=False, initial_indent="      ",
                                       subsequent_indent="      ")
            else:
                lines.append(f"  {text}")
            if len(taken) < len(ids):
                lines.append(f"      never accepted for {purpose}: {len(ids) - len(taken)} "
                             "NonCommercial license(s)")
    if policy.licenses.default:
        lines.append(f"default: {policy.licenses.default}")
    return lines


def run_check(directory: str | Path, *, allow_private: bool = False,
              verbose: bool = False) -> int:
    """Print every problem (stderr) and every valid policy (stdout); 2 if any problem."""
    return _print_check(check_policies(directory, allow_private=allow_private), verbose)


def _print_check(result: PolicyCheck, verbose: bool) -> int:
    for policy in result.policies:
        print(f"ok  {policy.name:<24} {', '.join(policy.hosts)}  ({policy.source})")
        if verbose:
            print("\n".join("    " + line for line in expanded(policy)))
    if result.problems:
        print(f"crawler: {PolicyError(result.problems)}", file=sys.stderr)
        return exit_status.CONFIG
    return exit_status.OK


def run_record_terms(args: argparse.Namespace) -> int:
    """``policy check DIR --record-terms``: the check, then each valid policy's terms page
    read and its fingerprint written into the file. 2 for any problem of the directory or
    the arguments, 3 when some policy's terms could not be recorded, else 0."""
    try:
        agent = user_agent(ROBOTS_TOKEN, args.contact)
    except ContactError as exc:
        return _fail(f"--record-terms: {exc}")
    result = check_policies(args.directory, allow_private=args.allow_private_networks)
    status = _print_check(result, args.verbose)
    if status != exit_status.OK:
        return _fail("no terms recorded: fix the problems above first", status)
    policies = result.policies
    known = {p.name.lower() for p in policies} | {
        h.removeprefix("*.") for p in policies for h in p.hosts}
    unknown = [s for s in args.site if s.lower() not in known]
    if unknown:
        return _fail(f"--site {unknown[0]!r}: no policy of {args.directory} has this name or host")
    fetcher = GuardedFetcher(agent, allow_private=args.allow_private_networks,
                             observer=_progress)
    outcomes = record_terms(policies, fetcher, named=args.site)
    for outcome in outcomes:
        print(f"terms  {outcome.line()}")
    failed = [o for o in outcomes if o.outcome in RECORD_FAILED]
    if failed:
        return _fail(f"terms not recorded for {len(failed)} policy file(s): "
                     + ", ".join(o.policy for o in failed), exit_status.SITES_FAILED)
    return exit_status.OK


# ---------------------------------------------------------------- policy new


def _check_url(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"{url!r} is not an http(s) URL with a host"
        normalize_host(parts.hostname)
    except (ValueError, HostPatternError) as exc:
        return f"{url!r} is not a URL: {exc}"
    if url_port(url) is None:
        return f"{url!r}: invalid port"
    return None


def _progress(answer: Answer) -> None:
    print(f"  GET {answer.url}: {answer.summary()}", file=sys.stderr)


def _write_new(path: str, text: str) -> str | None:
    """Create ``path`` with ``text``; never replace a file (or a symlink) already there."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return f"{path} exists: a draft never overwrites a file"
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return None


def run_new(args: argparse.Namespace) -> int:
    url = args.url.strip()
    problem = _check_url(url)
    if problem is not None:
        return _fail(problem)
    try:
        agent = user_agent(ROBOTS_TOKEN, args.contact)
    except ContactError as exc:
        return _fail(str(exc))
    if args.out and os.path.lexists(args.out):  # checked again, atomically, when writing
        return _fail(f"{args.out} exists: a draft never overwrites a file")
    if args.out and not os.path.isdir(os.path.dirname(args.out) or "."):
        return _fail(f"cannot write {args.out}: no such directory")
    fetcher = GuardedFetcher(agent, allow_private=args.allow_private_networks,
                             observer=_progress)
    print(f"crawler: surveying {url} as {agent}", file=sys.stderr)
    try:
        survey = survey_site(url, fetcher)
    except AddressRefused as exc:
        return _fail(f"refused, nothing was sent: {exc}")
    if not survey.answered:
        why = survey.robots.outcome() if survey.robots is not None else "no answer"
        return _fail(f"{survey.host} answered nothing ({why}): no draft written",
                     exit_status.SITES_FAILED)
    text = draft_policy(survey, today=date.today(),
                        agent=f"{ROBOTS_TOKEN}/{crawler_version()}")
    if survey.stopped:
        print(f"crawler: warning: {survey.stopped}", file=sys.stderr)
    if not args.out:
        sys.stdout.write(text)
        return exit_status.OK
    problem = _write_new(args.out, text)
    if problem is not None:
        return _fail(problem)
    print(f"crawler: wrote {args.out}: read the terms, fill in the tos: fields marked "
          f"TO FILL, then run: crawler policy check {Path(args.out).parent}", file=sys.stderr)
    return exit_status.OK


if __name__ == "__main__":
    sys.exit(main())
