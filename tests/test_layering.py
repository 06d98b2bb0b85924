"""The architecture, checked: imports run one way, and the core is pure.

Layers, from the bottom (README, "Layout"):

* foundation -- ``errors``, ``units``, ``limits``, ``paths``, ``text``;
* input -- ``yamlfile`` (the one module that reads YAML files) and its ``yaml_syntax``,
  ``problems``, ``catalog_entries``, ``catalog``, ``schema``;
* core -- ``design`` and its ``resolve``, ``hosts``, ``topology``, ``ports``, ``routing``, ``flows``,
  ``model``, ``reduction``, ``problem``, ``analysis``, ``transfer``, ``scaling``, ``bom``, ``memory`` and its ``activations``,
  ``memory_inputs``, ``memory_parallel``,
  ``networks``, ``netdefs``: data in, data out;
* validation -- ``checks``, ``loader`` (read -> validate -> check);
* shell -- ``console`` (terminal), ``report`` (HTML/PDF files), ``cli``.

Every import counts, at any depth (inside functions too), except under
``if TYPE_CHECKING:``.  The test fails on any import cycle among sizer's modules, on
the core or the input layer importing a shell or validation module or a shell library
(click, rich, jinja2, weasyprint), on the core calling file or terminal I/O, and on the
report importing the terminal.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PKG = Path(__file__).resolve().parents[1] / "sizer"

FOUNDATION = {"errors", "units", "limits", "paths", "text"}
INPUT = {"yamlfile", "yaml_syntax", "problems", "catalog_entries", "catalog", "schema", "prices"}
CORE = {
    "design",
    "resolve",
    "topology",
    "ports",
    "routing",
    "flows",
    "model",
    "reduction",
    "problem",
    "analysis",
    "transfer",
    "result",
    "scaling",
    "bom",
    "capacity",
    "racks",
    "pod_fabrics",
    "cost",
    "memory",
    "activations",
    "memory_inputs",
    "memory_parallel",
    "networks",
    "netdefs",
    "checkpoint",
    "checkpointing",
    "hosts",
    "access",
    "protocols",
}
SHELL_LIBS = {"click", "rich", "jinja2", "weasyprint"}
#: calls that read or write files or the terminal
IO_CALLS = {"open", "print", "input"}
IO_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes", "open", "unlink", "mkdir"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_pkg: bool) -> set[str]:
    """Absolute names imported anywhere in ``tree`` outside ``if TYPE_CHECKING:``."""
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from pkg import mod`` imports pkg.mod; ``from mod import name``, mod
            out.update(f"{prefix}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _graph() -> tuple[nx.DiGraph, dict[str, ast.AST], dict[str, set[str]]]:
    trees: dict[str, ast.AST] = {}
    raw: dict[str, set[str]] = {}
    for path in sorted(PKG.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        trees[name] = tree
        raw[name] = _imports(tree, name, path.name == "__init__.py")
    g = nx.DiGraph()
    g.add_nodes_from(trees)
    for name, names in raw.items():
        for imp in names:
            # the longest known module the name falls in (sizer.scaling.sweep.sweep -> .sweep)
            parts = imp.split(".")
            for k in range(len(parts), 0, -1):
                cand = ".".join(parts[:k])
                if cand in trees:
                    if cand != name:
                        g.add_edge(name, cand)
                    break
    return g, trees, raw


GRAPH, TREES, RAW = _graph()


def _layer(module: str) -> str:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top in FOUNDATION:
        return "foundation"
    if top in INPUT:
        return "input"
    if top in CORE:
        return "core"
    if top in {"checks", "loader"}:
        return "validation"
    return "shell"  # cli, console, report, __init__, __main__


def test_graph_covers_the_package() -> None:
    assert "sizer.analysis" in GRAPH
    assert ("sizer.analysis", "sizer.model") in GRAPH.edges
    assert ("sizer.scaling.lumped", "sizer.model") in GRAPH.edges


def test_no_import_cycle() -> None:
    cycles = [c for c in nx.simple_cycles(GRAPH) if len(c) > 1]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


@pytest.mark.parametrize(
    "module", sorted(m for m in TREES if _layer(m) in {"foundation", "input", "core"})
)
def test_core_imports_no_shell(module: str) -> None:
    """Foundation, input and core modules import nothing above them and no shell
    library, directly or through another sizer module."""
    rank = {"foundation": 0, "input": 1, "core": 2, "validation": 3, "shell": 4}
    mine = rank[_layer(module)]
    reach = nx.descendants(GRAPH, module) | {module}
    above = sorted(m for m in reach if rank[_layer(m)] > mine and m != "sizer")
    assert not above, f"{module} reaches {above}"
    libs = {imp.split(".")[0] for m in reach for imp in RAW[m] if imp.split(".")[0] in SHELL_LIBS}
    assert not libs, f"{module} reaches {sorted(libs)}"


@pytest.mark.parametrize("module", sorted(m for m in TREES if _layer(m) == "core"))
def test_core_does_no_io(module: str) -> None:
    """The core computes: no file or terminal I/O calls (those are the loader's, the
    report's and the terminal's)."""
    bad = []
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in IO_CALLS:
                bad.append(f"{f.id}() at line {node.lineno}")
            elif isinstance(f, ast.Attribute) and f.attr in IO_METHODS:
                bad.append(f".{f.attr}() at line {node.lineno}")
    assert not bad, f"{module}: " + ", ".join(bad)


def test_report_never_imports_the_terminal() -> None:
    for m in TREES:
        if m.startswith("sizer.report"):
            reach = nx.descendants(GRAPH, m)
            bad = sorted(x for x in reach if x.startswith(("sizer.console", "sizer.cli")))
            assert not bad, f"{m} reaches {bad}"
