"""The customer report: ``sizer render`` writes ``report.html`` and ``report.pdf``.

Pipeline (each stage in its own module)::

    scenario.yaml -> load -> analyze (+ scaling, memory) -> context (plain data)
        -> charts (SVG) + topology diagram (SVG) -> html (jinja2) -> pdf (WeasyPrint)
        -> write (atomic, confined to the output dir)

Everything is computed for every scenario before anything is written, so bad input
writes nothing.  The report date is ``SOURCE_DATE_EPOCH`` (UTC) when set, otherwise
today (UTC); with the same inputs and date the HTML is byte-identical.

Heavy libraries (matplotlib, WeasyPrint) are imported only when a report is rendered.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sizer.errors import Problem, SizerInputError, input_error

__all__ = [
    "FORMATS",
    "Report",
    "build_comparison",
    "build_report",
    "render_files",
    "render_report",
    "report_date",
]

FORMATS = ("html", "pdf")


def report_date(environ: Mapping[str, str] | None = None) -> _dt.date:
    """``SOURCE_DATE_EPOCH`` as a UTC date when set (reproducible builds), else today (UTC).

    >>> report_date({"SOURCE_DATE_EPOCH": "1700000000"})
    datetime.date(2023, 11, 14)
    """
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return _dt.datetime.now(_dt.UTC).date()
    try:
        secs = int(raw)
        if secs < 0:
            raise ValueError
        return _dt.datetime.fromtimestamp(secs, _dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise input_error(
            "SOURCE_DATE_EPOCH",
            f"{raw[:40]!r} is not a non-negative whole number of seconds since 1970",
            type="environment",
        ) from None


@dataclass
class Report:
    """A rendered report, in memory."""

    name: str  # output sub-directory (sanitized scenario stem)
    context: dict[str, Any]
    html: str
    pdf: bytes | None
    formats: tuple[str, ...] = FORMATS

    def files(self) -> dict[str, bytes]:
        out = {}
        if "html" in self.formats:
            out["report.html"] = self.html.encode("utf-8")
        if self.pdf is not None:
            out["report.pdf"] = self.pdf
        parts = self.context.get("parts") or {}
        rows = parts.get("export")
        if rows is not None:  # the BOM beside the report, for the proposal spreadsheet
            from sizer.bom import EXPORT_COLUMNS
            from sizer.report.export import bom_csv, bom_xlsx

            cols = parts.get("export_columns", EXPORT_COLUMNS)
            out["bom.csv"] = bom_csv(rows, cols)
            out["bom.xlsx"] = bom_xlsx(rows, self.context.get("scenario_name", "sizer"), cols)
        return out


def _memory_cases(
    path: Path, design: Any, catalog: Any, display: str, source: bytes
) -> list[dict[str, Any]] | None:
    """Estimate every ``memory:`` case of the scenario; problems located in the file."""
    cases = design.memory_cases
    if not cases:
        return None
    try:
        from sizer.memory import estimate_case
    except ImportError:  # pragma: no cover - memory module not installed
        return None
    out = []
    problems: list[Problem] = []
    for i, case in enumerate(cases):
        gpu_id = case.gpu or design.servers[0].gpu_id
        gpu = catalog.gpus.get(gpu_id)
        try:
            est = estimate_case(case, None if gpu is None else float(gpu.memory.value))
        except SizerInputError as e:
            problems.extend(_relocate(path, display, source, ("memory", i), e.problems))
            continue
        out.append(
            {
                "case": case,
                "estimate": est,
                "gpu_name": gpu.name if gpu is not None else gpu_id,
                "sharded": _sharded_alternative(case, est, design, gpu),
            }
        )
    if problems:
        raise SizerInputError(problems)
    return out


def _sharded_alternative(case: Any, est: Any, design: Any, gpu: Any) -> dict[str, Any] | None:
    """For a training case that does not fit one GPU at batch 1 without sharding: the same
    case with ZeRO-3 over the GPUs of one server of the design (the largest batch then, 0
    if it still does not fit); None otherwise."""
    from sizer.memory import estimate_case

    if (
        gpu is None
        or est.fits is not False
        or est.largest_batch != 0
        or case.sharding != "none"
        or case.pipeline_parallel != 1
        or case.phase != "training"
    ):
        return None
    gpus = max((g.gpu_count for g in design.servers if g.gpu_id == gpu.id), default=8)
    alt = estimate_case(
        case.model_copy(update={"gpus": gpus, "sharding": "zero3", "batch": 1}),
        float(gpu.memory.value),
    )
    return {"gpus": gpus, "sharding": "zero3", "largest_batch": alt.largest_batch or 0}


def _relocate(
    path: Path,
    display: str,
    source: bytes,
    loc: tuple[str | int, ...],
    problems: Iterable[Problem],
) -> list[Problem]:
    from sizer.loader import locate, read_yaml

    doc = read_yaml(path, display=display, source=source)
    out = []
    for p in problems:
        field = p.loc.lstrip("-").replace("-", "_")
        full = (*loc, field) if field else loc
        line, col = locate(doc, full)
        where = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in full).lstrip(".")
        out.append(Problem(doc.path, line, col, where, p.msg, p.hint, p.type))
    return out


#: Most characters of the scenario file the appendix prints (a 1 MB file took ~30 s to lay
#: out, a 50,000-character one ~12 s); the fingerprint covers the whole file.
MAX_VERBATIM_CHARS = 20_000


def _verbatim(text: str, limit: int = MAX_VERBATIM_CHARS) -> str:
    """The scenario text for the appendix: whole, or its first ``limit`` characters (cut at
    a line end) and a comment line saying how much is left out."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit) + 1 or limit
    rest = len(text) - cut
    return text[:cut] + f"# ... {rest:,} more characters not shown (the fingerprint covers them)\n"


