"""Every limit on input and on the size of a design, with its environment override.

Pure: reads ``os.environ`` for the overrides and nothing else (no files).  The YAML reader
(:mod:`sizer.yamlfile`) enforces the file limits, the schema the count limits,
:func:`size_issues` the design limits before anything is built, and the scaling search checks the designs it builds with
:func:`design_paths` against :func:`path_limit`.  Figures measured in
``tests/test_limits.py``.
"""

from __future__ import annotations

import os
from typing import Any

from sizer.errors import Issue, Problem, input_error

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_NAME_CHARS",
    "MAX_NODES",
    "MAX_PATHS",
    "MAX_PROBLEMS",
    "MAX_SERVERS",
    "MAX_STORAGE_UNITS",
    "MAX_SUGGESTED",
    "MAX_SWITCH_PAIRS",
    "MAX_TEXT_CHARS",
    "MAX_WORD_CHARS",
    "MAX_WORKLOADS",
    "capped",
    "design_paths",
    "env_int",
    "path_limit",
    "size_issues",
    "switch_pair_limit",
    "text_problem",
]

#: Largest scenario or catalog file accepted (bytes).  Raise with SIZER_MAX_FILE_BYTES.
MAX_FILE_BYTES = 1_000_000
#: Largest number of YAML nodes accepted in one file.  Raise with SIZER_MAX_NODES.
MAX_NODES = 200_000
#: Deepest nesting accepted.
MAX_DEPTH = 64
#: Largest design analyzed: (servers x workloads on them) x storage units.  Every pair is
#: one route the analysis keeps (~120 B single-switch, ~180 B dual-switch): 5,000,000
#: take ~0.7-1 GB and 2-4 s (tests/test_limits.py).  Raise with SIZER_MAX_PATHS.
MAX_PATHS = 5_000_000
#: Largest leaf-spine fabric analyzed: leaves x spines bundles (~7 KB each with routing):
#: 512 x 128 take ~3.5 s and 0.5 GB.  Raise with SIZER_MAX_SWITCH_PAIRS.
MAX_SWITCH_PAIRS = 65_536
#: Upper bounds on one scenario's counts that keep a typo (10**7 servers) from turning into
#: a hang (the schema's ``le=``); fixed, see DESIGN.md.
MAX_SERVERS = 100_000
MAX_STORAGE_UNITS = 10_000
MAX_WORKLOADS = 1_000
#: Most problems printed for one file; the rest are counted in one last line.  A file of
#: 9,000 typos would otherwise print megabytes (and the fixes start at the first).
MAX_PROBLEMS = 100
#: Most unknown names of one kind that get a did-you-mean (each compares the name with
#: every known one): 9,000 unknown group names against 1,000 groups took 286 s.
MAX_SUGGESTED = 20


