"""Charts as inline SVG (matplotlib, imported lazily).

Every chart is drawn at its print size (``WIDTH_IN`` wide, the text column of an A4 page),
so the font sizes set here are the printed sizes (>= 8 pt).  Colors are the Okabe-Ito
color-blind-safe palette, and every series also differs by hatch or marker so the
charts read in greyscale.  Output is reproducible: ``svg.hashsalt`` is fixed per chart,
the date metadata is dropped, and element ids are prefixed per chart so several charts
can share one HTML page.  Text stays text (``svg.fonttype = none``) in DejaVu Sans.
"""

from __future__ import annotations

import io
import re
import textwrap
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["OKABE_ITO", "memory_chart", "scaling_chart", "utilization_chart"]

#: Okabe & Ito (2008), "Color Universal Design": color-blind-safe.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
WIDTH_IN = 6.6  # ~168 mm: the A4 text column
FONT_PT = 8.5
_ID = re.compile(r'id="([^"]+)"')
_STYLE_ATTR = re.compile(r'style="([^"]*)"')
_STYLE_EL = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)


def _attributes(m: re.Match[str]) -> str:
    """``style="fill: #fff; stroke: none"`` -> ``fill="#fff" stroke="none"``.

    Inline SVG in HTML gets its ``style`` attributes parsed as HTML CSS, where WeasyPrint
    does not know SVG properties (and warns); presentation attributes are understood by
    every SVG renderer.
    """
    out = []
    for decl in m.group(1).split(";"):
        if ":" not in decl:
            continue
        key, value = (x.strip() for x in decl.split(":", 1))
        if key == "font":  # "font: 8.5px 'DejaVu Sans'" (older matplotlib)
            size, _, family = value.partition(" ")
            out.append(f'font-size="{size}" font-family="{family}"')
            continue
        out.append(f'{key}="{value}"')
    return " ".join(out)


@contextmanager
def _style(salt: str) -> Iterator[None]:
    import matplotlib

    with (
        matplotlib.rc_context(
            {
                "svg.hashsalt": f"sizer-{salt}",
                "svg.fonttype": "none",
                "font.family": "DejaVu Sans",
                "font.size": FONT_PT,
                "axes.titlesize": FONT_PT + 0.5,
                "axes.labelsize": FONT_PT,
                "xtick.labelsize": FONT_PT,
                "ytick.labelsize": FONT_PT,
                "legend.fontsize": FONT_PT,
                "hatch.linewidth": 0.8,
                "text.parse_math": False,  # scenario names may hold "$"
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.edgecolor": "#333333",
                "svg.image_inline": True,
            }
        ),
        warnings.catch_warnings(),
    ):
        # Text is kept as SVG text (svg.fonttype none), so the renderer's font fallback
        # draws CJK or emoji in names; matplotlib only measures with DejaVu Sans and warns.
        warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from font", UserWarning)
        yield