def build_report(
    path: str | os.PathLike[str],
    catalog: Any,
    *,
    date: _dt.date | None = None,
    formats: Sequence[str] = FORMATS,
    paper: str = "a4",
    source: bytes | None = None,
    prices: Any = None,
) -> Report:
    """Load, analyze and render one scenario in memory (nothing is written).

    ``source`` is the scenario's content already read (standard input): it is then named
    ``<stdin>`` and its report directory is ``stdin``.  ``prices`` (a
    :class:`sizer.prices.PriceList`) adds the cost section and the price columns of the
    BOM exports.

    Raises
    ------
    SizerInputError
        The scenario (or a memory case) is invalid; every problem, located.
    """
    from sizer import __version__
    from sizer.analysis import analyze_design
    from sizer.loader import load_design
    from sizer.report import charts
    from sizer.report.checkpoint_view import checkpoint_context
    from sizer.report.context import build_context, fingerprint
    from sizer.report.fmt import directional
    from sizer.report.html import render_html
    from sizer.report.racks_view import racks_svg
    from sizer.report.scaling_view import scaling_context
    from sizer.report.topology_svg import diagram_for
    from sizer.report.write import output_name

    p = Path(path)
    display, stem = (str(p), p.stem) if source is None else ("<stdin>", "stdin")
    design = load_design(p, catalog, display=display, source=source)
    raw = p.read_bytes() if source is None else source
    analysis = analyze_design(design)
    memory = _memory_cases(p, design, catalog, display, raw)
    scaling = scaling_context(analysis)
    checkpoint = checkpoint_context(analysis)
    # the cabled link types, then any uncabled ones (direct-attached drives' PCIe links)
    lids = dict.fromkeys(analysis.fabric.cables)
    lids.update(dict.fromkeys(data["link_type"] for _u, _v, data in analysis.fabric.bundles()))
    link_names = {lid: directional(catalog.links[lid].name) for lid in lids if lid in catalog.links}
    svg, caption = diagram_for(analysis, link_names)
    ctx = build_context(
        analysis=analysis,
        scenario_text=_verbatim(raw.decode("utf-8", errors="replace")),
        scenario_file=display,
        fingerprint_hex=fingerprint(raw, analysis.design.catalog_digest),
        report_date=date or report_date(),
        version=__version__,
        catalog=catalog,
        scaling=scaling,
        memory=memory,
        diagram_caption=caption,
        checkpoint=checkpoint,
        prices=prices,
    )
    figs = {"topology": svg, "utilization": charts.utilization_chart(ctx["resources"])}
    figs["racks"] = racks_svg(ctx["racks"]["layout"], ctx["racks"]["labels"])
    n_fig = 3
    if scaling is not None:
        for f in scaling["figures"]:
            f["number"] = n_fig
            n_fig += 1
            figs[f["chart"]] = charts.scaling_chart(
                f["series"],
                xlabel=f["xlabel"],
                ylabel=f["ylabel"],
                marks=f.get("marks", ()),
                prefix=f["chart"],
                percent=f.get("percent", False),
                bar=f.get("bar"),
            )
    if checkpoint is not None:
        f = checkpoint["figure"]
        f["number"] = n_fig
        n_fig += 1
        figs[f["chart"]] = charts.scaling_chart(
            f["series"], xlabel=f["xlabel"], ylabel=f["ylabel"], marks=f["marks"], prefix="ckpt"
        )
    if ctx["memory"] and len(ctx["memory"]) > 1:  # one case: its table says it all
        ctx["memory_figure"] = n_fig
        figs["memory"] = charts.memory_chart(ctx["memory"])
    html = render_html(ctx, figs)
    pdf = None
    if "pdf" in formats:
        from sizer.report.pdf import render_pdf

        pdf = render_pdf(html, paper=paper)
    return Report(output_name(stem), ctx, html, pdf, tuple(formats))


def render_report(path: str | os.PathLike[str], catalog: Any, **kw: Any) -> dict[str, bytes]:
    """The files of one scenario's report: ``{"report.html": ..., "report.pdf": ...}``."""
    return build_report(path, catalog, **kw).files()


