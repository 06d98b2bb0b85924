"""``sizer render`` refuses bidirectional and zero-width characters in any free text of a
scenario (they reorder or hide what a customer reads), with a located message and
nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sizer.cli import cli

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "ra-1x-dgx1-1x-ess3000.yaml"


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff"])
@pytest.mark.parametrize(
    ("where", "field"),
    [(("name",), "name"), (("description",), "description"),
     (("workloads", 0, "name"), "workloads[0].name")],
)  # fmt: skip
def test_render_refuses_invisible_text(
    tmp_path: Path, char: str, where: tuple[str | int, ...], field: str
) -> None:
    doc = yaml.safe_load(BASE.read_text())
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = f"evil {char}text"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    out_dir = tmp_path / "out"
    r = CliRunner().invoke(cli, ["render", str(path), "--out", str(out_dir)])
    assert r.exit_code == 2, r.output
    assert f": {field}: has the invisible character U+{ord(char):04X}" in r.output
    assert "Traceback" not in r.output
    assert not out_dir.exists() or not any(out_dir.iterdir())
