"""Docs come from code (STYLE.md 14): every command has help with an Example block whose
lines are real invocations, and README.md mentions every command."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from sizer.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def _example_lines(command: click.Command) -> list[str]:
    """The lines of the ``Example:`` block of a command's docstring (indented, after \\b)."""
    help_text = command.help or ""
    assert "Example:" in help_text
    block = help_text.split("Example:", 1)[1]
    lines: list[str] = []
    continued = False
    for line in block.splitlines()[1:]:
        if not line.strip():
            break
        if continued:  # the previous line ended with a shell continuation backslash
            lines[-1] = lines[-1].removesuffix("\\").rstrip() + " " + line.strip()
        else:
            lines.append(line.strip())
        continued = line.rstrip().endswith("\\")
    return lines


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_a_summary_and_an_example(name: str) -> None:
    command = cli.commands[name]
    summary = (command.help or "").strip().splitlines()[0]
    assert summary and summary[0].isupper(), f"{name}: help starts with a one-line summary"
    examples = _example_lines(command)
    assert examples, f"{name}: Example: block is empty"
    for line in examples:
        assert line.startswith(f"sizer {name}"), f"{name}: {line!r}"


@pytest.mark.parametrize("name", COMMANDS)
def test_example_block_is_kept_verbatim(name: str) -> None:
    """Without the \\b marker click rewraps the example lines into one paragraph."""
    help_text = cli.commands[name].help or ""
    assert re.search(r"\x08[ \t]*\n[ \t]*Example:", help_text), name


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_mentions_command(name: str) -> None:
    assert f"sizer {name}" in README, f"README.md does not mention `sizer {name}`"


def test_readme_options_exist() -> None:
    """Options the README's command table shows for a command are real options of it."""
    for name, opts in re.findall(r"\|\s*`sizer (\w+)([^`]*)`", README):
        if name not in cli.commands:
            continue
        params = {o for p in cli.commands[name].params for o in getattr(p, "opts", [])}
        for opt in re.findall(r"--[a-z][a-z-]*", opts):
            assert opt in params, f"README: `sizer {name}` has no option {opt}"


def test_readme_explains_editor_support() -> None:
    assert "sizer schema >" in README
    assert "yaml-language-server: $schema=" in README


def test_every_example_scenario_in_help_exists() -> None:
    """A scenario path in any Example: block is a shipped file (examples must run as shown)."""
    for name in COMMANDS:
        for line in _example_lines(cli.commands[name]):
            for path in re.findall(r"scenarios/[\w.-]+\.yaml", line):
                assert (REPO / path).is_file(), f"{name}: {path} does not exist"
