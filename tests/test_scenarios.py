"""The shipped scenarios' header comments match their content (issue 15: the A100 POD's
comment described inference on 2 GPUs while its body trained VGG-16 there, and the report
prints the file verbatim in its appendix).

* every workload's model is named in the header comment;
* a comment that says "inference" belongs to a scenario with an inference workload.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def header_comment(text: str) -> str:
    """The ``#`` lines before the first YAML key, joined."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def model_words(name: str) -> list[str]:
    """The ways a comment may name a catalog model: ``MLPerf Storage UNet3D (3D medical
    segmentation)`` -> its name without the parenthesis, its first and its last word."""
    short = name.split(" (")[0]
    words = short.split()
    return [short, words[0], words[-1]]


def test_model_words() -> None:
    assert model_words("MLPerf Storage UNet3D (3D medical segmentation)") == [
        "MLPerf Storage UNet3D",
        "MLPerf",
        "UNet3D",
    ]
    assert "fio" in model_words("fio / IOR sequential read test")


def test_a_wrong_comment_is_caught() -> None:
    """The defect that prompted this test: VGG-16 in the body, not in the comment."""
    comment = header_comment("# ResNet-50 training on 6 GPUs and inference on 2\nname: x\n")
    assert not any(w.lower() in comment.lower() for w in model_words("VGG-16"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_header_comment_names_every_workload(path: Path) -> None:
    from sizer.catalog import load_catalog

    cat = load_catalog()
    text = path.read_text(encoding="utf-8")
    comment = header_comment(text).lower()
    assert comment, f"{path.name} has no header comment"
    doc = yaml.safe_load(text)
    missing = []
    for w in doc["workloads"]:
        name = cat.models[w["model"]].name
        if not any(x.lower() in comment for x in model_words(name)):
            missing.append(name)
    assert missing == [], f"{path.name}: header comment does not name {missing}"
    phases = {w.get("phase") for w in doc["workloads"]}
    if "inference" in comment:
        assert "inference" in phases, f"{path.name}: comment says inference, body has none"
