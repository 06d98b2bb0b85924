"""The report as one self-contained HTML file (jinja2, autoescape on, StrictUndefined).

The stylesheet and every chart are inlined; the page references no URL at all, so it
works offline and a browser or WeasyPrint fetches nothing.  Every string from the
scenario goes through jinja2's autoescaping; only our own SVG and CSS are marked safe.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

__all__ = ["environment", "render_html", "templates_dir"]

TEMPLATE = "report.html.j2"
STYLESHEET = "report.css"


def templates_dir() -> Path:
    """The report templates: ``sizer/_data/templates`` in a wheel, ``<repo>/templates`` in a
    source checkout (as :func:`sizer.catalog.builtin_catalog_dir` finds the catalog)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_data" / "templates"
    if packaged.is_dir():
        return packaged
    return here.parent / "templates"


@functools.lru_cache(maxsize=2)
def environment(directory: str | None = None) -> Any:
    """The jinja2 environment: autoescape on for every template, undefined names fail."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory or str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render_html(ctx: dict[str, Any], charts: dict[str, str]) -> str:
    """The report HTML for a context (:func:`sizer.report.context.build_context`) and the
    charts' SVG (trusted: made by :mod:`sizer.report.charts` and :mod:`.topology`)."""
    from markupsafe import Markup

    env = environment()
    css = (templates_dir() / STYLESHEET).read_text(encoding="utf-8")
    if "</style" in css.lower():  # pragma: no cover - our own file
        raise ValueError("report.css must not close the style element")
    safe = {k: Markup(v) for k, v in charts.items()}
    return env.get_template(TEMPLATE).render(**ctx, charts=safe, css=Markup(css))
