"""Hostile scenario text renders as text, fetches nothing, writes nowhere else.

The scenario's name, description, comments, group and workload names hold ``<script>``,
``<img src=http://127.0.0.1:PORT/...>`` pointing at a canary HTTP server started here,
CSS ``url(file:///etc/passwd)`` and ``url(http://...)``, a ``</style>`` break-out,
jinja2 syntax and ``../../`` paths.  The report must show all of it as text, WeasyPrint
and Chromium must make zero requests to the canary, and nothing may be written outside
the output directory.
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from markupsafe import escape

from sizer.report import render_files
from sizer.report.pdf import AssetFetcher, render_pdf
from tests.conftest_report import REPORT_DATE


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body{background:red}")

    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that records every request; yields (port, hits)."""
    hits: list[str] = []
    handler = type("Canary", (_Canary,), {"hits": hits})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv.server_address[1], hits
    finally:
        srv.shutdown()
        srv.server_close()


EVIL = """\
# <script>alert('comment')</script> <img src=http://127.0.0.1:{port}/comment.png>
# </pre></section><iframe src="http://127.0.0.1:{port}/frame"></iframe>
name: "<script>alert(1)</script><img src=http://127.0.0.1:{port}/name.png> ../../etc/passwd {{{{ 7*7 }}}}"
description: >-
  </style><style>body {{ background: url(http://127.0.0.1:{port}/css.png) }}</style>
  <link rel=stylesheet href="http://127.0.0.1:{port}/link.css">
  <svg onload="fetch('http://127.0.0.1:{port}/svg')"></svg>
  <div style="background: url(file:///etc/passwd)">x</div> {{% raw %}} $math$ ../../
compute:
  - server: dgx-1
    count: 2
    name: "<b>grp</b><img src=http://127.0.0.1:{port}/group.png>$x$"
storage:
  - unit: ess-3000
    count: 1
network:
  topology: single-switch
  switch: sb7800
workloads:
  - model: resnet-50
    name: "<script>document.location='http://127.0.0.1:{port}/wl'</script>"
    phase: training
    precision: fp16
    dataset: imagenet
"""


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_hostile_scenario_renders_escaped_and_fetches_nothing(
    tmp_path: Path,
    canary: tuple[int, list[str]],
    tool: Callable[[str], str],
    weasyprint_log: list[Any],
) -> None:
    port, hits = canary
    src = tmp_path / "in"
    src.mkdir()
    scenario = src / "<img src=x onerror=alert(1)>..yaml"
    scenario.write_text(EVIL.format(port=port), encoding="utf-8")
    out = tmp_path / "out"
    before = _tree(tmp_path)
    written = render_files([scenario], out, date=REPORT_DATE)

    # written only inside out/<safe name>/
    after = _tree(tmp_path)
    new = after - before
    assert all(out in p.parents or p == out for p in new), sorted(new)
    assert {p.name for p in written} == {"report.html", "report.pdf", "bom.csv", "bom.xlsx"}
    assert written[0].parent.name.startswith(
        "img-src-x-onerror-alert-1-"
    )  # + a hash: the stem was changed
    assert not any(p.name.startswith(".") for p in new), "temp files left behind"

    html = written[0].read_text(encoding="utf-8")
    p = _Tags()
    p.feed(html)
    assert not {"script", "img", "iframe", "link", "object", "embed"} & set(p.tags)
    assert p.tags.count("style") == 1  # ours, in <head>
    assert not [a for a, _ in p.attrs if a.startswith("on")], "event handler attribute"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    name = (
        f"<script>alert(1)</script><img src=http://127.0.0.1:{port}/name.png> "
        "../../etc/passwd {{ 7*7 }}"
    )
    assert f'<p class="scenario-name">{escape(name)}</p>' in html  # as given, not evaluated
    assert "url(file:///etc/passwd)" not in html.split("</style>")[0]

    # the PDF shows the hostile text as text
    text = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(written[1]), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    flat = " ".join(text.split())
    assert "<script>alert(1)</script>" in flat
    assert f"<img src=http://127.0.0.1:{port}/name.png>" in flat

    # Chromium opens the HTML: still no request, no script ran
    from tests.test_report_pixels import screenshot

    _shot, err = screenshot(tool, written[0], tmp_path)
    assert "Uncaught" not in err
    assert hits == [], f"the canary was asked for {hits}"


def test_fetcher_blocks_what_an_unescaped_page_would_load(
    canary: tuple[int, list[str]], weasyprint_log: list[Any]
) -> None:
    """Defence in depth: even raw HTML with external references fetches nothing."""
    port, hits = canary
    html = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css">'
        f"<style>@import url(http://127.0.0.1:{port}/b.css); "
        f"body {{ background: url(file:///etc/passwd) }}</style></head>"
        f'<body><img src="http://127.0.0.1:{port}/c.png">'
        f'<img src="data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22/>">'
        f'<img src="../../../../etc/passwd"></body></html>'
    )
    f = AssetFetcher()
    pdf = render_pdf(html, fetcher=f)
    assert pdf.startswith(b"%PDF")
    assert hits == []
    assert len(f.refused) >= 5 and not f.served
    # WeasyPrint reports each refused resource; here that is expected, so clear it
    assert all("refused" in r.getMessage() or "Failed" in r.getMessage() for r in weasyprint_log)
    weasyprint_log.clear()


def test_bad_input_writes_nothing(
    tmp_path: Path, write_yaml: Callable[..., Path], valid_scenario: str
) -> None:
    from sizer.errors import SizerInputError

    good = write_yaml(valid_scenario, "good.yaml")
    bad = write_yaml(valid_scenario.replace("count: 2", "count: -2"), "bad.yaml")
    out = tmp_path / "out"
    with pytest.raises(SizerInputError) as e:
        render_files([good, bad], out, date=REPORT_DATE, formats=("html",))
    assert str(e.value) == f"{bad}:4:12: compute[0].count: -2 is below the minimum 1"
    assert not out.exists()
