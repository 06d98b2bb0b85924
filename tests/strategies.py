"""Hypothesis strategies for scenario files: structurally valid ones and mutated broken ones.

* :func:`scenario_data` draws a scenario as plain data from the built-in catalog's ids:
  random servers, storage units, switches, topologies, workloads, caches, targets and
  memory questions.  Counts are kept small (the fuzzer wants many inputs per second;
  tests/test_limits.py covers the big ones).  Many draws are still rejected by the
  cross-field checks (a switch without enough ports, Ethernet servers on an InfiniBand
  switch, a model without a throughput figure for that GPU): both outcomes are fine.
* :func:`mutated_text` takes such data and breaks it: keys deleted, duplicated or
  renamed, values replaced by wrong types, unit strings mangled, huge and tiny numbers,
  NaN/inf spellings, unicode, deep nesting; then text-level damage (truncation, tabs,
  aliases, tags, stray bytes, BOM, CRLF).
* :func:`scenario_text` is either of the two, serialised as YAML bytes.

The profile (how many examples, derandomized for CI) is chosen by the test modules; see
:data:`CI_EXAMPLES` in tests/test_fuzz.py and benchmarks/fuzz_long.py.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import strategies as st

# Ids of the built-in catalog (tests/test_fuzz.py checks they still exist).
SERVERS = [
    "dgx-1",
    "dgx-1-32gb",
    "dgx-2",
    "dgx-a100",
    "dgx-a100-40gb",
    "dgx-b200",
    "dgx-h100",
    "dgx-h200",
    "generic-gpu-server",
]
GPUS = ["a100-sxm4-80gb", "h100-sxm5-80gb", "v100-sxm2-16gb", "b200", "p100-sxm2-16gb"]
STORAGE = ["ddn-ai400x2-turbo", "ess-3000", "ess-3200", "ess-3500", "ibm-sss-6000"]
SWITCHES = ["qm8700", "qm9700", "sb7700", "sb7800", "sn4600", "sn4600c"]
LINKS = ["edr-ib", "hdr-ib", "ndr-ib", "eth-100g", "eth-200g"]
MODELS = [
    "alexnet",
    "cosmoflow-mlperf",
    "fio-read",
    "googlenet",
    "inception-v3",
    "resnet-152",
    "resnet-50",
    "resnet-50-mlperf",
    "unet3d-mlperf",
    "vgg-16",
]
DATASETS = ["imagenet", "imagenet-tfrecord", "kits19", "synthetic", "cosmoflow"]
MEMORY_MODELS = ["resnet-50", "vgg-16", "alexnet", "llama-2-7b", "gpt-3-175b"]
TOPOLOGIES = ["single-switch", "dual-switch", "leaf-spine"]
PRECISIONS = ["fp32", "fp16", "bf16", "tf32", "fp8", "int8"]
PHASES = ["training", "inference"]

#: Text that YAML or sizer might mis-read: NaN/inf spellings, unit-like junk, markup.
NASTY_SCALARS = [
    ".nan",
    ".NaN",
    ".inf",
    "-.inf",
    "+.INF",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e999",
    "-1e999",
    "1e-999",
    "0x1F",
    "0o17",
    "1_000",
    "1,000",
    "١٢",  # Arabic-Indic digits
    "２",  # fullwidth digit
    "1e308",
    "5e-324",
    "-0",
    "-0.0",
    "",
    " ",
    "~",
    "null",
    "yes",
    "no",
    "on",
    "off",
    "=",
    "<<",
    "2019-01-01",
    "12:30:00",
    "NaN GB/s",
    "inf Gb/s",
    "1e400 GB/s",
    "-5 GB/s",
    "10 gbps",
    "10 GBPS",
    "10 G",
    "10 GiB/s/s",
    "10 TB",
    "1,00 GB/s",
    "1.2.3 GB/s",
    "GB/s",
    "40 GB/s" * 50,
    "\u202e40 GB/s",  # right-to-left override
    "40\u00a0GB/s",  # no-break space
    "4\u200b0 GB/s",  # zero-width space
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "../../etc/passwd",
    "\x1b[31mred\x1b[0m",
    "a\nb",
    "\ud7ff\ue000\U0010ffff",
    "🚀" * 20,
]

#: Numbers at and beyond every bound the schema has, plus Python's awkward ones.
NASTY_NUMBERS: list[Any] = [
    0,
    -1,
    1,
    2**31,
    2**63,
    -(2**63),
    10**20,
    10**400,
    100_000,
    100_001,
    10**7,
    0.5,
    -0.0,
    1e-300,
    5e-324,
    1.7976931348623157e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    True,
    False,
    None,
]

RATE_STRINGS = [
    "20 GB/s",
    "100 Gb/s",
    "12.5GBps",
    "100 Gbit/s",
    "1e3 MB/s",
    "1,000 MB/s",
    "40 GByte/s",
    "1 TB/s",
    "0 GB/s",
    "0.001 kB/s",
]


def _finite_float(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")


def _catalog_facts() -> dict[str, Any]:
    """What fits together in the built-in catalog: link kinds, ports, throughput rows."""
    from sizer.catalog import load_catalog

    cat = load_catalog()
    kind = {lid: link.kind for lid, link in cat.links.items()}
    runs: dict[str, list[tuple[str, str, str]]] = {}
    for sid in SERVERS:
        srv = cat.servers[sid]
        rows = [("fio-read", "fp16", "training")]
        for m in MODELS:
            for pr in PRECISIONS:
                for ph in PHASES:
                    try:
                        cat.throughput(m, srv.gpu, pr, ph)
                    except Exception:
                        continue
                    rows.append((m, pr, ph))
        runs[sid] = rows
    return {
        "server_kind": {s: kind[cat.servers[s].storage_link] for s in SERVERS},
        "server_gpus": {s: cat.servers[s].gpu_count.value for s in SERVERS},
        "unit_kind": {u: kind[cat.storage[u].link] for u in STORAGE},
        "switch_kind": {w: kind[cat.switches[w].link] for w in SWITCHES},
        "switch_ports": {w: cat.switches[w].ports.value for w in SWITCHES},
        "runs": runs,
        "read_benchmarks": {m for m in MODELS if cat.models[m].kind == "read-benchmark"},
    }


_FACTS: dict[str, Any] = {}


def facts() -> dict[str, Any]:
    if not _FACTS:
        _FACTS.update(_catalog_facts())
    return _FACTS


@st.composite
def scenario_data(draw: st.DrawFn, coherent: bool | None = None) -> dict[str, Any]:
    """A scenario as plain data, built from catalog ids.

    ``coherent`` (default: drawn, 4 in 5) picks servers and storage of the switch's link
    kind, counts that fit the ports, models with a throughput row for the GPU and GPU
    shares that add up, so most such scenarios reach the analysis; otherwise ids are
    combined at random and the cross-field checks reject most of them.
    """
    f = facts()
    if coherent is None:
        coherent = draw(st.integers(0, 4)) != 0
    switch = draw(st.sampled_from(SWITCHES))
    kind = f["switch_kind"][switch]
    servers = [s for s in SERVERS if f["server_kind"][s] == kind and len(f["runs"][s]) > 1]
    units = [u for u in STORAGE if f["unit_kind"][u] == kind]
    if not coherent or not servers or not units:
        servers, units, coherent = SERVERS, STORAGE, False
    topology = draw(st.sampled_from(TOPOLOGIES))
    max_count = 40 if not coherent else (3 if topology == "single-switch" else 6)
    n_groups = draw(st.integers(1, 3))
    group_names = draw(
        st.lists(names, min_size=n_groups, max_size=n_groups, unique_by=lambda s: s.strip())
    )
    named = draw(st.booleans())
    compute = []
    for i in range(n_groups):
        g: dict[str, Any] = {
            "server": draw(st.sampled_from(servers)),
            "count": draw(st.integers(1, max_count)),
        }
        if named:
            g["name"] = group_names[i]
        if draw(st.integers(0, 5)) == 0:
            ov: dict[str, Any] = {}
            for key, strat in (
                ("gpu", st.sampled_from(GPUS)),
                ("gpu_count", st.integers(1, 16)),
                ("storage_ports", st.integers(1, 8)),
                ("storage_link", st.sampled_from(LINKS)),
                ("ingest_limit", st.sampled_from(RATE_STRINGS)),
                ("preprocessing_rate", _finite_float(1.0, 1e6)),
            ):
                if draw(st.booleans()) and not (coherent and key in ("gpu", "storage_link")):
                    ov[key] = draw(strat)
            g["overrides"] = ov
        compute.append(g)
    storage = []
    for _ in range(draw(st.integers(1, 2))):
        s: dict[str, Any] = {
            "unit": draw(st.sampled_from(units)),
            "count": draw(st.integers(1, 3 if coherent else 12)),
        }
        if draw(st.integers(0, 4)) == 0:
            s["ports"] = draw(st.integers(1, 4 if coherent else 16))
        storage.append(s)
    network: dict[str, Any] = {"topology": topology, "switch": switch}
    if topology == "leaf-spine":
        network["leaves"] = draw(st.integers(1, 12))
        network["spines"] = draw(st.integers(1, 6))
        if draw(st.booleans()):
            network["oversubscription"] = draw(st.sampled_from([1, 1.5, 2, 3, 4, 8]))
        if draw(st.integers(0, 3)) == 0:
            network["storage_leaves"] = draw(st.integers(0, 4))
    elif topology == "dual-switch" and draw(st.booleans()):
        network["isl_links"] = draw(st.integers(0, 8))
    workloads = []
    n_work = draw(st.integers(1, 3))
    for _ in range(n_work):
        if coherent:
            gi = draw(st.integers(0, n_groups - 1))
            model, precision, phase = draw(st.sampled_from(f["runs"][compute[gi]["server"]]))
            w: dict[str, Any] = {"model": model, "precision": precision, "phase": phase}
            if named:
                w["groups"] = [group_names[gi]]
            elif n_groups > 1:
                model = "fio-read"  # runs on every group: the one model every GPU has
                w = {"model": model}
            if n_work > 1 or draw(st.booleans()):
                w["gpus_per_server"] = draw(st.integers(1, 2))
        else:
            model = draw(st.sampled_from(MODELS))
            w = {"model": model}
            if draw(st.booleans()):
                w["phase"] = draw(st.sampled_from(PHASES))
            if draw(st.booleans()):
                w["precision"] = draw(st.sampled_from(PRECISIONS))
            if draw(st.integers(0, 2)) == 0:
                w["dataset"] = draw(st.sampled_from(DATASETS))
            if draw(st.integers(0, 2)) == 0:
                w["gpus_per_server"] = draw(st.integers(1, 8))
            if named and draw(st.integers(0, 2)) == 0:
                w["groups"] = draw(st.lists(st.sampled_from(group_names), min_size=1, unique=True))
        if draw(st.integers(0, 2)) == 0 and not (coherent and model in f["read_benchmarks"]):
            w["cache"] = draw(st.one_of(st.just("auto"), _finite_float(0.0, 1.0)))
        if draw(st.integers(0, 3)) == 0:
            w["name"] = draw(names)
        workloads.append(w)
    data: dict[str, Any] = {
        "name": draw(names),
        "compute": compute,
        "storage": storage,
        "network": network,
        "workloads": workloads,
    }
    if draw(st.integers(0, 3)) == 0:
        data["description"] = draw(st.text(max_size=200))
    if draw(st.integers(0, 3)) == 0:
        data["target"] = draw(
            st.one_of(
                st.fixed_dictionaries({"images_per_sec": _finite_float(1.0, 1e7)}),
                st.fixed_dictionaries({"gpu_data_utilization": _finite_float(0.01, 1.0)}),
            )
        )
    if draw(st.integers(0, 4)) == 0:
        cases = []
        for _ in range(draw(st.integers(1, 2))):
            m = draw(st.sampled_from(MEMORY_MODELS))
            case: dict[str, Any] = {"model": m, "batch": draw(st.integers(1, 512))}
            cnn = m not in ("llama-2-7b", "gpt-3-175b")
            if (cnn or not coherent) and draw(st.booleans()):
                case["image"] = draw(st.sampled_from(["224x224", "299", "64x96"]))
            if (not cnn or not coherent) and draw(st.booleans()):
                case["seq"] = draw(st.integers(1, 8192))
            cases.append(case)
        data["memory"] = cases
    return data


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a nested dict/list (the root excluded)."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.append((*prefix, i))
            out += _paths(v, (*prefix, i))
    return out


def _parent(obj: Any, path: tuple[Any, ...]) -> Any:
    for p in path[:-1]:
        obj = obj[p]
    return obj


junk_values: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(NASTY_SCALARS),
    st.sampled_from(NASTY_NUMBERS),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.integers(1, 70).map(lambda n: _nest(n)),
)


def _nest(n: int) -> Any:
    v: Any = "deep"
    for i in range(n):
        v = [v] if i % 2 else {"k": v}
    return v


def _typo(key: str, i: int) -> str:
    variants = [
        key.upper(),
        key.replace("_", "-"),
        key[:-1] if len(key) > 1 else key + key,
        key + "s",
        " " + key,
        key.title(),
        key + "\u200b",
        "",
    ]
    return variants[i % len(variants)]


@st.composite
def mutated_data(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with 1-4 structural mutations (delete, rename, replace, duplicate list item)."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        key = path[-1]
        op = draw(st.sampled_from(["delete", "rename", "replace", "replace", "dup", "wrap"]))
        if op == "delete":
            del parent[key]
        elif op == "rename" and isinstance(key, str):
            new = _typo(key, draw(st.integers(0, 7)))
            parent[new] = parent.pop(key)
        elif op == "dup" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "wrap":
            parent[key] = draw(st.sampled_from([[parent[key]], {"value": parent[key]}]))
        else:
            parent[key] = draw(junk_values)
    return data


def dump(data: Any) -> str:
    """YAML text of ``data`` the way a person would write it (block style, key order kept)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