def render_files(
    files: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    catalog: Any = None,
    formats: Sequence[str] = FORMATS,
    paper: str = "a4",
    date: _dt.date | None = None,
    stdin: bytes | None = None,
    prices: Any = None,
    progress: Callable[[int, int], None] | None = None,
    compare: bool = False,
) -> list[Path]:
    """Render every scenario, then write ``<out_dir>/<stem>/report.{html,pdf}``; with
    ``compare``, one document putting them side by side (:func:`build_comparison`),
    written to ``<out_dir>/compare-<A>-vs-<B>/``.

    A file ``-`` is the scenario ``stdin`` holds (standard input, read by the caller),
    written to ``<out_dir>/stdin/``.  ``progress(done, total)``, when given, is called
    after each scenario is built (the terminal's progress bar; this module draws nothing).

    All reports are built in memory and every output directory is checked first: if any
    scenario is invalid or any target refused, nothing is written and
    :class:`SizerInputError` lists every problem of every file.  The reports are then
    staged and swapped in (:func:`sizer.report.write.write_reports`): each directory holds
    its previous complete report or the new one, whatever happens.
    """
    if catalog is None:
        from sizer.catalog import load_catalog

        catalog = load_catalog()
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise input_error(
            "--format",
            f"unknown format {bad[0] if bad else ''!r}; choose from {', '.join(FORMATS)}",
        )
    when = date or report_date()
    reports: list[Report] = []
    problems: list[Problem] = []
    if compare:
        if prices is not None:
            raise input_error(
                "--prices", "prices apply to one scenario's report, not to --compare",
                "render each scenario on its own for its cost",
            )  # fmt: skip
        reports.append(build_comparison(files, catalog, date=when, formats=formats, paper=paper))
        files = ()  # nothing more to build
    for i, f in enumerate(files, 1):
        try:
            source = stdin if os.fspath(f) == "-" else None
            reports.append(
                build_report(
                    f,
                    catalog,
                    date=when,
                    formats=formats,
                    paper=paper,
                    source=source,
                    prices=prices,
                )
            )
        except SizerInputError as e:
            problems.extend(e.problems)
        if progress is not None:
            progress(i, len(files))
    seen: dict[str, str] = {}
    for f, r in zip(files, reports, strict=False):
        if r.name in seen and not problems:
            problems.append(
                Problem(
                    str(f),
                    None,
                    None,
                    "",
                    f"writes to the same output directory {r.name!r} as "
                    f"{seen[r.name]}; render them separately with --out",
                )
            )
        seen.setdefault(r.name, str(f))
    if problems:
        raise SizerInputError(problems)
    from sizer.report.write import OutsideOutputDir, PartialWriteError, write_reports

    try:
        return write_reports(Path(out_dir), [(r.name, r.files()) for r in reports])
    except (OutsideOutputDir, OSError) as e:
        if isinstance(e, OutsideOutputDir):
            msg = str(e)
        else:
            msg = f"cannot write the report: {e.strerror or e}"
        if isinstance(e, PartialWriteError) and e.written:
            shown = ", ".join(str(p) for p in e.written)
            msg += f"; written before the error: {shown}; the other reports are unchanged"
        raise input_error(str(out_dir), msg, "choose another --out") from None


#: Most designs one comparison report puts side by side (columns must stay readable).
MAX_COMPARED = 4


def build_comparison(
    files: Sequence[str | os.PathLike[str]],
    catalog: Any,
    *,
    date: _dt.date | None = None,
    formats: Sequence[str] = FORMATS,
    paper: str = "a4",
) -> Report:
    """One document putting the designs of ``files`` side by side (nothing is written).

    Raises
    ------
    SizerInputError
        Fewer than two or more than :data:`MAX_COMPARED` files, or an invalid scenario
        (every problem of every file).
    """
    from sizer import __version__
    from sizer import scaling as S
    from sizer.analysis import analyze_design
    from sizer.loader import load_design
    from sizer.report.compare_view import compare_context
    from sizer.report.html import environment, templates_dir
    from sizer.report.write import output_name

    if not 2 <= len(files) <= MAX_COMPARED:
        raise input_error(
            "--compare",
            f"compares 2 to {MAX_COMPARED} scenarios, not {len(files)}",
            "name two or more scenario files",
        )
    designs, problems = [], []
    for f in files:
        try:
            designs.append(load_design(Path(f), catalog))
        except SizerInputError as e:
            problems.extend(e.problems)
    if problems:
        raise SizerInputError(problems)
    analyses = [analyze_design(d) for d in designs]
    comparison = S.compare(designs)
    ctx = compare_context(
        analyses,
        comparison,
        [str(f) for f in files],
        report_date=(date or report_date()).isoformat(),
        version=__version__,
    )
    from markupsafe import Markup

    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    html = environment().get_template("compare.html.j2").render(**ctx, css=Markup(css))
    pdf = None
    if "pdf" in formats:
        from sizer.report.pdf import render_pdf

        pdf = render_pdf(html, paper=paper)
    name = output_name("compare-" + "-vs-".join(Path(f).stem for f in files)[:120])
    return Report(name, ctx, html, pdf, tuple(formats))
