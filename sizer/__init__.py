"""sizer: size GPU PODs (servers, InfiniBand fabric, parallel-file-system storage).

The public surface (README, "Python"); everything else is internal::

    >>> import sizer
    >>> d = sizer.load_design("scenarios/ra-9x-dgx1-3x-ess3000.yaml")
    >>> sizer.analyze_design(d).bottleneck is None
    True

The built-in catalog is used unless a :class:`Catalog` is given
(``sizer.load_catalog(["my-catalog/"])``).  Every result has ``to_json()``, a
JSON-ready dict with the keys of the matching ``--json`` output.

Imports are lazy: ``import sizer`` (and ``sizer --help``) loads no numpy or networkx;
a name is imported on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sizer.analysis import Analysis, analyze_design
    from sizer.catalog import Catalog, load_catalog
    from sizer.design import Design
    from sizer.errors import SizerInputError, TargetNotMetError
    from sizer.loader import load_design, load_scenario
    from sizer.memory import MemoryEstimate, estimate_memory
    from sizer.scaling import (
        Comparison,
        FailureStudy,
        SizingResult,
        SizingStudy,
        SweepResult,
        compare,
        evaluate,
        failure_study,
        headroom,
        max_servers,
        size_storage,
        size_study,
        sweep,
    )
    from sizer.schema import Scenario

__all__ = [
    "Analysis",
    "Catalog",
    "Comparison",
    "Design",
    "FailureStudy",
    "MemoryEstimate",
    "Scenario",
    "SizerInputError",
    "SizingResult",
    "SizingStudy",
    "SweepResult",
    "TargetNotMetError",
    "__version__",
    "analyze",
    "analyze_design",
    "compare",
    "estimate_memory",
    "evaluate",
    "failure_study",
    "headroom",
    "load_catalog",
    "load_design",
    "load_scenario",
    "max_servers",
    "size_storage",
    "size_study",
    "sweep",
]

#: public name -> the module that defines it (imported on first use)
_WHERE = {
    "Analysis": "sizer.analysis",
    "analyze_design": "sizer.analysis",
    "Catalog": "sizer.catalog",
    "load_catalog": "sizer.catalog",
    "Design": "sizer.design",
    "SizerInputError": "sizer.errors",
    "TargetNotMetError": "sizer.errors",
    "load_design": "sizer.loader",
    "load_scenario": "sizer.loader",
    "MemoryEstimate": "sizer.memory",
    "estimate_memory": "sizer.memory",
    "Scenario": "sizer.schema",
    **{
        n: "sizer.scaling"
        for n in (
            "Comparison",
            "FailureStudy",
            "SizingResult",
            "SizingStudy",
            "SweepResult",
            "compare",
            "evaluate",
            "failure_study",
            "headroom",
            "max_servers",
            "size_storage",
            "size_study",
            "sweep",
        )
    },
}


def analyze(scenario: Scenario, catalog: Catalog | None = None) -> Analysis:
    """Analyze a validated scenario (:func:`load_scenario`) against ``catalog`` (default:
    the built-in catalog); :func:`analyze_design` takes a loaded design instead.

    >>> import sizer
    >>> a = sizer.analyze(sizer.load_scenario("scenarios/ra-1x-dgx1-1x-ess3000.yaml"))
    >>> a.bottleneck is None
    True
    """
    from sizer.analysis import analyze as _analyze

    if catalog is None:
        from sizer.catalog import load_catalog as _load

        catalog = _load()
    return _analyze(scenario, catalog)


def __getattr__(name: str) -> Any:
    # Lazy: `sizer --help` must not import numpy/scipy/networkx.
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sizer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | {"__version__"})