def _figure(height_in: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _svg(fig: Any, prefix: str) -> str:
    """The figure as an SVG fragment (no XML prologue), ids prefixed with ``prefix``."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    FigureCanvasSVG(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.index("<svg")
    text = text[start:]
    ids = set(_ID.findall(text))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        text = text.replace(f'id="{old}"', f'id="{new}"')
        text = text.replace(f'"#{old}"', f'"#{new}"')
        text = text.replace(f"url(#{old})", f"url(#{new})")
    text = _STYLE_EL.sub("", text)
    text = _STYLE_ATTR.sub(_attributes, text)
    # scale with the column: keep the viewBox, let CSS set the width
    text = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"',
        r'<svg\1 class="chart" stroke-linejoin="round" stroke-linecap="butt"',
        text,
        count=1,
    )
    return text.strip() + "\n"


def _wrap(label: str, width: int = 26, lines: int = 2) -> str:
    parts = textwrap.wrap(label, width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1] + "…"
    return "\n".join(parts)


#: a resource group's state -> (color, hatch, legend label) of its bar, worst last
_UTIL_STYLE = {
    "headroom": (OKABE_ITO["sky"], "", "has headroom"),
    "saturated": (OKABE_ITO["orange"], "...", "saturated"),
    "bottleneck": (OKABE_ITO["vermillion"], "///", "bottleneck"),
}


def _util_state(row: dict[str, Any]) -> str:
    """The key of ``row`` in :data:`_UTIL_STYLE`: the bottleneck, else saturated, else
    headroom."""
    if row["bottleneck"]:
        return "bottleneck"
    return "saturated" if row["saturated"] else "headroom"


def utilization_chart(rows: Sequence[dict[str, Any]], prefix: str = "util") -> str:
    """Horizontal bars: utilization of each resource group, the bottleneck highlighted.

    ``rows`` are :func:`sizer.report.context.build_context`'s ``resources``: ``group``,
    ``kind``, ``utilization`` (0..1), ``util`` (text), ``saturated``, ``bottleneck``.
    """
    from matplotlib.patches import Patch

    n = max(1, len(rows))
    with _style(prefix):
        fig = _figure(0.9 + 0.36 * n)
        ax = fig.add_subplot()
        ys = list(range(n))[::-1]
        top = max([1.18] + [r["utilization"] * 1.2 for r in rows])
        for y, r in zip(ys, rows, strict=False):
            u = r["utilization"]
            color, hatch, _ = _UTIL_STYLE[_util_state(r)]
            ax.barh(
                y,
                u * 100,
                height=0.62,
                color=color,
                hatch=hatch,
                edgecolor="#333333",
                linewidth=0.6,
            )
            ax.text(u * 100 + top, y, r["util"], va="center", ha="left", fontsize=FONT_PT)
        ax.axvline(100, color="#000000", linestyle="--", linewidth=1.0)
        ax.set_xticks([0, 20, 40, 60, 80, 100])  # the axis reads 0-100%; past it, labels
        ax.set_yticks(
            ys, [_wrap(r.get("label") or f"{r['group']} ({r['kind']})", 34) for r in rows]
        )
        ax.set_xlim(0, top * 100)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlabel("utilization (% of capacity); dashed line: capacity")
        # "has headroom" always; the other states where a bar shows them
        shown = {"headroom"} | {_util_state(r) for r in rows}
        handles = [
            Patch(facecolor=color, hatch=hatch, edgecolor="#333333", label=label)
            for state, (color, hatch, label) in _UTIL_STYLE.items()
            if state in shown
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
        return _svg(fig, prefix)


_MEM_STYLE = {
    "parameters": (OKABE_ITO["blue"], ""),
    "gradients": (OKABE_ITO["sky"], "//"),
    "optimizer": (OKABE_ITO["orange"], "\\\\"),
    "activations": (OKABE_ITO["green"], ".."),
    "kv_cache": (OKABE_ITO["purple"], "xx"),
    "overhead": ("#BBBBBB", "--"),
}


def memory_chart(cases: Sequence[dict[str, Any]], prefix: str = "mem") -> str:
    """Stacked horizontal bars of per-GPU memory by category against each GPU's memory.

    ``cases`` are the context's ``memory`` rows: ``title``, ``parts`` (``key``, ``label``,
    ``bytes``), ``gpu_memory_bytes``, ``gpu``.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    gib = 2.0**30
    n = max(1, len(cases))
    # the whole title of every case (a truncated one could hide its sharding or batch):
    # each bar's slot grows with its label's lines
    labels = [_wrap(c["title"], 30, 8) for c in cases]
    lines = max((t.count("\n") + 1 for t in labels), default=1)
    with _style(prefix):
        fig = _figure(1.1 + max(0.55, 0.17 * lines) * n)
        ax = fig.add_subplot()
        ys = list(range(n))[::-1]
        seen: dict[str, str] = {}
        most = 0.0
        for y, c in zip(ys, cases, strict=False):
            left = 0.0
            for p in c["parts"]:
                v = p["bytes"] / gib
                if v <= 0:
                    continue
                color, hatch = _MEM_STYLE.get(p["key"], ("#999999", ""))
                ax.barh(
                    y,
                    v,
                    left=left,
                    height=0.55,
                    color=color,
                    hatch=hatch,
                    edgecolor="#333333",
                    linewidth=0.5,
                )
                seen.setdefault(p["key"], p["label"])
                left += v
            most = max(most, left)
            if c["gpu_memory_bytes"]:
                g = c["gpu_memory_bytes"] / gib
                most = max(most, g)
                ax.plot([g, g], [y - 0.38, y + 0.38], color="#000000", linewidth=2.0)
        ax.set_yticks(ys, labels)
        ax.set_xlim(0, most * 1.08 if most else 1)
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_xlabel("memory per GPU (GiB)")
        handles: list[Any] = [
            Patch(
                facecolor=_MEM_STYLE[k][0], hatch=_MEM_STYLE[k][1], edgecolor="#333333", label=label
            )
            for k, label in seen.items()
        ]
        handles.append(Line2D([0], [0], color="#000000", linewidth=2.0, label="GPU memory"))
        fig.legend(
            handles=handles, loc="outside lower center", ncols=min(4, len(handles)), frameon=False
        )
        return _svg(fig, prefix)


