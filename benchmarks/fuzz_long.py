"""The long fuzz profile, on demand: random seeds, every finding collected, a summary.

Runs the same checks as tests/test_fuzz.py (CliRunner, any exception other than exit 0/2
with clean error lines is a finding, SIGALRM on a hang) for a wall-clock budget, in
batches of examples with fresh random seeds.  Unlike pytest it does not stop at the first
failure: each failing input is recorded (first line of the finding, the input's bytes)
and the run goes on.

    python benchmarks/fuzz_long.py --minutes 30            # all fuzzers, round robin
    python benchmarks/fuzz_long.py --minutes 5 --only mutated --seed 1234

Prints one line per batch, then: inputs run per fuzzer, outcomes, duration, and the
distinct findings with one reproducing input each (also written to --out as JSON).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hyp_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests import strategies as S  # noqa: E402
from tests import strategies_catalog as SC  # noqa: E402
from tests import strategies_prices as SP  # noqa: E402
from tests.test_fuzz import Finding, check_result, check_scenario_file, invoke  # noqa: E402
from tests.test_fuzz_catalogs import check_catalog_command  # noqa: E402
from tests.test_fuzz_prices import check_price_command  # noqa: E402


def _scaling(work: Path, data: dict[str, Any], cmd: list[str]) -> str:
    p = work / "fuzz.yaml"
    p.write_bytes(S.dump(data).encode())
    r = invoke([cmd[0], str(p), *cmd[1:]])
    check_result(r, [str(p)], json_out=r.exit_code == 0, ok_codes=(0, 1))
    return {0: "ok", 1: "not-met", 2: "rejected"}[r.exit_code]


FUZZERS: dict[str, tuple[dict[str, Any], Callable[..., str], str]] = {
    # name -> (strategies, check(work, **drawn) -> outcome, what the input file is)
    "valid": (
        {"data": S.scenario_data()},
        lambda work, data: check_scenario_file(_file(work, S.dump(data).encode())),
        "data",
    ),
    "mutated": (
        {"raw": S.mutated_text()},
        lambda work, raw: check_scenario_file(_file(work, raw)),
        "raw",
    ),
    "render": (
        {"data": S.scenario_data()},
        lambda work, data: check_scenario_file(
            _file(work, S.dump(data).encode()), render_dir=work / "out"
        ),
        "data",
    ),
    "prices": (
        {"prices": SP.price_file(), "cmd": st.sampled_from([*SP.PRICE_COMMANDS, ["render"]])},
        lambda work, prices, cmd: check_price_command(work, prices, cmd),
        "prices",
    ),
    "catalog": (
        {"cat": SC.catalog_data(), "cmd": st.sampled_from(SC.CATALOG_COMMANDS)},
        lambda work, cat, cmd: check_catalog_command(work, cat, cmd),
        "cat",
    ),
    "scaling": (
        {
            "data": S.scenario_data(),
            "cmd": st.sampled_from(
                [["size", "--json"], ["sweep", "--json"], ["failures", "--json"]]
            ),
        },
        _scaling,
        "data",
    ),
}


def _file(work: Path, raw: bytes) -> Path:
    p = work / "fuzz.yaml"
    p.write_bytes(raw)
    return p


def run_batch(
    name: str, work: Path, n: int, seed: int, findings: dict[str, dict[str, Any]]
) -> Counter[str]:
    """Run ``n`` examples of one fuzzer in this process; add findings; return outcomes."""
    strategies, check, key = FUZZERS[name]
    outcomes: Counter[str] = Counter()

    @hyp_seed(seed)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=["generate"],  # no shrinking: keep going, record the input as drawn
        suppress_health_check=list(HealthCheck),
    )
    @given(**strategies)
    def body(**drawn: Any) -> None:
        try:
            outcomes[check(work, **drawn)] += 1
        except Finding as e:
            outcomes["finding"] += 1
            head = str(e).splitlines()[0][:300]
            sig = f"{name}: {head}"
            if sig not in findings:
                value = drawn[key]
                findings[sig] = {
                    "fuzzer": name,
                    "seed": seed,
                    "finding": str(e)[:4000],
                    "input": value.decode("utf-8", "replace")
                    if isinstance(value, bytes)
                    else S.dump(value[1] if isinstance(value, tuple) else value),
                    "count": 0,
                }
            findings[sig]["count"] += 1

    body()
    return outcomes


def _batch_in_child(job: tuple[str, Path, int, int]) -> tuple[Counter[str], dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    return run_batch(*job, found), found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--batch", type=int, default=200, help="examples per seed")
    ap.add_argument("--only", choices=sorted(FUZZERS), action="append")
    ap.add_argument("--seed", type=int, default=None, help="first seed (default: random)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-findings.json"))
    args = ap.parse_args()

    names = args.only or [
        "valid",
        "mutated",
        "catalog",
        "valid",
        "mutated",
        "catalog",
        "render",
        "scaling",
        "prices",
    ]
    rng = random.Random(args.seed)
    findings: dict[str, dict[str, Any]] = {}
    totals: dict[str, Counter[str]] = {}
    t0 = time.monotonic()
    deadline = t0 + args.minutes * 60
    i = 0
    # Batches run in a child process, a fresh one every 10 batches: the harness (CliRunner
    # results kept by hypothesis) grows by ~50 KB per input, sizer itself does not.
    ctx = multiprocessing.get_context("fork")
    with (
        tempfile.TemporaryDirectory(prefix="sizer-fuzz-long-") as tmp,
        ctx.Pool(1, maxtasksperchild=10) as pool,
    ):
        work = Path(tmp)
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            seed = rng.randrange(2**32)
            n = args.batch // 4 if name in ("render", "scaling", "catalog") else args.batch
            got, found = pool.apply(_batch_in_child, ((name, work, n, seed),))
            for sig, f in found.items():
                if sig in findings:
                    findings[sig]["count"] += f["count"]
                else:
                    findings[sig] = f
            totals.setdefault(name, Counter()).update(got)
            i += 1
            print(
                f"[{time.monotonic() - t0:7.0f} s] {name:8} seed {seed:10}: {dict(got)}",
                flush=True,
            )
    elapsed = time.monotonic() - t0
    total = sum(sum(c.values()) for c in totals.values())
    print(f"\n{total:,} inputs in {elapsed / 60:.1f} min ({total / elapsed:.1f}/s)")
    for name, c in sorted(totals.items()):
        print(f"  {name:8} {sum(c.values()):7,}  {dict(sorted(c.items()))}")
    print(f"{len(findings)} distinct finding(s)")
    for sig, f in findings.items():
        print(f"\n--- {sig} (x{f['count']}, seed {f['seed']})\n{f['input'][:1500]}")
    args.out.write_text(
        json.dumps(
            {
                "inputs": total,
                "seconds": elapsed,
                "per_fuzzer": {k: dict(v) for k, v in totals.items()},
                "findings": list(findings.values()),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
