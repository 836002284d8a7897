"""The reference tables of docs/ hold to the code: the command line table lists every
command and every option `crawler … --help` has, the exit status table every status of
crawler/exit_status.py, the reason code table only codes the code emits; every `crawler`
command written in README.md or docs/ uses options that exist; the README's example
policy passes the loader, and its install section names what `make test` installs."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from markdown_doc import DOCS, REPO, code, markdown_files, section, table_rows

from crawler import exit_status
from crawler.cli import main
from crawler.policy.loader import check_policies

OPTION = re.compile(r"(?<![\w/.:=+-])(--?[A-Za-z][\w-]*)")
#: where a command written in a code block ends: shell operators and comments
COMMAND_END = re.compile(r"\s(?:&&|\|\|?|;|>>?|2>|#)(?:\s|$)")
COMMAND = re.compile(r"(?:^|(?<=[\s/=]))crawler\s+([a-z][a-z-]*)(?:\s+([a-z][a-z-]*))?")


def help_text(*argv: str) -> str:
    """``crawler ARGV --help``, as printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return out.getvalue()


def subcommands(*argv: str) -> list[str]:
    """The subcommands ``crawler ARGV --help`` lists (``{crawl,demo,…}``)."""
    usage = help_text(*argv)
    match = re.search(r"\{([\w,-]+)\}", usage)
    assert match, usage
    return match.group(1).split(",")


def commands() -> list[str]:
    """Every command, with the policy subcommands spelt out: ``policy new``, …"""
    found = []
    for name in subcommands():
        nested = help_text(name)
        if re.search(r"^positional arguments:\n\s+\{", nested, re.M):
            found += [f"{name} {sub}" for sub in subcommands(name)]
        else:
            found.append(name)
    return found


def options(command: str) -> list[set[str]]:
    """The options of one command, each as the set of its spellings (``{"-s", "--set"}``),
    ``--help`` left out."""
    found = []
    text = help_text(*command.split())
    for line in text.split("\noptions:\n", 1)[1].splitlines():
        if re.match(r"^  -", line):
            invocation = re.split(r"\s{2,}", line.strip())[0]
            spellings = {part.split()[0] for part in invocation.split(", ")}
            if spellings != {"-h", "--help"}:
                found.append(spellings)
    return found


def cli_table() -> dict[str, str]:
    """The command line table of docs/operations.md: command → the whole row."""
    rows = table_rows(section(DOCS / "operations.md", "Command line"))
    table: dict[str, str] = {}
    for row in rows:
        match = re.match(r"`crawler ((?:policy )?[a-z]+)", row[0])
        assert match, f"a row that is not a crawler command: {row[0]}"
        assert match.group(1) not in table, f"two rows for crawler {match.group(1)}"
        table[match.group(1)] = " ".join(row)
    return table


def test_command_line_table_lists_every_command() -> None:
    assert sorted(cli_table()) == sorted(commands())


@pytest.mark.parametrize("command", commands())
def test_command_line_table_names_every_option(command: str) -> None:
    row = cli_table().get(command, "")
    written = set(OPTION.findall(row))
    missing = [" / ".join(sorted(s)) for s in options(command) if not s & written]
    assert missing == [], f"crawler {command}: options missing from docs/operations.md"


def test_exit_status_table_lists_every_status() -> None:
    statuses = {value for name, value in vars(exit_status).items()
                if name.isupper() and isinstance(value, int)}
    rows = table_rows(section(DOCS / "operations.md", "Exit status"))
    assert sorted(int(row[0]) for row in rows) == sorted(statuses)


def _without_parentheses(text: str) -> str:
    return re.sub(r"\((?:[^()]|\([^()]*\))*\)", "", text)


def _literal(text: str, source: str) -> bool:
    return f'"{text}"' in source or f"'{text}'" in source


def test_reason_codes_are_emitted_by_the_code() -> None:
    """Each reason the table lists (outside its parenthesised remarks) is a string literal
    somewhere in crawler/, or an f-string prefix and a literal rest (``f"signal_file_{state}"``
    and ``"unreadable"``): a renamed or removed reason fails here."""
    rows = table_rows(section(DOCS / "storage-and-outputs.md", "Reason codes"))
    reasons = {code for row in rows
               for code in re.findall(r"`([a-z][a-z_]*)`", _without_parentheses(row[1]))}
    assert len(reasons) > 50
    source = "\n".join(p.read_text() for p in (REPO / "crawler").rglob("*.py"))
    prefixes = set(re.findall(r"""f["']([a-z][a-z_]*_)\{""", source))
    missing = sorted(r for r in reasons if not _literal(r, source) and not any(
        r.startswith(p) and _literal(r[len(p):], source) for p in prefixes))
    assert missing == []


def written_commands() -> list[tuple[str, int, str]]:
    """(file, line, text) of every ``crawler COMMAND …`` in a code block or code span of
    README.md and docs/, the text cut at a shell operator or comment."""
    found = []
    for path in markdown_files():
        for number, text in code(path):
            for match in COMMAND.finditer(text):
                rest = text[match.start():]
                end = COMMAND_END.search(rest)
                found.append((str(path.relative_to(REPO)), number,
                              rest[:end.start()] if end else rest))
    return found


def test_commands_in_the_docs_use_real_options() -> None:
    known = {c: set().union(*options(c)) | {"-h", "--help"} for c in commands()}
    wrong = []
    assert len(written_commands()) > 40
    for where, number, text in written_commands():
        match = COMMAND.match(text)
        assert match is not None
        first, second = match.group(1), match.group(2)
        command = f"{first} {second}" if f"{first} {second}" in known else first
        if command not in known:
            wrong.append(f"{where}:{number}: unknown command: {text}")
            continue
        for option in OPTION.findall(text[match.end():] if second and command == first
                                     else text):
            for spelling in option.split("/"):
                if spelling.startswith("-") and spelling not in known[command]:
                    wrong.append(f"{where}:{number}: crawler {command} has no {spelling}")
    assert wrong == []


def test_the_readme_example_policy_is_valid(tmp_path: Path) -> None:
    """The policy of the README's "A first crawl" loads without a problem, in the directory
    and under the file name the README gives it."""
    text = section(REPO / "README.md", "A first crawl")
    where = re.search(r"\(`([\w-]+)/([\w-]+\.yaml)`\)", text)
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert where and block
    directory = tmp_path / where.group(1)
    directory.mkdir()
    (directory / where.group(2)).write_text(block.group(1))
    result = check_policies(directory)
    assert result.problems == []
    assert [p.hosts for p in result.policies] == [("docs.example.org",)]
    assert f"crawler policy check {where.group(1)}" in text
    assert f"--policies {where.group(1)}" in text


def test_the_readme_says_what_make_test_installs() -> None:
    """The README's two commands are the Makefile's, and it names every Debian package
    `make test` installs with apt-get."""
    makefile = (REPO / "Makefile").read_text()
    text = section(REPO / "README.md", "Install and try it")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make demo" in text and "make test" in text
    test_rule = re.search(r"^test:(.*)$", makefile, re.M)
    assert test_rule
    packages = []
    for variable in re.findall(r"\$\((\w+)\)", test_rule.group(1)):
        rule = re.search(rf"^\$\({variable}\):\n\t(.*)$", makefile, re.M)
        if rule:
            packages += re.findall(r"apt-get install -y -q ([\w.+-]+)", rule.group(1))[:1]
    assert packages
    assert [p for p in packages if f"`{p}`" not in text] == []

