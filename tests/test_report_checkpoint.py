"""The report's checkpoint section (sizer.report.checkpoint_view) on the shipped LLM
training scenario: its figures are the command's, its chart is drawn, its section is
listed; designs without a policy have none."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from click.testing import CliRunner

from sizer.cli import cli
from sizer.text import duration

STEM = "dgx-h100-llm-405b-ddn"


def test_checkpoint_section_matches_the_command(shipped_reports: dict[str, Any]) -> None:
    rep = shipped_reports[STEM]
    out = CliRunner().invoke(cli, ["checkpoint", str(rep.scenario), "--json"])
    j = json.loads(out.output)
    ck = rep.context["checkpoint"]
    assert ck is not None
    save, restore = ck["rows"]
    assert save["time"] == duration(j["save_seconds"])
    assert restore["time"] == duration(j["restore_seconds"])
    assert "storage write" in save["bound"] and "storage read" in restore["bound"]
    assert f"{j['overhead_fraction']:.2%} of training time" in ck["paragraphs"][1]
    assert "Checkpoints" in [s["title"] for s in rep.context["sections"]]
    assert ck["summary"] in rep.context["summary"]
    # the chart: one line per burst, the design's count marked
    assert 'id="s-checkpoints"' in rep.html
    assert "save (s)" in rep.html and "restore (s)" in rep.html
    assert "design: 6" in rep.html


def test_checkpoint_section_in_the_pdf(shipped_reports: dict[str, Any], tool: Any) -> None:
    rep = shipped_reports[STEM]
    text = subprocess.run(
        [tool("pdftotext"), str(rep.pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Checkpoints" in text and "Save (write)" in text
    assert "Save and restore time against the number of" in text


def test_no_policy_no_checkpoint_section(shipped_reports: dict[str, Any]) -> None:
    rep = shipped_reports["ra-9x-dgx1-3x-ess3000"]
    assert rep.context["checkpoint"] is None
    assert 'id="s-checkpoints"' not in rep.html


def test_failure_table_gives_each_case_its_checkpoint(shipped_reports: dict[str, Any]) -> None:
    """The N-1 table has a checkpoint-save column (the policy solved on what is left, as
    ``sizer failures`` does) and a sentence says in how many cases the policy fits."""
    rep = shipped_reports[STEM]
    out = CliRunner().invoke(cli, ["failures", str(rep.scenario), "--json"])
    cases = json.loads(out.output)["cases"]
    fits = sum(c["checkpoint"]["fits"] for c in cases)
    table = next(
        t for t in rep.context["scaling"]["tables"] if t["id"] == "failures"
    )  # the scaling section's N-1 table
    assert table["headers"][-1] == "Checkpoint save"
    cells = [r[-1] for r in table["rows"]]
    assert cells[0] == f"{cases[0]['checkpoint']['save_seconds']:,.1f} s"
    assert cells.count("none") == sum(c["checkpoint"]["save_seconds"] is None for c in cases)
    assert any(
        f"the policy still fits in {fits} of {len(cases)} cases" in p
        for p in rep.context["scaling"]["paragraphs"]
    )
    # a design without a policy keeps the old table
    ra = shipped_reports["ra-9x-dgx1-3x-ess3000"]
    ra_table = next(t for t in ra.context["scaling"]["tables"] if t["id"] == "failures")
    assert "Checkpoint save" not in ra_table["headers"]