@st.composite
def text_damage(draw: st.DrawFn, text: str) -> bytes:
    """Text-level damage a file can suffer: cut, tabs, aliases, tags, bytes, BOM, CRLF."""
    lines = text.splitlines(keepends=True) or ["\n"]
    op = draw(
        st.sampled_from(
            [
                "truncate",
                "tab",
                "alias",
                "tag",
                "bytes",
                "bom",
                "crlf",
                "dup-line",
                "dup-key",
                "indent",
                "splice",
                "merge",
                "doc",
                "none",
            ]
        )
    )
    i = draw(st.integers(0, len(lines) - 1))
    if op == "truncate":
        cut = draw(st.integers(0, len(text)))
        return text[:cut].encode("utf-8", "surrogatepass")
    if op == "tab":
        lines[i] = "\t" + lines[i]
    elif op == "alias":
        lines.insert(0, "x-anchor: &a 1\n")
        lines.insert(i + 1, "  - *a\n")
    elif op == "tag":
        tag = draw(st.sampled_from(["!!python/object:os.system", "!custom", "!!binary", "!!set"]))
        lines[i] = lines[i].replace(": ", f": {tag} ", 1)
    elif op == "bytes":
        junk = draw(st.binary(min_size=1, max_size=8))
        raw = "".join(lines).encode("utf-8", "surrogatepass")
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + junk + raw[at:]
    elif op == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    elif op == "crlf":
        return text.replace("\n", "\r\n").encode("utf-8", "surrogatepass")
    elif op in ("dup-line", "dup-key"):
        lines.insert(i, lines[i])
    elif op == "indent":
        lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
    elif op == "splice":
        piece = draw(
            st.sampled_from(
                [
                    "{",
                    "[",
                    '"',
                    "'",
                    ": :",
                    "- ",
                    "? ",
                    "|",
                    ">",
                    "%YAML 1.1\n",
                    "&x ",
                    "*x",
                    "#",
                    "\x00",
                    "\x1b",
                    "\u2028",
                    "\ufeff",
                ]
            )
        )
        at = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + piece + lines[i][at:]
    elif op == "merge":
        lines.append("base: &b {count: 1}\nmore:\n  <<: *b\n")
    elif op == "doc":
        lines.append("---\nname: second\n")
    return "".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    """A broken scenario file: structural mutations and/or text damage of a valid one."""
    data = draw(scenario_data())
    if draw(st.integers(0, 3)) != 0:
        data = draw(mutated_data(data))
    return draw(text_damage(dump(data)))


@st.composite
def scenario_text(draw: st.DrawFn) -> bytes:
    """Either a (possibly cross-field-invalid) scenario or a broken one, as file bytes."""
    if draw(st.booleans()):
        return dump(draw(scenario_data())).encode("utf-8", "surrogatepass")
    return draw(mutated_text())