def scaling_chart(
    series: Sequence[dict[str, Any]],
    *,
    xlabel: str,
    ylabel: str,
    marks: Sequence[dict[str, Any]] = (),
    prefix: str = "scale",
    integer_x: bool = True,
    percent: bool = False,
    bar: dict[str, Any] | None = None,
) -> str:
    """Lines over a sweep: each series ``{"label", "x", "y", "style"}`` with style
    ``measured`` | ``ideal`` | ``other``; marks ``{"x", "label"}`` draw vertical lines.

    ``percent``: the y axis is 0-100% (ticks stop at 100; room above is for the marks'
    labels).  ``bar`` ``{"y", "label"}``: a horizontal line at that height (the 90% bar),
    drawn as the SVG group ``<prefix>-bar``."""
    from matplotlib.ticker import MaxNLocator

    styles: dict[str, dict[str, Any]] = {
        "measured": dict(
            color=OKABE_ITO["blue"], marker="o", linestyle="-", linewidth=1.6, markersize=4
        ),
        "ideal": dict(color="#000000", marker=None, linestyle="--", linewidth=1.0),
        "other": dict(
            color=OKABE_ITO["orange"], marker="s", linestyle="-.", linewidth=1.4, markersize=4
        ),
        "third": dict(
            color=OKABE_ITO["green"], marker="^", linestyle=":", linewidth=1.4, markersize=4
        ),
    }
    with _style(prefix):
        fig = _figure(2.6)
        ax = fig.add_subplot()
        for s in series:
            ax.plot(
                s["x"],
                s["y"],
                label=s["label"],
                **styles.get(s.get("style", "measured"), styles["measured"]),
            )
        ax.set_ylim(bottom=0)
        top = 100.0 if percent else ax.get_ylim()[1]
        ax.set_ylim(0, top * (1.0 + 0.09 * (len(marks) + 1)))
        if percent:
            ax.set_yticks([0, 20, 40, 60, 80, 100])
        if bar is not None:
            ax.axhline(
                bar["y"],
                color=OKABE_ITO["green"],
                linestyle="--",
                linewidth=1.2,
                label=bar["label"],
                gid="bar",
            )
        for i, m in enumerate(sorted(marks, key=lambda m: m["x"])):
            ax.axvline(m["x"], color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1.4)
            left = m["x"] <= _mid(series)
            ax.annotate(
                m["label"],
                xy=(m["x"], 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3 if left else -3, -3 - 11 * i),
                textcoords="offset points",
                va="top",
                ha="left" if left else "right",
                fontsize=FONT_PT,
                color="#000000",
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
            )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if integer_x:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(_thousands())
        ax.grid(True, color="#DDDDDD", linewidth=0.6)
        ax.set_axisbelow(True)
        n_legend = len(series) + (bar is not None)
        fig.legend(loc="outside lower center", ncols=min(3, n_legend), frameon=False)
        return _svg(fig, prefix)


def _mid(series: Sequence[dict[str, Any]]) -> float:
    xs = [x for s in series for x in s["x"]]
    return (min(xs) + max(xs)) / 2 if xs else 0.0


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}")
