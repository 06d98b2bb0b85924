"""Report safety, a corpus: hostile strings in every text field, rendered to HTML and PDF.

Extends tests/test_report_security.py (one hand-made hostile scenario, Chromium, the
fetcher on raw HTML) with a corpus: :data:`CORPUS` holds HTML/JS injection, CSS
``url()`` and ``@import``, ``file://`` references to a secret file made for the test,
``http://`` references to a canary server on 127.0.0.1, SVG payloads, ``data:`` and
``javascript:`` URLs, path components, jinja2 syntax, bidi overrides.  They go into
every free-text field (name, description, compute group names, workload names, YAML
comments) of a few scenarios, rendered with ``sizer render`` (HTML and PDF).

Checks: the canary receives zero requests; the secret file's content appears nowhere
(HTML, PDF text, PDF streams decompressed); the HTML has no element or attribute that
loads or runs anything beyond the report's own; the PDF has no JavaScript, launch,
embedded-file or link action to the canary or ``file:``; and WeasyPrint logs nothing
(it would log a refused fetch).  Control characters in names are refused (exit 2).
"""

from __future__ import annotations

import http.server
import re
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from sizer.cli import cli

MARKER = "S3CR3T-MARKER-7f1c"

#: ``{url}`` is the canary's base URL, ``{file}`` the secret file's ``file://`` URL,
#: ``{path}`` its plain path.
CORPUS = [
    "<script>fetch('{url}/script')</script>",
    "<img src={url}/img.png>",
    '<img src="{file}">',
    "<img src=x onerror=\"fetch('{url}/onerror')\">",
    '<iframe src="{file}"></iframe>',
    '<object data="{file}"></object>',
    '<embed src="{url}/embed">',
    '<link rel=stylesheet href="{url}/link.css">',
    '<link rel=stylesheet href="{file}">',
    "<style>@import url({url}/import.css); body{{background:url({file})}}</style>",
    "</style><style>@import '{file}';</style>",
    "</title></head><body><img src={url}/break.png>",
    '<base href="{url}/">',
    '<meta http-equiv="refresh" content="0;url={url}/meta">',
    "<svg xmlns='http://www.w3.org/2000/svg'><image href='{file}'/></svg>",
    "<svg onload=\"fetch('{url}/svg')\"><use href='{url}/use.svg#x'/></svg>",
    "<svg><style>@import url({url}/svgcss);</style><text>{{x}}</text></svg>",
    "<math><mtext><img src={url}/math.png></mtext></math>",
    "<a href=\"javascript:fetch('{url}/js')\">click</a>",
    '<a href="{file}">local file</a>',
    '<div style="background:url({url}/style.png)">x</div>',
    "<div style=\"background-image:url('{file}')\">x</div>",
    "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><image href='{file}'/></svg>\">",
    "url({file}) url({url}/bare) @import '{url}/bare.css';",
    "{{{{ 7*7 }}}} {{% include '{path}' %}} {{{{ config }}}} ${{7*7}} #{{7*7}}",
    "../../../../{path}",
    "{path}",
    "]]><![CDATA[<img src={url}/cdata>]]>",
    "<!--<img src={url}/comment>--><!-- -->",
    "&lt;script&gt; &amp;amp; &#60;img src={url}/entity&#62;",
    "\\u003cscript\\u003e \\x3cimg src={url}/esc\\x3e",
]


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(f"body{{background:red}} /* {MARKER} */".encode())

    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server recording every request; yields (base URL, hits)."""
    hits: list[str] = []
    handler = type("Canary", (_Canary,), {"hits": hits})
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", hits
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file a hostile report would try to read: text, CSS and SVG all at once."""
    p = tmp_path / "secret" / "secret.svg"
    p.parent.mkdir()
    p.write_text(
        f"<svg xmlns='http://www.w3.org/2000/svg' width='400' height='40'>"
        f"<text x='0' y='20'>{MARKER}</text></svg>\n/* {MARKER} */ body{{color:red}}\n",
        encoding="utf-8",
    )
    return p


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scenario(payloads: list[str]) -> str:
    """A valid scenario with ``payloads`` spread over every free-text field."""
    p = payloads + payloads  # enough for every field
    comments = "".join(f"# {x}\n" for x in payloads)
    return (
        comments
        + f"name: {_q(p[0][:200])}\n"
        + "description: "
        + _q("\n".join(payloads))
        + "\n"
        + "compute:\n"
        + f"  - server: dgx-1\n    count: 2\n    name: {_q(p[1])}\n"
        + f"  - server: dgx-1\n    count: 1\n    name: {_q(p[2] + ' #2')}\n"
        + "storage:\n  - unit: ess-3000\n    count: 1\n"
        + "network:\n  topology: single-switch\n  switch: sb7800\n"
        + "workloads:\n"
        + f"  - model: resnet-50\n    gpus_per_server: 4\n    name: {_q(p[3])}\n"
        + f"  - model: alexnet\n    gpus_per_server: 4\n    name: {_q(p[4])}\n"
        + "target:\n  gpu_data_utilization: 0.9\n"
    )


