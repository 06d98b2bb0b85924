"""Load a scenario file: read it, validate it, cross-check it against the catalog.

:func:`load_scenario` is the whole pipeline of input:

1. read the YAML safely, with the line and column of every value (:mod:`sizer.yamlfile`);
2. validate it against the schema (:mod:`sizer.schema`), every pydantic error located
   (:mod:`sizer.problems`);
3. cross-check it against the catalog and the limits (:mod:`sizer.checks`), every issue
   located in the file.

Everything rejected becomes a :class:`~sizer.errors.Problem` with ``file:line:col`` so the
CLI prints one clear line per problem and exits 2.  The stages run as far as they can on
what the earlier ones left, and every problem of a file is reported in one run, in file
order: a duplicate key (the first value kept) does not stop the schema, a schema error
does not stop the check of the catalog ids (made on the raw data), and a later stage says
nothing about a field an earlier one reported.  Only a file that cannot be parsed at all
(syntax, encoding, size, aliases) stops at the first stage.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sizer.errors import Problem, SizerInputError
from sizer.limits import MAX_LINE_CHARS, capped
from sizer.yamlfile import YamlDoc, fmt_loc, locate, read_yaml

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.design import Design
    from sizer.errors import Issue
    from sizer.schema import Scenario

__all__ = ["load_design", "load_prices", "load_scenario", "locate", "price_ids", "read_yaml"]


def load_design(
    path: str | os.PathLike[str],
    catalog: Catalog | None = None,
    *,
    display: str | None = None,
    source: bytes | None = None,
) -> Design:
    """Read, validate, cross-check and resolve a scenario file: the design every command
    analyses, resolved once.

    Parameters
    ----------
    path : path-like
        The scenario YAML.
    catalog : Catalog, optional
        Default: the built-in catalog.
    display : str, optional
        The file name to print in messages (default: the path as given).
    source : bytes, optional
        The file's content, already read (e.g. from standard input, ``display="<stdin>"``);
        ``path`` is then not opened.

    Returns
    -------
    Design

    Raises
    ------
    SizerInputError
        Every problem found, each located ``file:line:col``.

    Examples
    --------
    >>> d = load_design("scenarios/ra-9x-dgx1-3x-ess3000.yaml")
    >>> d.total_servers, d.total_storage_units
    (9, 3)
    """
    return _load(path, catalog, display, source)[1]


def price_ids(catalog: Catalog) -> set[str]:
    """The part ids a price list may price: the catalog's servers, storage units and
    switches, the vendor part numbers and the part descriptions of the BOM's cabling,
    and the ids of the POD's other fabrics (:mod:`sizer.pod_fabrics`)."""
    from sizer.bom import PART_NUMBERS, part_descriptions
    from sizer.pod_fabrics import PRICE_IDS

    ids = set(catalog.servers) | set(catalog.storage) | set(catalog.switches)
    return ids | set(PART_NUMBERS) | part_descriptions(catalog.links) | set(PRICE_IDS)


def load_prices(path: str | os.PathLike[str], catalog: Catalog) -> Any:
    """Read a ``--prices`` file (:func:`sizer.prices.read_prices`) against the catalog's
    part ids; raises SizerInputError with every problem of the file, located."""
    from sizer.prices import read_prices

    return read_prices(path, price_ids(catalog))


def load_scenario(
    path: str | os.PathLike[str],
    catalog: Catalog | None = None,
    *,
    display: str | None = None,
    source: bytes | None = None,
) -> Scenario:
    """Read, validate and cross-check a scenario file (see :func:`load_design`).

    Returns
    -------
    Scenario
        The validated file; :func:`sizer.resolve.resolve` turns it into a design.

    Raises
    ------
    SizerInputError
        Every problem found, each located ``file:line:col``.
    """
    return _load(path, catalog, display, source)[0]


def _load(
    path: str | os.PathLike[str],
    catalog: Catalog | None,
    display: str | None,
    source: bytes | None = None,
) -> tuple[Scenario, Design]:
    """The pipeline of input, in stages; every stage that can run on what the earlier
    ones left runs, and all their problems are raised together."""
    from pydantic import ValidationError

    from sizer.checks import design_issues, scenario_issues, unknown_id_issues
    from sizer.problems import validation_problems
    from sizer.resolve import resolve
    from sizer.schema import Scenario

    doc = read_yaml(path, display=display, keep_going=True, source=source)
    problems = doc.problems + _long_lines(doc)
    if catalog is None:
        from sizer.catalog import load_catalog

        catalog = load_catalog()
    try:
        sc = Scenario.model_validate(doc.data)
    except ValidationError as e:
        problems += _after(doc, problems, validation_problems(e, doc, Scenario))
        # the catalog ids of the parts that parsed, checked from the raw data
        ids = _located(doc, unknown_id_issues(doc.data, catalog))
        problems += _after(doc, problems, ids)
        raise SizerInputError(capped(sorted(problems, key=_position))) from None
    problems += _after(doc, problems, _located(doc, scenario_issues(sc, catalog)))
    if problems:
        raise SizerInputError(capped(sorted(problems, key=_position)))
    d = resolve(sc, catalog)
    problems = _located(doc, design_issues(d))
    if problems:
        raise SizerInputError(capped(problems))
    return sc, d


def _after(doc: YamlDoc, earlier: list[Problem], later: list[Problem]) -> list[Problem]:
    """The problems of a later stage that are new: not at a field an earlier stage already
    reported, nor under a value the YAML reader left out (it would only be 'missing')."""
    seen = {p.loc for p in earlier if p.loc}
    return [p for p in later if p.loc not in seen and not doc.left_out(p.loc)]


def _position(p: Problem) -> tuple[int, int]:
    """Problems are printed in file order (a stable sort: one place keeps its order)."""
    return (p.line or 0, p.col or 0)


def _long_lines(doc: YamlDoc) -> list[Problem]:
    """A line over :data:`~sizer.limits.MAX_LINE_CHARS` (the first; how many there are):
    the report prints the scenario verbatim, and its layout engine is slow on long lines."""
    long = [
        (i, len(ln)) for i, ln in enumerate(doc.text.splitlines(), 1) if len(ln) > MAX_LINE_CHARS
    ]
    if not long:
        return []
    i, n = long[0]
    more = f"; {len(long) - 1:,} more lines are too" if len(long) > 1 else ""
    msg = (
        f"line of {n:,} characters, over the {MAX_LINE_CHARS:,}-character limit for scenario "
        f"lines (the report prints the file verbatim){more}"
    )
    hint = "break the line, or fold long text with 'description: >'"
    return [Problem(doc.path, i, MAX_LINE_CHARS + 1, "", msg, hint, "file")]


def _located(doc: YamlDoc, issues: list[Issue]) -> list[Problem]:
    """Cross-check issues as problems located in the file."""
    probs = []
    for loc, msg, hint in issues:
        line, col = locate(doc, loc)
        probs.append(Problem(doc.path, line, col, fmt_loc(loc), msg, hint, "cross"))
    return probs
