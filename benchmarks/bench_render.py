"""Time the report render of the IBM RA's 9x DGX-1 + 3x ESS 3000 DGX POD, HTML + PDF.

Run ``python benchmarks/bench_render.py`` (``--repeat N``, ``--scenario FILE``).  Target:
under 5 s for HTML + PDF on the development machine (issue 7).

It prints two figures:

* **cold**: ``sizer render FILE --out TMP`` in a fresh Python process, wall clock, from
  process start to exit -- what a user waits for (imports of matplotlib and WeasyPrint
  and the font cache included);
* **warm**: :func:`sizer.report.build_report` in this process after one warm-up run,
  median and fastest of ``--repeat`` runs, split into the stages (analysis + scaling +
  charts + HTML, and the PDF).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 5.0


def cold(scenario: pathlib.Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1767312000"}
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sizer", "render", str(scenario), "--out", tmp],
            check=True,
            env=env,
            capture_output=True,
            cwd=ROOT,
        )
        return time.perf_counter() - t0


def warm(scenario: pathlib.Path, repeat: int) -> tuple[list[float], list[float]]:
    from sizer.catalog import load_catalog
    from sizer.report import build_report
    from sizer.report.pdf import render_pdf

    cat = load_catalog()
    day = dt.date(2026, 1, 2)
    build_report(scenario, cat, date=day)  # warm-up: imports, font cache
    html_times, pdf_times = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rep = build_report(scenario, cat, date=day, formats=("html",))
        t1 = time.perf_counter()
        render_pdf(rep.html)
        t2 = time.perf_counter()
        html_times.append(t1 - t0)
        pdf_times.append(t2 - t1)
    return html_times, pdf_times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--scenario", type=pathlib.Path, default=ROOT / "scenarios" / "ra-9x-dgx1-3x-ess3000.yaml"
    )
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    c = cold(args.scenario)
    h, p = warm(args.scenario, args.repeat)
    total = [a + b for a, b in zip(h, p, strict=True)]
    print(f"scenario: {args.scenario.name}")
    print(f"cold  `sizer render` (HTML + PDF, new process): {c:.2f} s")
    print(
        f"warm  HTML (load, analyze, scaling, charts, template): "
        f"median {statistics.median(h):.2f} s, best {min(h):.2f} s"
    )
    print(f"warm  PDF (WeasyPrint): median {statistics.median(p):.2f} s, best {min(p):.2f} s")
    print(f"warm  HTML + PDF: median {statistics.median(total):.2f} s")
    ok = c < TARGET_SECONDS
    print(f"target < {TARGET_SECONDS:.0f} s (cold): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