def env_int(name: str, default: int) -> int:
    """A positive integer limit from the environment; a bad value is an input error.

    Raises
    ------
    SizerInputError
        The variable is set to something other than a whole number >= 1 (``1_000`` and
        ``1,000`` are accepted).
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value < 1:
        msg = f"environment variable is {raw!r}; set it to a whole number of 1 or more, or unset it"
        raise input_error(name, msg, type="env")
    return value


#: Longest name (scenario, group, workload; catalog name or vendor), in characters.
MAX_NAME_CHARS = 200
#: Longest scenario description and catalog source or note, in characters.
MAX_TEXT_CHARS = 5_000
#: Longest word (run without a space) in any free text: the report's layout engine breaks
#: an unbreakable word slowly (a 100,000-character workload name ran past 5 minutes).
MAX_WORD_CHARS = 200
#: Longest line of a scenario file (the report's appendix prints the file verbatim; a
#: 50,000-character comment line took 31 s).
MAX_LINE_CHARS = 1_000

# Characters a terminal acts on (C0/C1 controls, DEL) and invisible format characters that
# make blank text look filled or reorder what is shown (zero-width space, bidi overrides).
_INVISIBLE = {0x00AD, 0x061C, 0x180E, 0x2060, 0xFEFF} | set(range(0x200B, 0x2010))
_INVISIBLE |= set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def text_problem(text: str, *, allowed: str = "", max_chars: int = MAX_NAME_CHARS) -> str | None:
    """What is wrong with a piece of free text that terminals and reports print, or None:
    a control or invisible character (other than those in ``allowed``), more than
    ``max_chars`` characters, or a word over :data:`MAX_WORD_CHARS`."""
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 or 0x7F <= o < 0xA0 or o in _INVISIBLE) and ch not in allowed:
            return (
                f"has the {'control' if o < 0xA0 else 'invisible'} character U+{o:04X} at "
                f"character {i + 1}; remove it (text is printed as is)"
            )
    if len(text) > max_chars:
        return f"is {len(text):,} characters long, over the limit of {max_chars:,}; shorten it"
    longest = max(text.split(), key=len, default="")
    if len(longest) > MAX_WORD_CHARS:
        return (
            f"has a word of {len(longest):,} characters ({longest[:20]!r}...), over the limit "
            f"of {MAX_WORD_CHARS}; put spaces in it"
        )
    return None


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems of each file, then one line per file saying how many
    more there are."""
    per_file: dict[str, int] = {}
    out: list[Problem] = []
    for p in problems:
        per_file[p.file] = per_file.get(p.file, 0) + 1
        if per_file[p.file] <= limit:
            out.append(p)
    for file, n in per_file.items():
        if n > limit:
            out.append(
                Problem(
                    file,
                    None,
                    None,
                    "",
                    f"and {n - limit:,} more problems",
                    f"only the first {limit} are shown; fix those and run again",
                    "more",
                )
            )
    return out


def path_limit() -> int:
    """:data:`MAX_PATHS`, or ``SIZER_MAX_PATHS`` when set."""
    return env_int("SIZER_MAX_PATHS", MAX_PATHS)


def switch_pair_limit() -> int:
    """:data:`MAX_SWITCH_PAIRS`, or ``SIZER_MAX_SWITCH_PAIRS`` when set."""
    return env_int("SIZER_MAX_SWITCH_PAIRS", MAX_SWITCH_PAIRS)


def design_paths(design: Any) -> int:
    """Server-to-storage paths of a resolved design: what :data:`MAX_PATHS` bounds.

    Scaling builds designs larger than the scenario (``sizer sweep --exact``); it checks
    them with this before running the full analysis.
    """
    flows = sum(design.servers[gi].count for w in design.workloads for gi in w.groups)
    return flows * sum(s.count for s in design.storage)


def size_issues(sc: Any) -> list[Issue]:
    """Designs too large to analyze in bounded memory (:data:`MAX_PATHS`,
    :data:`MAX_SWITCH_PAIRS`), checked on a validated scenario before anything is built."""
    out: list[Issue] = []
    counts = {g.name: g.count for g in sc.compute if g.name is not None}
    servers = sum(g.count for g in sc.compute)
    flows = sum(
        servers if w.groups is None else sum(counts.get(n, 0) for n in set(w.groups))
        for w in sc.workloads
    )
    units = sum(s.count for s in sc.storage)
    limit = path_limit()
    if flows * units > limit:
        who = f"{servers:,} servers" if flows == servers else f"{flows:,} server-workload pairs"
        out.append(
            (
                ("compute",),
                f"design too large to analyze: {who} x {units:,} storage units = "
                f"{flows * units:,} server-to-storage paths, over the limit of {limit:,} "
                f"(about {limit * 200 / 1e9:.1f} GB of memory)",
                "use fewer servers or storage units, or set SIZER_MAX_PATHS to raise the limit",
            )
        )
    net = sc.network
    if net.topology == "leaf-spine" and net.leaves is not None and net.spines is not None:
        pairs_limit = switch_pair_limit()
        if net.leaves * net.spines > pairs_limit:
            out.append(
                (
                    ("network", "leaves"),
                    f"fabric too large to analyze: {net.leaves:,} leaves x {net.spines:,} "
                    f"spines = {net.leaves * net.spines:,} leaf-spine bundles, over the "
                    f"limit of {pairs_limit:,}",
                    "use fewer leaves or spines, or set SIZER_MAX_SWITCH_PAIRS to raise the limit",
                )
            )
    return out
