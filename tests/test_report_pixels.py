"""Look at the report as a reader would: every PDF page rasterised (pdftoppm), and the
HTML screenshotted by headless Chromium.

* no blank page: every page has ink inside the text area;
* nothing outside the page box: the outer band of every page (inside the 18 mm side
  margins and 20 mm top/bottom margins, outside the running header and page number) is
  background -- a table or figure too wide or too tall would reach into it;
* Chromium renders the HTML to a non-trivial image and logs no console error.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest_report import SCENARIOS, Rendered

DPI = 30
MM = DPI / 25.4
#: Background threshold (0..255 grey): anti-aliased ink is darker than this.
PAPER = 245
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--hide-scrollbars",
]


def _pages(tool: Callable[[str], str], pdf: Path, out: Path) -> list[Path]:
    subprocess.run(
        [tool("pdftoppm"), "-r", str(DPI), "-gray", str(pdf), str(out / "p")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(out.glob("p-*.pgm"))


def _ink(im: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Dark pixels in ``box``."""
    region = im.crop(box)
    return sum(region.histogram()[:PAPER])


def page_problems(page: Path) -> list[str]:
    """What is wrong with one rasterised page: blank, or ink in the outer margin band."""
    im = Image.open(page).convert("L")
    w, h = im.size
    side, top, bottom = round(14 * MM), round(9 * MM), round(11 * MM)
    body = (round(18 * MM), round(20 * MM), w - round(18 * MM), h - round(20 * MM))
    out = []
    if _ink(im, body) <= 150:
        out.append(f"{page.name} looks blank")
    for name, box in {
        "left": (0, 0, side, h),
        "right": (w - side, 0, w, h),
        "top": (0, 0, w, top),
        "bottom": (0, h - bottom, w, h),
    }.items():
        ink = _ink(im, box)
        if ink:
            out.append(f"{page.name}: {ink} px drawn in the {name} margin band")
    return out


@pytest.mark.parametrize("stem", [p.stem for p in SCENARIOS])
def test_pages_not_blank_and_nothing_outside(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str], tmp_path: Path
) -> None:
    pages = _pages(tool, shipped_reports[stem].pdf_path, tmp_path)
    assert len(pages) >= 5
    problems = [p for page in pages for p in page_problems(page)]
    assert not problems, f"{stem}: " + "; ".join(problems)


def test_the_margin_check_sees_overflow(tool: Callable[[str], str], tmp_path: Path) -> None:
    """The check above is not vacuous: a too-wide line and a blank page are caught."""
    from sizer.report.html import templates_dir
    from sizer.report.pdf import render_pdf

    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    html = (
        f"<html><head><style>{css}</style></head><body><p>cover</p>"
        "<section style='break-before: page'><pre style='white-space: pre'>"
        + "W" * 300
        + "</pre></section><section style='break-before: page; height: 5mm'></section></body></html>"
    )
    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(render_pdf(html))
    problems = [p for page in _pages(tool, pdf, tmp_path) for p in page_problems(page)]
    assert any("right margin band" in p for p in problems), problems
    assert any("looks blank" in p for p in problems), problems


#: A page whose ink ends above this fraction of the text area is near-empty.
MIN_FILL = 0.25
#: Sections that start a new page: the page before them may end early.
PAGE_STARTS = ("Design and bill of materials", "Appendix: the scenario as given")


def fill(page: Path) -> float:
    """How far down the text area (0..1) the page's ink reaches."""
    im = Image.open(page).convert("L")
    w, h = im.size
    body = im.crop((round(18 * MM), round(20 * MM), w - round(18 * MM), h - round(20 * MM)))
    rows = [y for y in range(body.height) if _ink(body, (0, y, body.width, y + 1))]
    return (rows[-1] + 1) / body.height if rows else 0.0


def _starts_page(text: str) -> bool:
    head = [" ".join(x.split()) for x in text.splitlines() if x.strip()][:3]
    return any(x.endswith(PAGE_STARTS) for x in head)


@pytest.mark.parametrize("stem", [p.stem for p in SCENARIOS])
def test_no_near_empty_page(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str], tmp_path: Path
) -> None:
    """No page holds only the last rows of a table (RA 9x DGX-1 p. 9 once did), the last
    glossary term or the last lines of the appendix: every page but the cover and a last
    page that starts its section is inked at least :data:`MIN_FILL` of the way down."""
    pdf = shipped_reports[stem].pdf_path
    pages = _pages(tool, pdf, tmp_path)
    text = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split("\f")
    short = [
        f"page {n} ({fill(page):.0%} filled)"
        for n, page in enumerate(pages, 1)
        if n > 1 and not (n == len(pages) and _starts_page(text[n - 1])) and fill(page) < MIN_FILL
    ]
    assert short == [], f"{stem}: near-empty " + ", ".join(short)


@pytest.mark.parametrize("stem", ["ra-9x-dgx1-3x-ess3000", "dgx-h100-su-ndr-ess3500"])
def test_chromium_renders_html(
    stem: str, shipped_reports: dict[str, Rendered], tool: Callable[[str], str], tmp_path: Path
) -> None:
    if stem not in shipped_reports:
        pytest.skip(f"{stem} is not a shipped scenario")
    shot, err = screenshot(tool, shipped_reports[stem].html_path, tmp_path)
    im = Image.open(shot).convert("RGB")
    assert im.size == (1280, 4000)
    small = im.resize((160, 500))
    colours = len(small.getcolors(maxcolors=1 << 16) or [])
    assert colours > 20, "screenshot is (nearly) one colour"
    grey = im.convert("L")
    assert _ink(grey, (0, 0, 1280, 4000)) > 20_000, "too little drawn"
    # the drawn content is centred and inside the window: nothing past the right edge
    assert _ink(grey, (1240, 0, 1280, 4000)) == 0
    console = [ln for ln in err.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert not console, "\n".join(console)


def screenshot(tool: Callable[[str], str], html: Path, tmp: Path) -> tuple[Path, str]:
    """Headless Chromium screenshot of ``html`` (1280 x 4000); returns (png, stderr)."""
    exe = tool("chromium")
    shot = tmp / "shot.png"
    profile = tmp / "profile"
    env = {**os.environ, "HOME": str(tmp)}
    r = subprocess.run(
        [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1280,4000",
            html.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
    return shot, r.stderr