class _Audit(HTMLParser):
    """Every tag, and every attribute that loads or runs something."""

    LOADING: ClassVar[set[str]] = {
        "src",
        "href",
        "data",
        "action",
        "formaction",
        "srcset",
        "poster",
    }

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.loads: list[tuple[str, str, str]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for a, v in attrs:
            if a.startswith("on"):
                self.handlers.append(f"<{tag} {a}>")
            if a in self.LOADING or (a == "style" and v and "url(" in v):
                self.loads.append((tag, a, v or ""))


def _pdf_streams(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream decompressed (object streams included)."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n", pdf):
        start = m.end()
        end = pdf.find(b"endstream", start)
        if end < 0:
            continue
        try:
            out.append(zlib.decompressobj().decompress(pdf[start:end]))
        except zlib.error:
            continue
    return b"\n".join(out)


CHUNKS = [CORPUS[i : i + 11] for i in range(0, len(CORPUS), 11)]


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_corpus_renders_inert(
    chunk: int,
    tmp_path: Path,
    canary: tuple[str, list[str]],
    secret: Path,
    tool: Callable[[str], str],
    weasyprint_log: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, hits = canary
    fill = {"url": url, "file": secret.as_uri(), "path": str(secret)}
    payloads = [x.format(**fill) for x in CHUNKS[chunk]]
    src = tmp_path / "in"
    src.mkdir()
    f = src / "hostile.yaml"
    f.write_text(_scenario(payloads), encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    r = CliRunner().invoke(cli, ["render", str(f), "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [
        str(out / "hostile" / "report.html"),
        str(out / "hostile" / "report.pdf"),
        str(out / "hostile" / "bom.csv"),
        str(out / "hostile" / "bom.xlsx"),
    ]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "in",
        "in/hostile.yaml",
        "out",
        "out/hostile",
        "out/hostile/bom.csv",
        "out/hostile/bom.xlsx",
        "out/hostile/report.html",
        "out/hostile/report.pdf",
        "secret",
        "secret/secret.svg",
    ]
    html = (out / "hostile" / "report.html").read_text(encoding="utf-8")
    pdf = (out / "hostile" / "report.pdf").read_bytes()

    # HTML: the payloads are text; nothing loads or runs but the report's own
    audit = _Audit()
    audit.feed(html)
    assert not {"script", "img", "iframe", "object", "embed", "link", "base", "meta", "math"} & {
        t for t in audit.tags if t != "meta" or 'http-equiv="refresh"' in html
    }, sorted(set(audit.tags))
    assert audit.handlers == []
    for tag, attr, value in audit.loads:
        assert value.startswith("#") or (tag == "a" and value.startswith("https://")), (
            tag,
            attr,
            value,
        )
    style = html.split("<style", 1)[1].split("</style>", 1)[0]  # the report's own CSS
    assert url not in style and "file:" not in style
    assert MARKER not in html
    assert audit.tags.count("style") == 1 and audit.tags.count("svg") >= 1
    for x in payloads[:3]:
        assert x not in html or "<" not in x  # shown escaped, never raw

    # PDF: the text is there as text, nothing fetched, no actions
    text = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(out / "hostile" / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert MARKER not in text
    flat = " ".join(text.split())
    assert " ".join(payloads[1].split())[:40] in flat  # a group name, printed as text
    body = _pdf_streams(pdf)
    assert MARKER.encode() not in body
    for bad in (b"/JavaScript", b"/JS ", b"/Launch", b"/EmbeddedFile", b"/SubmitForm"):
        assert bad not in body, bad
    for uri in re.findall(rb"/URI\s*\(([^)]*)\)", body):
        assert uri.startswith(b"https://") or uri.startswith(b"#"), uri

    assert hits == [], f"the canary was asked for {hits}"


def test_control_characters_in_names_are_refused(tmp_path: Path) -> None:
    """ESC sequences in a name would reach terminals and charts: refused, nothing written."""
    f = tmp_path / "esc.yaml"
    f.write_text(_scenario(['"\\e]0;pwned\\a" ok'] * 5).replace('"\\"', '"'), encoding="utf-8")
    f.write_text(
        _scenario(["plain"] * 5).replace('name: "plain"\n', 'name: "\\e]0;pwned\\a"\n', 1),
        encoding="utf-8",
    )
    r = CliRunner().invoke(cli, ["render", str(f), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert r.stderr == (
        f"{f}:6:7: name: has the control character U+001B at character 1; remove it (text is printed as is)\n"
    )
    assert not (tmp_path / "out").exists()


def test_canary_would_see_a_request(canary: tuple[str, list[str]]) -> None:
    """The canary works: a real request to it is recorded (so zero hits means zero)."""
    import urllib.request

    url, hits = canary
    with urllib.request.urlopen(f"{url}/probe", timeout=10) as resp:
        assert MARKER.encode() in resp.read()
    assert hits == ["/probe"]
