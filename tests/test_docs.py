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


# ------------------------------------------------------------------ README's two commands


def _readme_commands() -> list[str]:
    """The two ``sh`` blocks of the README's "Two commands" section, verbatim."""
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def _stub(bin_dir: Path, name: str, body: str = "") -> None:
    f = bin_dir / name
    f.write_text(f'#!/bin/sh\necho "{name} $*" >> "$LOG"\n{body}\n', encoding="utf-8")
    f.chmod(0o755)


@pytest.mark.parametrize("user", ["root", "non-root"])
def test_readme_commands_run_verbatim_for_root_and_non_root(tmp_path: Path, user: str) -> None:
    """Issue 16 (1): a root Debian box has no sudo; the commands must run as written there
    and for a user with sudo.  Every program is a stub on an otherwise empty PATH, so the
    README text itself (not a rewrite of it) is what runs."""
    import subprocess

    commands = _readme_commands()
    assert len(commands) == 2
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    for name in ("apt-get", "pip", "sizer", "python"):
        _stub(bin_dir, name)
    _stub(bin_dir, "python3", "/bin/mkdir -p .venv/bin && : > .venv/bin/activate")
    if user == "non-root":
        _stub(bin_dir, "sudo", 'exec "$@"')
    env = {"PATH": str(bin_dir), "LOG": str(log)}
    for cmd in commands:
        r = subprocess.run(["/bin/sh", "-c", cmd], cwd=tmp_path, env=env, capture_output=True)
        assert r.returncode == 0, (cmd, r.stderr.decode())
    calls = log.read_text(encoding="utf-8").splitlines()
    ran = [c for c in calls if c.startswith("apt-get")]
    assert [c.split()[1] for c in ran] == ["update", "install"]
    via_sudo = [c for c in calls if c.startswith("sudo ")]
    assert len(via_sudo) == (2 if user == "non-root" else 0)
    assert "python3 -m venv .venv" in calls
    assert "sizer render scenarios/ra-9x-dgx1-3x-ess3000.yaml" in calls
    assert calls[-1] == "python -m pytest"


def test_readme_commands_use_no_bare_sudo() -> None:
    for cmd in _readme_commands():
        assert not re.search(r"(^|[;&|(]\s*)sudo\b", cmd), cmd


# ------------------------------------------------------------------ scenario reference

REFERENCE = REPO / "docs/scenario-reference.md"


def _schema_keys(schema: dict[str, object]) -> set[str]:
    """Every key path of the scenario schema, as the reference writes it."""
    from sizer.schema_json import _ref

    defs: dict[str, dict[str, object]] = schema["$defs"]  # type: ignore[assignment]
    out: set[str] = set()

    def walk(node: dict[str, object], prefix: str) -> None:
        props: dict[str, dict[str, object]] = node.get("properties", {})  # type: ignore[assignment]
        for key, p in props.items():
            out.add(prefix + key)
            ref, many = _ref(p)
            if ref is not None:
                walk(defs[ref], f"{prefix}{key}{'[]' if many else ''}.")

    walk(schema, "")
    return out


def test_scenario_reference_has_every_schema_key() -> None:
    from sizer.schema_json import scenario_schema

    text = REFERENCE.read_text(encoding="utf-8")
    keys = _schema_keys(scenario_schema())
    assert {"network.leaves", "network.spines", "workloads[].groups", "memory[].model"} <= keys
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert not missing, missing


def test_scenario_reference_is_current() -> None:
    from sizer.schema_json import reference_markdown

    assert REFERENCE.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/scenario-reference.md is stale: sizer schema --markdown > docs/scenario-reference.md"
    )


def test_readme_links_the_scenario_reference() -> None:
    assert "](docs/scenario-reference.md)" in README
    assert "sizer schema --markdown > docs/scenario-reference.md" in README


#: British spellings and their American form (issue 16, item 8: one spelling, American)
BRITISH = re.compile(
    r"\b(utilis|analys(?:e|ed|ing)\b|optimis|colour|behaviour|normalis|summaris|sanitis|"
    r"modell|labell|favour|centre|licence|initialis|serialis|minimis|maximis)",
    re.IGNORECASE,
)


def test_one_spelling_american() -> None:
    """The code, templates, README and docs say utilization, analyzed, color."""
    files = [REPO / "README.md", *(REPO / "docs").rglob("*.md")]
    files += [*(REPO / "sizer").rglob("*.py"), *(REPO / "templates").rglob("*")]
    found = []
    for path in files:
        if path.is_file():
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found += [f"{path.relative_to(REPO)}:{i}: {m}" for m in BRITISH.findall(line)]
    assert found == []


def _readme_yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL)


def test_readme_scenarios_validate(tmp_path: Path) -> None:
    """Every scenario in the README validates as written; the mixed DGX A100 one runs
    training and inference from the catalog's A100 figures (issue 16, item 9)."""
    from sizer.analysis import analyze_design
    from sizer.loader import load_design

    blocks = [b for b in _readme_yaml_blocks() if b.startswith("name:")]
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        path = tmp_path / f"readme-{i}.yaml"
        path.write_text(block, encoding="utf-8")
        load_design(path)  # raises SizerInputError on any problem
    mixed = next(b for b in blocks if "dgx-a100" in b)
    (tmp_path / "mixed.yaml").write_text(mixed, encoding="utf-8")
    result = analyze_design(load_design(tmp_path / "mixed.yaml")).to_json()
    phases = [w["phase"] for w in result["workloads"]]
    assert phases == ["training", "inference"]
    assert all(w["demand_images_per_sec"] > 0 for w in result["workloads"])
