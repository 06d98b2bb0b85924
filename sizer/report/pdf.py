"""HTML -> PDF with WeasyPrint (imported lazily), fetching nothing from outside.

WeasyPrint loads every resource through a URL fetcher.  :class:`AssetFetcher` serves
only files inside the package's own template directory and refuses every other URL
(http, https, ftp, data, file elsewhere) by raising :class:`RefusedURL`; WeasyPrint then
logs a warning and leaves the resource out.  The report inlines its CSS and SVG, so a
correct render asks for nothing at all; the tests fail on any such warning.

Paper size is added as a user stylesheet (``@page { size: ... !important }``, which
beats the author's A4), so the HTML is the same for A4 and Letter.  Page numbers, the running header and bookmarks come from
``templates/report.css`` and the headings; title, author (``sizer <version>``),
description, keywords and creation date from the HTML ``<meta>`` elements.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sizer.report.html import templates_dir

__all__ = ["PAPER", "AssetFetcher", "RefusedURL", "render_pdf"]

PAPER = {"a4": "A4", "letter": "letter"}
#: The base URL of the report document: relative URLs resolve into the template dir.
_MEDIA = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
}


class RefusedURL(ValueError):
    """Raised by :class:`AssetFetcher` for every URL outside the package's assets."""


try:
    from weasyprint.urls import URLFetcher as _Base
except (ImportError, OSError):  # pragma: no cover - older WeasyPrint, or no Pango
    _Base = object


class AssetFetcher(_Base):
    """Serve ``file:`` URLs inside ``root`` (default: the templates dir); refuse the rest.

    ``refused`` lists every URL asked for and refused, for tests and diagnostics.
    """

    def __init__(self, root: Path | None = None) -> None:
        if _Base is not object:
            super().__init__(
                allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False
            )
        self.root = (root or templates_dir()).resolve()
        self.refused: list[str] = []
        self.served: list[str] = []

    def _path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused (not a packaged asset): {url[:200]}")
        path = Path(unquote(parts.path)).resolve()
        if self.root not in path.parents or not path.is_file():
            raise RefusedURL(f"refused (outside the packaged assets): {url[:200]}")
        if path.suffix not in _MEDIA:
            raise RefusedURL(f"refused (not an asset type): {url[:200]}")
        return path

    def fetch(self, url: str, headers: Any = None) -> Any:
        try:
            path = self._path(url)
        except RefusedURL:
            self.refused.append(url)
            raise
        self.served.append(url)
        body = path.read_bytes()
        try:
            from weasyprint.urls import URLFetcherResponse
        except ImportError:  # pragma: no cover
            return {"string": body, "mime_type": _MEDIA[path.suffix], "redirected_url": url}
        return URLFetcherResponse(url, body, {"Content-Type": _MEDIA[path.suffix]})

    def __call__(self, url: str) -> Any:
        return self.fetch(url)


def render_pdf(html: str, *, paper: str = "a4", fetcher: AssetFetcher | None = None) -> bytes:
    """The PDF of a report's HTML.

    Parameters
    ----------
    html : str
        From :func:`sizer.report.html.render_html`.
    paper : {"a4", "letter"}
    fetcher : AssetFetcher, optional
        Default: a new one over the packaged templates.
    """
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as e:  # pragma: no cover - depends on the machine
        from sizer.errors import input_error

        raise input_error(
            "--format",
            f"PDF output needs WeasyPrint and its system libraries ({type(e).__name__}: "
            f"{str(e)[:120]})",
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core, "
            "or use --format html",
        ) from None

    if paper not in PAPER:
        raise ValueError(f"paper must be one of {sorted(PAPER)}, not {paper!r}")
    fetch = fetcher or AssetFetcher()
    base = fetch.root.as_uri() + "/"
    doc = HTML(string=html, base_url=base, url_fetcher=fetch)
    page = CSS(string=f"@page {{ size: {PAPER[paper]} !important; }}", url_fetcher=fetch)
    pdf: bytes = doc.write_pdf(stylesheets=[page], uncompressed_pdf=False)
    return pdf
