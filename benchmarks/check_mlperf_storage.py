"""Check sizer against published MLPerf Storage v1.0 results (issue 12).

Run ``python benchmarks/check_mlperf_storage.py``.  For each published result it loads
the scenario in ``benchmarks/mlperf_check/`` (the submitted system drawn from its system
description and the catalog, user catalog ``benchmarks/mlperf_check/catalog``), asks
:func:`sizer.scaling.accelerators.max_accelerators` for the most accelerators per host at
the workload's bar, and prints it next to the published accelerator count, with the read
throughput sizer predicts at the *published* count next to the published throughput.

The published figures live only here (:data:`PUBLISHED`), each with the path of its
``mlperf_storage_report.json`` in https://github.com/mlcommons/storage_results_v1.0 as
the citation.  DLIO's ``train_throughput_mean_MB_per_second`` is MiB/s
(samples/s x record bytes / 2^20); it is converted here to decimal GB/s.

A report, not a test: the exit status is always 0.  Nothing is tuned to these results.
"""

from __future__ import annotations

import pathlib
import statistics
import sys
from dataclasses import dataclass

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from sizer.catalog import load_catalog
from sizer.loader import load_design
from sizer.scaling.accelerators import max_accelerators, with_accelerators
from sizer.scaling.evaluate import evaluate_at
from sizer.text import limited_by

HERE = pathlib.Path(__file__).resolve().parent / "mlperf_check"
REPO = "mlcommons/storage_results_v1.0"
MIB = 2**20


@dataclass(frozen=True)
class Published:
    """One published result: what the submitter measured (never catalog input)."""

    label: str
    scenario: str  # file in benchmarks/mlperf_check/
    hosts: int
    accelerators: int  # train_num_accelerators
    mib_per_sec: float  # train_throughput_mean_MB_per_second (DLIO: MiB/s)
    path: str  # the result file in the results repository

    @property
    def gb_per_sec(self) -> float:
        return self.mib_per_sec * MIB / 1e9


_DDN = "Closed/DDN/results/AI400X2T_24x14TiB_nvme_8xNDR200_{}/runs/mlperf_storage_report.json"
_HPE1 = "Closed/HPE/results/Cray_ClusterStor_E1000_10xHDR200_1host/{}/mlperf_storage_report.json"
_HPE5 = (
    "Closed/HPE/results/Cray_ClusterStor_E1000_6xSlingShot200_5hosts/{}/mlperf_storage_report.json"
)

_MICRON = "Closed/Micron/results/Micron_9550_Gen5_Performance_NVMe/{}/mlperf_storage_report.json"

#: Published MLPerf Storage v1.0 (Closed) results, read from their report files.
PUBLISHED: tuple[Published, ...] = (
    Published(
        "DDN AI400X2T 18c UNet3D H100",
        "ddn-ai400x2t-18c-unet3d-h100.yaml",
        18,
        36,
        99017.78995084132,
        _DDN.format("18clients/unet3d-h100"),
    ),
    Published(
        "DDN AI400X2T 18c UNet3D A100",
        "ddn-ai400x2t-18c-unet3d-a100.yaml",
        18,
        72,
        99711.84100087053,
        _DDN.format("18clients/unet3d-a100"),
    ),
    Published(
        "DDN AI400X2T 16c CosmoFlow H100",
        "ddn-ai400x2t-16c-cosmoflow-h100.yaml",
        16,
        64,
        33867.86398140645,
        _DDN.format("16clients/cosmoflow-h100"),
    ),
    Published(
        "DDN AI400X2T 30c CosmoFlow A100",
        "ddn-ai400x2t-30c-cosmoflow-a100.yaml",
        30,
        150,
        50114.903180214664,
        _DDN.format("30clients/cosmoflow-a100"),
    ),
    Published(
        "DDN AI400X2T 32c ResNet-50 H100",
        "ddn-ai400x2t-32c-resnet50-h100.yaml",
        32,
        512,
        92065.18402222777,
        _DDN.format("32clients/resnet50-h100"),
    ),
    Published(
        "DDN AI400X2T 32c ResNet-50 A100",
        "ddn-ai400x2t-32c-resnet50-a100.yaml",
        32,
        864,
        79064.65439296798,
        _DDN.format("32clients/resnet50-a100"),
    ),
    Published(
        "HPE E1000 1h UNet3D H100",
        "hpe-e1000-1h-unet3d-h100.yaml",
        1,
        5,
        13954.45027463073,
        _HPE1.format("unet3d_h100"),
    ),
    Published(
        "HPE E1000 1h UNet3D A100",
        "hpe-e1000-1h-unet3d-a100.yaml",
        1,
        9,
        12840.805468084083,
        _HPE1.format("unet3d_a100"),
    ),
    Published(
        "HPE E1000 1h ResNet-50 H100",
        "hpe-e1000-1h-resnet50-h100.yaml",
        1,
        34,
        6116.431345988388,
        _HPE1.format("resnet50_h100"),
    ),
    Published(
        "HPE E1000 1h ResNet-50 A100",
        "hpe-e1000-1h-resnet50-a100.yaml",
        1,
        50,
        4912.31146830733,
        _HPE1.format("resnet50_a100"),
    ),
    Published(
        "HPE E1000 5h Slingshot UNet3D H100",
        "hpe-e1000-5h-slingshot-unet3d-h100.yaml",
        5,
        15,
        40977.31327842521,
        _HPE5.format("unet3d_h100"),
    ),
    Published(
        "Micron 9550 1 drive UNet3D H100",
        "micron9550-1h-unet3d-h100.yaml",
        1,
        4,
        9943.636526670056,
        _MICRON.format("unet3d/h100"),
    ),
    Published(
        "Micron 9550 1 drive UNet3D A100",
        "micron9550-1h-unet3d-a100.yaml",
        1,
        8,
        9257.867514975445,
        _MICRON.format("unet3d/a100"),
    ),
    Published(
        "Micron 9550 1 drive ResNet-50 H100",
        "micron9550-1h-resnet50-h100.yaml",
        1,
        58,
        10220.137399802717,
        _MICRON.format("resnet50/h100"),
    ),
    Published(
        "Micron 9550 1 drive ResNet-50 A100",
        "micron9550-1h-resnet50-a100.yaml",
        1,
        115,
        10445.566583332282,
        _MICRON.format("resnet50/a100"),
    ),
    Published(
        "Micron 9550 1 drive CosmoFlow H100",
        "micron9550-1h-cosmoflow-h100.yaml",
        1,
        13,
        7235.912667020386,
        _MICRON.format("cosmoflow/h100"),
    ),
    Published(
        "Micron 9550 1 drive CosmoFlow A100",
        "micron9550-1h-cosmoflow-a100.yaml",
        1,
        20,
        7064.290450057446,
        _MICRON.format("cosmoflow/a100"),
    ),
)

