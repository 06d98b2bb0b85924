"""sizer: size GPU PODs (servers, InfiniBand fabric, parallel-file-system storage).

Public surface (everything else is internal)::

    from sizer import load_scenario, analyze
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "analyze", "estimate_memory", "load_scenario", "sweep"]


def __getattr__(name: str) -> Any:
    # Lazy: `sizer --help` must not import numpy/scipy/networkx.
    if name == "load_scenario":
        from sizer.loader import load_scenario

        return load_scenario
    if name == "analyze":
        from sizer.analysis import analyze

        return analyze
    if name == "sweep":
        from sizer.scaling import sweep

        return sweep
    if name == "estimate_memory":
        from sizer.memory import estimate_memory

        return estimate_memory
    raise AttributeError(name)
