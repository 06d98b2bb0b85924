"""Load a scenario file: read it, validate it, cross-check it against the catalog.

:func:`load_scenario` is the whole pipeline of input:

1. read the YAML safely, with the line and column of every value (:mod:`sizer.yamlfile`);
2. validate it against the schema (:mod:`sizer.schema`), every pydantic error located
   (:mod:`sizer.problems`);
3. cross-check it against the catalog and the limits (:mod:`sizer.checks`), every issue
   located in the file.

Everything rejected becomes a :class:`~sizer.errors.Problem` with ``file:line:col`` so the
CLI prints one clear line per problem and exits 2.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sizer.errors import Problem, SizerInputError

# Re-exported for importers not yet moved to the modules that now hold them:
# sizer.scaling (design_paths, path_limit -> sizer.limits) and sizer.report
# (locate, read_yaml -> sizer.yamlfile).
from sizer.limits import design_paths, path_limit
from sizer.yamlfile import fmt_loc, locate, read_yaml

if TYPE_CHECKING:
    from sizer.catalog import Catalog
    from sizer.schema import Scenario

__all__ = ["design_paths", "load_scenario", "locate", "path_limit", "read_yaml"]


def load_scenario(
    path: str | os.PathLike[str], catalog: Catalog | None = None, *, display: str | None = None
) -> Scenario:
    """Read, validate and cross-check a scenario file.

    Parameters
    ----------
    path : path-like
        The scenario YAML.
    catalog : Catalog, optional
        Default: the built-in catalog.
    display : str, optional
        The file name to print in messages (default: the path as given).

    Returns
    -------
    Scenario

    Raises
    ------
    SizerInputError
        Every problem found, each located ``file:line:col``.
    """
    from pydantic import ValidationError

    from sizer.checks import scenario_issues
    from sizer.problems import validation_problems
    from sizer.schema import Scenario

    doc = read_yaml(path, display=display)
    try:
        sc = Scenario.model_validate(doc.data)
    except ValidationError as e:
        raise SizerInputError(validation_problems(e, doc, Scenario)) from None
    if catalog is None:
        from sizer.catalog import load_catalog

        catalog = load_catalog()
    issues = scenario_issues(sc, catalog)
    if issues:
        probs = []
        for loc, msg, hint in issues:
            line, col = locate(doc, loc)
            probs.append(Problem(doc.path, line, col, fmt_loc(loc), msg, hint, "cross"))
        raise SizerInputError(probs)
    return sc