#: Published results looked at and not modeled, with the reason.
SKIPPED: tuple[tuple[str, str], ...] = (
    (
        "WEKA WEKApod (Closed/WEKA)",
        "no WEKApod read figure from WEKA's datasheet was found in the stored corpus",
    ),
    (
        "HPE Cray C500 1 and 3 hosts (Closed/HPE)",
        "product not in the catalog and no HPE C500 read figure was found",
    ),
    (
        "Huawei OceanStor A800, IEI AS13000, YanRong F8000X/F9000X, Nutanix, Hammerspace, "
        "Lightbits, simplyblock, Juicedata, MangoBoost",
        "products not in the catalog; not drawn for lack of a sourced vendor read figure",
    ),
    (
        "Micron 9400 PRO and 6500 ION single-drive results (Closed/Micron)",
        "the 9400 entry's 'up to' figures are the best capacity's, not the tested drive's; "
        "the 6500 ION is not in the catalog",
    ),
    (
        "Samsung PM1753 single-drive results (Closed/Samsung)",
        "the PM1753 is not in the catalog (the PM1743 is; no sourced PM1753 read figure)",
    ),
)


@dataclass(frozen=True)
class Row:
    pub: Published
    predicted: int  # total accelerators
    predicted_gbs: float  # GB/s at the published count
    limit: str
    capped: bool  # the search stopped at its cap: ``predicted`` is a lower bound

    @property
    def error(self) -> float:
        return (self.predicted - self.pub.accelerators) / self.pub.accelerators


def check(pub: Published, catalog: object) -> Row:
    design = load_design(HERE / pub.scenario, catalog)  # type: ignore[arg-type]
    answer = max_accelerators(design)
    at_published = evaluate_at(
        with_accelerators(design, pub.accelerators // pub.hosts), 1.0, "fast"
    )
    lim = answer.limiting
    capped = answer.limiting is None and answer.accelerators_per_host > 0
    if capped:
        limit = f"none up to the search cap ({answer.accelerators_per_host} per host)"
    elif lim is None:
        limit = "-"
    elif lim["kind"] == "ports":
        limit = "switch ports"
    else:
        limit = f"{limited_by(lim['kind'])} ({lim['group']})"
    return Row(pub, answer.accelerators, at_published.read_bytes_per_sec / 1e9, limit, capped)


def table(rows: list[Row]) -> str:
    head = ("result", "pub acc", "pred acc", "error", "pub GB/s", "pred GB/s", "sizer's limit")
    body = [
        (
            r.pub.label,
            f"{r.pub.accelerators}",
            (">=" if r.capped else "") + f"{r.predicted}",
            (">=" if r.capped else "") + f"{r.error:+.0%}",
            f"{r.pub.gb_per_sec:.1f}",
            f"{r.predicted_gbs:.1f}",
            r.limit,
        )
        for r in rows
    ]
    widths = [max(len(x[i]) for x in (head, *body)) for i in range(len(head))]
    right = {1, 2, 3, 4, 5}

    def fmt(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines = [fmt(head), fmt(tuple("-" * w for w in widths)), *(fmt(b) for b in body)]
    return "\n".join(lines)


def main() -> int:
    catalog = load_catalog([HERE / "catalog"])
    rows = [check(p, catalog) for p in PUBLISHED]
    print(f"sizer vs published MLPerf Storage v1.0 results ({REPO}, Closed)")
    print("pred GB/s: sizer's read throughput at the published accelerator count")
    print()
    print(table(rows))
    within = sum(abs(r.error) <= 0.15 for r in rows)
    median = statistics.median(abs(r.error) for r in rows)
    signed = statistics.median(r.error for r in rows)
    print()
    print(f"within +-15%: {within} of {len(rows)} ({within / len(rows):.0%})")
    print(f"median |error|: {median:.0%}  (median signed error {signed:+.0%})")
    if any(r.capped for r in rows):
        print(">=: the search stopped at its cap; the prediction and its error are lower bounds")
    print()
    print("result files (in " + REPO + "):")
    for r in rows:
        print(f"  {r.pub.label}: {r.pub.path}")
    print()
    print("not modeled:")
    for what, why in SKIPPED:
        print(f"  {what}: {why}")
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
