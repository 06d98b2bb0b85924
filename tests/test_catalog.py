"""Tests for sizer.catalog: every figure sourced, key figures, lookups, user catalogs.

Key figures are checked against the documents they cite (IBM RA seeds/004, the
mlcommons/storage configs, Lambda tf_cnn_benchmarks); the arithmetic is in each test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sizer.catalog import (
    KINDS,
    Catalog,
    Figure,
    ThroughputMissingError,
    UnknownIdError,
    builtin_catalog_dir,
    load_catalog,
)
from sizer.errors import Problem, SizerInputError
from sizer.units import UnitError, parse_rate, parse_size

REPO = Path(__file__).resolve().parent.parent
CATALOG_DIR = REPO / "catalog"
EXTRA = Path(__file__).resolve().parent / "fixtures" / "catalog_extra"
CATALOG_FILES = sorted(CATALOG_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# --------------------------------------------------------------------------- every number sourced


def _is_quantity(v: Any) -> bool:
    """A number, or a string that units.py reads as a size or a rate ("40 GB/s", "8")."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    if isinstance(v, str):
        for parse in (parse_size, parse_rate):
            try:
                parse(v)
            except UnitError:
                continue
            return True
    return False


def _unsourced(node: Any, path: str = "") -> list[str]:
    """Paths of quantities not held directly by a mapping with a non-empty ``source``;
    also derived figures (confidence D) without a note, and unknown confidence letters."""
    bad: list[str] = []
    if isinstance(node, dict):
        src = node.get("source")
        sourced = isinstance(src, str) and bool(src.strip())
        if "confidence" in node:
            if node["confidence"] not in ("V", "T", "D", "B", "A"):
                bad.append(f"{path}: confidence {node['confidence']!r}")
            if node["confidence"] == "D" and not str(node.get("note") or "").strip():
                bad.append(f"{path}: confidence D without a note")
            if not sourced:
                bad.append(f"{path}: confidence without a source")
        for k, v in node.items():
            sub = f"{path}.{k}" if path else str(k)
            if _is_quantity(v) and not sourced:
                bad.append(f"{sub}: {v!r} has no source")
            else:
                bad.extend(_unsourced(v, sub))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            sub = f"{path}[{i}]"
            if _is_quantity(v):
                bad.append(f"{sub}: {v!r} has no source")
            else:
                bad.extend(_unsourced(v, sub))
    return bad


def test_catalog_files_exist() -> None:
    assert {p.stem for p in CATALOG_FILES} == set(KINDS)
    assert builtin_catalog_dir() == CATALOG_DIR


@pytest.mark.parametrize("path", CATALOG_FILES, ids=lambda p: p.name)
def test_every_number_has_a_source(path: Path) -> None:
    """Raw YAML walk: a number or unit string must sit in a mapping with a source
    (a Figure, or a throughput row); confidence D needs a note with the arithmetic."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _unsourced(data) == []


def test_unsourced_walker_catches_bare_numbers() -> None:
    doc = {
        "servers": [
            {
                "id": "x",
                "gpu_count": 8,
                "rack_units": {"value": "3", "source": " "},
                "ingest_limit": {"value": "20 GB/s", "source": "RA", "confidence": "D"},
                "list": ["1 TB", "name"],
            }
        ]
    }
    assert _unsourced(doc) == [
        "servers[0].gpu_count: 8 has no source",
        "servers[0].rack_units.value: '3' has no source",
        "servers[0].ingest_limit: confidence D without a note",
        "servers[0].list[0]: '1 TB' has no source",
    ]


def test_sources_name_where_each_entry_is_defined(cat: Catalog) -> None:
    ids = {(kind, id_) for kind, id_, _ in cat.entries()}
    assert set(cat.sources) == ids
    assert cat.sources[("storage", "ess-3000")].startswith("catalog/storage.yaml:")
    file, line = cat.sources[("servers", "dgx-1")].split(":")
    text = (REPO / file).read_text(encoding="utf-8").splitlines()
    assert text[int(line) - 1].strip() == "- id: dgx-1"


def test_required_ids_present(cat: Catalog) -> None:
    required = {
        "links": {
            "fdr-ib",
            "edr-ib",
            "hdr-ib",
            "hdr100-ib",
            "ndr-ib",
            "ndr200-ib",
            "eth-25g",
            "eth-100g",
            "eth-200g",
            "eth-400g",
            "eth-800g",
        },
        "gpus": {
            "v100-sxm2-16gb",
            "v100-sxm2-32gb",
            "v100-sxm3-32gb",
            "a100-sxm4-40gb",
            "a100-sxm4-80gb",
            "a100-pcie-40gb",
            "h100-sxm5-80gb",
            "h200-sxm-141gb",
            "b200",
            "p100-sxm2-16gb",
        },
        "servers": {
            "dgx-1",
            "dgx-1-32gb",
            "dgx-2",
            "dgx-a100",
            "dgx-a100-40gb",
            "dgx-h100",
            "dgx-h200",
            "dgx-b200",
            "generic-gpu-server",
        },
        "switches": {
            "sb7700",
            "sb7800",
            "qm8700",
            "qm9700",
            "sn4600c",
            "sn4600",
            "sn5400",
            "sn5600",
            "sn5600-400g",
        },
        "storage": {
            "ess-3000",
            "ess-3200",
            "ess-3500",
            "ibm-sss-6000",
            "netapp-aff-a900-ha",
            "ddn-ai400x2-turbo",
            "netapp-afx-1k-node",
        },
        "datasets": {"imagenet", "imagenet-tfrecord", "synthetic", "kits19", "cosmoflow"},
        "models": {
            "resnet-50",
            "resnet-152",
            "inception-v3",
            "inception-v4",
            "vgg-16",
            "alexnet",
            "googlenet",
            "unet3d-mlperf",
            "resnet-50-mlperf",
            "cosmoflow-mlperf",
            "fio-read",
        },
    }
    for kind, ids in required.items():
        assert ids <= set(getattr(cat, kind)), kind


# --------------------------------------------------------------------------- key figures


def test_ess_3000_figures_from_the_ibm_ra(cat: Catalog) -> None:
    """IBM RA (seeds/004): ~40 GB/s read per unit, 8 EDR links, 2U, ~100 us."""
    ess = cat.get("storage", "ess-3000")
    assert ess.read_bandwidth.value == 40e9
    assert ess.read_bandwidth.confidence == "V"
    assert ess.ports.value == 8
    assert ess.link == "edr-ib"
    assert ess.rack_units.value == 2
    assert ess.latency_us.value == 100


def test_netapp_afx_1k_node_figures_from_the_netapp_report(cat: Catalog) -> None:
    """NetApp AFX overview: ~35 GB/s read and ~10 GB/s write per AFX 1K node, 2U per node;
    the client port count is an assumption whose ports (2 x 25 GB/s) never cap the read."""
    afx = cat.get("storage", "netapp-afx-1k-node")
    assert (afx.read_bandwidth.value, afx.read_bandwidth.confidence) == (35e9, "V")
    assert afx.write_bandwidth is not None and afx.write_bandwidth.value == 10e9
    assert (afx.rack_units.value, afx.rack_units.confidence) == (2, "V")
    assert afx.ports.confidence == "A" and afx.ports.source.startswith("assumption:")
    port_rate = cat.get("links", afx.link).effective_rate.value
    assert afx.ports.value * port_rate >= afx.read_bandwidth.value


def test_edr_link_rates(cat: Catalog) -> None:
    """EDR 4x: 100 Gb/s after 64b/66b encoding; 100 / 8 = 12.5 GB/s payload per direction."""
    edr = cat.get("links", "edr-ib")
    assert edr.kind == "infiniband"
    assert edr.data_rate.value == 12.5e9
    assert edr.effective_rate.value == 12.5e9
    assert edr.effective_rate.confidence == "D"
    assert "12.5 GB/s" in (edr.effective_rate.note or "")
    assert cat.get("links", "ndr-ib").effective_rate.value == 50e9
    assert cat.get("links", "hdr-ib").effective_rate.value == 25e9
    assert cat.get("links", "eth-100g").effective_rate.value == 12.5e9


def test_dgx_1(cat: Catalog) -> None:
    """RA: DGX-1 = 8x V100, 4 Mellanox EDR ports that carry storage traffic."""
    s = cat.get("servers", "dgx-1")
    assert (s.gpu, s.gpu_count.value) == ("v100-sxm2-16gb", 8)
    assert (s.storage_ports.value, s.storage_link) == (4, "edr-ib")
    assert s.ingest_limit is None
    assert cat.get("gpus", s.gpu).memory.value == 16 * 2**30
    assert cat.get("servers", "dgx-1-32gb").gpu == "v100-sxm2-32gb"


def test_dgx_2(cat: Catalog) -> None:
    """RA: DGX-2 = 16x V100, 8 EDR ports; 3 DGX-2 top out at 60 GB/s -> 20 GB/s each."""
    s = cat.get("servers", "dgx-2")
    assert s.gpu_count.value == 16
    assert (s.storage_ports.value, s.storage_link) == (8, "edr-ib")
    assert s.ingest_limit.value == 20e9
    assert s.ingest_limit.confidence == "D"
    assert "60 GB/s" in (s.ingest_limit.note or "")


def test_modern_servers(cat: Catalog) -> None:
    a100 = cat.get("servers", "dgx-a100")
    assert (a100.storage_ports.value, a100.storage_link) == (2, "hdr-ib")
    h100 = cat.get("servers", "dgx-h100")
    # NVIDIA's SuperPOD design: one pair of the two dual-port ConnectX-7 for storage
    assert (h100.storage_ports.value, h100.storage_link) == (2, "ndr-ib")
    assert h100.ingest_limit.value == 80e9
    generic = cat.get("servers", "generic-gpu-server")
    assert generic.generic is True
    assert {
        f.confidence
        for f in (generic.gpu_count, generic.storage_ports, generic.rack_units, generic.power_watts)
    } == {"A"}


def test_switch_ports(cat: Catalog) -> None:
    assert cat.get("switches", "sb7800").ports.value == 36
    assert cat.get("switches", "sb7800").link == "edr-ib"
    assert cat.get("switches", "qm8700").ports.value == 40
    assert cat.get("switches", "qm9700").ports.value == 64
    assert cat.get("switches", "sb7800").switching_capacity.value == 36 * 100e9 * 2 / 8


def test_datasets(cat: Catalog) -> None:
    imagenet = cat.get("datasets", "imagenet")
    assert imagenet.samples.value == 1_281_167
    assert imagenet.bytes_per_sample.value == 112.7e3
    assert cat.get("datasets", "imagenet-tfrecord").bytes_per_sample.value == 114_660.07
    assert cat.get("datasets", "synthetic").bytes_per_sample.value == 0
    assert cat.get("datasets", "kits19").bytes_per_sample.value == 146_600_628
    assert cat.get("datasets", "cosmoflow").bytes_per_sample.value == 2_828_486


# --------------------------------------------------------------------------- throughput lookups


def test_throughput_family_fallback(cat: Catalog) -> None:
    """DGX-1's v100-sxm2-16gb has no exact rows; the v100 family rows (Lambda) apply."""
    row = cat.throughput("vgg-16", "v100-sxm2-16gb", "fp16", "training")
    assert (row.gpu, row.samples_per_sec, row.batch, row.confidence) == ("v100", 456, 384, "T")
    assert row.value == 456
    assert cat.throughput("resnet-50", "v100-sxm3-32gb", "fp32", "inference").value == 1712
    assert cat.throughput("alexnet", "v100", "fp16", "inference").value == 23352


def test_throughput_exact_gpu_wins(cat: Catalog) -> None:
    """a100-pcie-40gb has its own ResNet-50 row (Lambda 2,075); other A100s use the
    family row (MLPerf v2.0: 27,200 img/s / 8 GPUs = 3,400)."""
    assert cat.throughput("resnet-50", "a100-pcie-40gb", "fp16", "training").value == 2075
    row = cat.throughput("resnet-50", "a100-sxm4-80gb", "fp16", "training")
    assert (row.gpu, row.value, row.confidence) == ("a100", 3400, "D")
    assert cat.throughput("resnet-50", "h100-sxm5-80gb", "fp16", "training").value == 7000


@pytest.mark.parametrize(
    ("gpu_id", "precision", "phase", "value", "family", "confidence", "data", "measured"),
    [
        # MLPerf Inference v3.0 DGX A100, ResNet-50 Offline: 324,612 / 8 = 40,576.5
        ("a100-sxm4-80gb", "int8", "inference", 40576.5, "a100", "D", "preprocessed", 8),
        ("a100-sxm4-40gb", "int8", "inference", 40576.5, "a100", "D", "preprocessed", 8),
        # MLPerf Inference v4.0 DGX H100, ResNet-50 Offline: 703,770 / 8 = 87,971
        ("h100-sxm5-80gb", "int8", "inference", 87971, "h100", "D", "preprocessed", 8),
        # MLPerf Inference v4.1 H200, ResNet-50 Offline: 756,960 / 8 = 94,620
        ("h200-sxm-141gb", "int8", "inference", 94620, "h200", "D", "preprocessed", 8),
        # Lambda PyTorch (DeepLearningExamples) FP32, one GPU: A100 80GB SXM4 1,066
        ("a100-sxm4-80gb", "fp32", "training", 1066, "a100", "T", "synthetic", 1),
        # ... H100 80GB SXM5 1,753
        ("h100-sxm5-80gb", "fp32", "training", 1753, "h100", "T", "synthetic", 1),
    ],
)
def test_current_gpu_resnet50_rows(
    cat: Catalog,
    gpu_id: str,
    precision: str,
    phase: str,
    value: float,
    family: str,
    confidence: str,
    data: str,
    measured: int,
) -> None:
    """ResNet-50 per-GPU rows for the GPUs of DGX A100/H100/H200 (issue 16, item 9): each
    resolves through its family and keeps its provenance; a derived row's note shows the
    system throughput it was divided from."""
    row = cat.throughput("resnet-50", gpu_id, precision, phase)
    assert (row.gpu, row.value, row.confidence) == (family, value, confidence)
    assert (row.data, row.gpus_measured) == (data, measured)
    assert row.source.startswith("MLPerf Inference v" if phase == "inference" else "Lambda")
    assert "https://github.com/" in row.source
    if confidence == "D":
        assert row.note is not None and f"/ 8 GPUs = {value:,} per GPU" in row.note
        assert "Offline" in row.note and "preprocessed" in row.note


def test_derived_inference_rows_divide_the_published_system_rate(cat: Catalog) -> None:
    """The MLPerf Inference Offline results (samples/s of 8 GPUs) over 8, to the image."""
    for gpu, system in (("a100", 324612), ("h100", 703770), ("h200", 756960)):
        row = cat.throughput("resnet-50", gpu, "int8", "inference")
        assert row.value == pytest.approx(system / 8, abs=0.5)
        assert f"'Samples per second: {system}'" in row.source


def test_b200_has_no_resnet50_rows_yet(cat: Catalog) -> None:
    """No sourced B200 ResNet-50 figure was found (MLPerf Training retired ResNet-50 in
    v5.0 and NVIDIA's B200 MLPerf Inference results have no ResNet-50): the lookup says
    so instead of guessing."""
    with pytest.raises(ThroughputMissingError, match="on gpu 'b200' at int8 inference"):
        cat.throughput("resnet-50", "b200", "int8", "inference")


def test_mlperf_storage_throughput_is_batch_over_compute_time(cat: Catalog) -> None:
    """UNet3D on an emulated H100: batch 7 every 0.323 s = 21.67 samples/s."""
    row = cat.throughput("unet3d-mlperf", "h100-sxm5-80gb", "fp16", "training")
    assert row.samples_per_sec == 7 / 0.323
    assert (row.gpu, row.batch, row.confidence) == ("h100", 7, "D")
    assert row.note is not None and "batch_size 7 / computation_time 0.323 s" in row.note
    assert "unet3d_h100.yaml" in row.source
    a100 = cat.throughput("unet3d-mlperf", "a100-sxm4-40gb", "bf16", "training")
    assert a100.samples_per_sec == 7 / 0.636
    assert cat.throughput("resnet-50-mlperf", "h100", "fp16", "training").value == 400 / 0.224
    assert cat.throughput("cosmoflow-mlperf", "a100", "fp16", "training").value == 1 / 0.00551


def test_mlperf_storage_missing_accelerator(cat: Catalog) -> None:
    with pytest.raises(ThroughputMissingError) as e:
        cat.throughput("resnet-50-mlperf", "v100-sxm2-16gb", "fp16", "training")
    assert e.value.message == (
        "no throughput for model 'resnet-50-mlperf' on gpu 'v100-sxm2-16gb' at fp16 training; "
        "MLPerf Storage does not emulate the v100 family; "
        "available: a100 (any precision) training, h100 (any precision) training"
    )
    with pytest.raises(ThroughputMissingError, match="MLPerf Storage emulates training only"):
        cat.throughput("unet3d-mlperf", "h100", "fp16", "inference")


def test_throughput_missing_names_what_is_available(cat: Catalog) -> None:
    with pytest.raises(ThroughputMissingError) as e:
        cat.throughput("inception-v4", "h100-sxm5-80gb", "fp8", "training")
    err = e.value
    assert isinstance(err, SizerInputError)
    assert err.message == (
        "no throughput for model 'inception-v4' on gpu 'h100-sxm5-80gb' at fp8 training; "
        "available: v100 fp16 training, v100 fp32 training, v100 fp16 inference, "
        "v100 fp32 inference, a100 fp16 training, a100 fp32 training"
    )
    assert err.problems[0].type == "throughput-missing"


def test_read_benchmark_has_no_rate(cat: Catalog) -> None:
    fio = cat.get("models", "fio-read")
    assert (fio.kind, fio.dataset, fio.throughput) == ("read-benchmark", None, [])
    with pytest.raises(ThroughputMissingError, match="reads as fast as the path allows"):
        cat.throughput("fio-read", "v100", "fp16", "training")


def test_googlenet_is_marked_derived(cat: Catalog) -> None:
    """No direct V100 GoogLeNet figure was found: 1,276 x (515.9 / 192.91) = 3,412."""
    row = cat.throughput("googlenet", "v100-sxm2-16gb", "fp16", "training")
    assert (row.value, row.confidence) == (3412, "D")
    assert round(1276 * 515.9 / 192.91) == 3412
    assert cat.throughput("googlenet", "v100", "fp16", "inference").confidence == "A"


# --------------------------------------------------------------------------- unknown ids


def test_unknown_id_suggests_the_nearest(cat: Catalog) -> None:
    with pytest.raises(UnknownIdError) as e:
        cat.get("servers", "dgx1")
    err = e.value
    assert err.message == "unknown server 'dgx1'; did you mean 'dgx-1'?"
    assert (err.kind, err.id, err.suggestions[0]) == ("servers", "dgx1", "dgx-1")
    assert err.problems == [
        Problem(
            "catalog",
            None,
            None,
            "",
            "unknown server 'dgx1'; did you mean 'dgx-1'?",
            type="unknown-id",
        )
    ]
    located = err.at("scenarios/pod.yaml", 3, 13, "compute[0].server")
    assert str(located) == (
        "scenarios/pod.yaml:3:13: compute[0].server: unknown server 'dgx1'; did you mean 'dgx-1'?"
    )


def test_unknown_id_lists_known_ids_when_nothing_is_close(cat: Catalog) -> None:
    with pytest.raises(UnknownIdError) as e:
        cat.get("switch", "zzzz")
    assert e.value.message == (
        "unknown switch 'zzzz'; known switches: qm8700, qm9700, sb7700, sb7800, sn4600, sn4600c, "
        "sn5400, sn5600 (and 1 more)"
    )
    with pytest.raises(
        UnknownIdError, match="unknown storage unit 'ess3000'; did you mean 'ess-3000'"
    ):
        cat.get("storage", "ess3000")
    with pytest.raises(UnknownIdError, match="unknown gpu 'h100-sxm'"):
        cat.throughput("resnet-50", "h100-sxm", "fp16", "training")
    with pytest.raises(UnknownIdError, match="unknown model 'resnet50'; did you mean 'resnet-50'"):
        cat.throughput("resnet50", "v100", "fp16", "training")


def test_unknown_kind(cat: Catalog) -> None:
    with pytest.raises(ValueError, match="unknown catalog kind 'racks'"):
        cat.get("racks", "x")


# --------------------------------------------------------------------------- user catalogs


def test_user_catalog_overrides_and_extends() -> None:
    builtin = load_catalog()
    cat = load_catalog([EXTRA])
    assert cat.get("storage", "ess-3000").read_bandwidth.value == 45e9  # overridden by id
    assert cat.sources[("storage", "ess-3000")] == f"{EXTRA}/site.yaml:4"
    assert cat.get("servers", "lab-box").gpu_count.value == 4  # extended
    assert cat.throughput("my-cnn", "l40s-48gb", "fp16", "training").value == 1500
    assert cat.get("servers", "dgx-1").gpu_count.value == 8  # built-ins still there
    assert len(cat.servers) == len(builtin.servers) + 1
    # the cached built-in catalog is untouched
    assert load_catalog().get("storage", "ess-3000").read_bandwidth.value == 40e9
    assert load_catalog() is builtin
    assert cat.digest() != builtin.digest()


def test_user_catalog_single_file(tmp_path: Path) -> None:
    cat = load_catalog([EXTRA / "site.yaml"])
    assert "lab-box" in cat.servers


def _write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _problems(dirs: list[Path]) -> list[Problem]:
    with pytest.raises(SizerInputError) as e:
        load_catalog(dirs)
    return e.value.problems


def test_bad_user_catalog_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    d = _write(
        tmp_path,
        """\
servers:
  - id: lab-box
    name: Lab box
    vendor: ACME
    gpu: v100-sxm2-16gbb
    gpu_count: {value: 8, source: "me", confidence: V}
    storage_ports: {value: 2, sourse: "me", confidence: V}
    storage_link: edr
    rack_units: {value: 2, source: "", confidence: V}
    power_watts: {value: "3 kW", source: "me", confidence: V}
  - id: lab-box-2
    name: Lab box 2
    vendor: ACME
    gpu: v100-sxm2-16gbb
    gpu_count: {value: 8, source: "me", confidence: V}
    storage_ports: {value: 2, source: "me", confidence: V}
    storage_link: edr
    rack_units: {value: 2, source: "me", confidence: D}
    power_watts: {value: 3000, source: "me", confidence: V}
storag:
  - id: x
""",
    )
    f = f"{d}/bad.yaml"
    assert _problems([d]) == [
        Problem(
            f,
            7,
            20,
            "servers[0].storage_ports.source",
            "missing required key 'source'",
            type="missing",
        ),
        Problem(
            f,
            7,
            31,
            "servers[0].storage_ports.sourse",
            "unknown key 'sourse'; did you mean 'source'?",
            type="extra_forbidden",
        ),
        Problem(
            f,
            9,
            36,
            "servers[0].rack_units.source",
            "source must not be blank; cite a URL or a document and section",
            type="value_error",
        ),
        Problem(
            f,
            10,
            26,
            "servers[0].power_watts.value",
            "Input should be a valid number, unable to parse string as a number",
            type="float_parsing",
        ),
        Problem(
            f,
            18,
            17,
            "servers[1].rack_units",
            "confidence D (derived) needs a note showing the arithmetic",
            type="value_error",
        ),
        Problem(
            f,
            20,
            1,
            "storag",
            "unknown catalog section 'storag'; did you mean 'storage'?",
            type="unknown-section",
        ),
    ]


def test_bad_cross_references(tmp_path: Path) -> None:
    d = _write(
        tmp_path,
        """\
switches:
  - id: my-switch
    name: S
    vendor: V
    link: edr
    ports: {value: 36, source: s, confidence: V}
    rack_units: {value: 1, source: s, confidence: V}
models:
  - id: my-cnn
    name: M
    kind: cnn
    dataset: imagenett
    throughput:
      - {gpu: v10, precision: fp16, phase: training, samples_per_sec: 1, source: s, confidence: V}
""",
    )
    f = f"{d}/bad.yaml"
    assert _problems([d]) == [
        Problem(
            f,
            5,
            11,
            "switches[0].link",
            "unknown link 'edr'; did you mean 'edr-ib'?",
            type="unknown-id",
        ),
        Problem(
            f,
            12,
            14,
            "models[0].dataset",
            "unknown dataset 'imagenett'; did you mean 'imagenet'?",
            type="unknown-id",
        ),
        Problem(
            f,
            14,
            15,
            "models[0].throughput[0].gpu",
            "unknown gpu 'v10'; did you mean 'v100'?",
            type="unknown-id",
        ),
    ]


_UNIT_WITH_OTHER_LINKS = """\
storage:
  - id: my-unit
    name: U
    vendor: V
    read_bandwidth: {{value: 80 GB/s, source: s, confidence: V}}
    ports: {{value: 4, source: s, confidence: V}}
    link: hdr-ib
    other_links: {other}
    rack_units: {{value: 2, source: s, confidence: V}}
"""


def test_other_links_resolve_and_are_listed(tmp_path: Path) -> None:
    """A unit sold with InfiniBand or Ethernet ports lists the other link types."""
    d = _write(tmp_path, _UNIT_WITH_OTHER_LINKS.format(other="[edr-ib, eth-200g]"))
    cat = load_catalog([d])
    assert cat.get("storage", "my-unit").other_links == ["edr-ib", "eth-200g"]
    e1000 = load_catalog().get("storage", "hpe-clusterstor-e1000-ssu-f")
    assert e1000.link == "hdr-ib" and "eth-200g" in e1000.other_links
    assert load_catalog().get("storage", "ess-3000").other_links == []


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ("[edr, eth-200g]", "unknown link 'edr'; did you mean 'edr-ib'?"),
        ("[eth-200g, eth-200g]", "link 'eth-200g' is listed twice in other_links"),
        ("[hdr-ib]", "other_links repeats link 'hdr-ib'; list only the others"),
        ("[Eth_200G]", "is not a valid id"),
    ],
)
def test_bad_other_links(tmp_path: Path, other: str, message: str) -> None:
    d = _write(tmp_path, _UNIT_WITH_OTHER_LINKS.format(other=other))
    problems = _problems([d])
    assert len(problems) == 1
    assert problems[0].loc.startswith("storage[0]"), problems
    assert message in problems[0].msg, problems


def test_duplicate_id_and_bad_id(tmp_path: Path) -> None:
    entry = """\
  - id: {id}
    name: D
    bytes_per_sample: {{value: 1 KB, source: s, confidence: V}}
"""
    d = _write(
        tmp_path,
        "datasets:\n" + entry.format(id="dup") + entry.format(id="dup") + entry.format(id="Bad_Id"),
    )
    f = f"{d}/bad.yaml"
    assert _problems([d]) == [
        Problem(
            f,
            5,
            9,
            "datasets[1].id",
            f"duplicate dataset id 'dup' (first defined at {f}:2)",
            type="duplicate-id",
        ),
        Problem(
            f,
            8,
            9,
            "datasets[2].id",
            "'Bad_Id' is not a valid id; use lowercase letters, digits and single hyphens "
            "(e.g. 'dgx-a100')",
            type="value_error",
        ),
    ]


def test_bad_structure(tmp_path: Path) -> None:
    d = _write(tmp_path, "links: {id: x}\nmodels:\n  - just-a-name\n")
    f = f"{d}/bad.yaml"
    assert _problems([d]) == [
        Problem(f, 1, 8, "links", "links must be a list of entries (- id: ...)", type="list_type"),
        Problem(f, 3, 5, "models[0]", "each entry must be a mapping with an id", type="model_type"),
    ]


def test_missing_or_empty_catalog_dir(tmp_path: Path) -> None:
    assert _problems([tmp_path / "nope"]) == [
        Problem(str(tmp_path / "nope"), None, None, "", "no such catalog directory", type="file")
    ]
    assert _problems([tmp_path]) == [
        Problem(
            str(tmp_path), None, None, "", "catalog directory holds no *.yaml files", type="file"
        )
    ]


def test_yaml_errors_come_from_the_loader(tmp_path: Path) -> None:
    """A duplicate key does not hide the entry's own problems (issue 16, item 4)."""
    d = _write(tmp_path, "links:\n  - id: a\n    id: b\n")
    problem, *rest = _problems([d])
    assert (problem.line, problem.loc, problem.msg) == (
        3,
        "links[0].id",
        "duplicate key 'id' (first at line 2)",
    )
    assert [p.loc for p in rest] == [
        "links[0].name",
        "links[0].kind",
        "links[0].data_rate",
        "links[0].effective_rate",
    ]


def test_a_refused_value_is_reported_once(tmp_path: Path) -> None:
    """A tagged value is left out: its entry's other problems are reported, not 'missing'."""
    d = _write(tmp_path, "links:\n  - id: Bad_Id\n    name: !t x\n")
    assert [(p.loc, p.msg.split(";")[0]) for p in _problems([d])] == [
        ("links[0].name", "YAML tag '!t' is not allowed in sizer files"),
        ("links[0].id", "'Bad_Id' is not a valid id"),
        ("links[0].kind", "missing required key 'kind'"),
        ("links[0].data_rate", "missing required key 'data_rate'"),
        ("links[0].effective_rate", "missing required key 'effective_rate'"),
    ]


def test_invalid_entry_is_not_reported_twice(tmp_path: Path) -> None:
    """A server whose GPU entry is itself invalid gets no extra 'unknown gpu' error."""
    d = _write(
        tmp_path,
        """\
gpus:
  - id: new-gpu
    name: G
    family: new
    memory: {value: 10 GB/s, source: s, confidence: V}
models:
  - id: m
    name: M
    kind: cnn
    throughput:
      - {gpu: new, precision: fp16, phase: training, samples_per_sec: 1, source: s, confidence: V}
""",
    )
    problems = _problems([d])
    assert [p.loc for p in problems] == ["gpus[0].memory.value"]
    assert "is a rate, but a size is needed" in problems[0].msg


# --------------------------------------------------------------------------- models


def test_figure_rules() -> None:
    assert Figure[float].model_validate({"value": 3, "source": "s", "confidence": "V"}).value == 3
    with pytest.raises(ValueError, match=r"value -1\.0 is negative"):
        Figure[float].model_validate({"value": -1, "source": "s", "confidence": "V"})
    with pytest.raises(ValueError, match="confidence D"):
        Figure[float].model_validate({"value": 1, "source": "s", "confidence": "D"})
    fig = Figure[float].model_validate({"value": 1, "source": "s", "confidence": "V"})
    with pytest.raises(ValueError, match="frozen"):
        fig.value = 2.0  # type: ignore[misc]


def test_models_are_consistent(cat: Catalog) -> None:
    for model in cat.models.values():
        if model.kind == "mlperf-storage":
            assert model.mlperf_storage and model.dataset
            # v1.0/v2.0 emulate A100 and H100; v0.5's UNet3D a V100 (no catalogued bar)
            accs = {a.accelerator for a in model.mlperf_storage}
            assert accs == (
                {"v100", "a100", "h100"} if model.id == "unet3d-mlperf" else {"a100", "h100"}
            )
            for a in model.mlperf_storage:
                assert (a.au_threshold is None) == (a.accelerator == "v100")
        if model.kind == "cnn":
            assert model.dataset == "imagenet"
            assert model.throughput


def test_every_server_reference_resolves(cat: Catalog) -> None:
    for s in cat.servers.values():
        assert s.gpu in cat.gpus and s.storage_link in cat.links
        assert s.compute_link is None or s.compute_link in cat.links


# --------------------------------------------------------------------------- digest


def test_entries_sorted_and_digest_stable(cat: Catalog) -> None:
    keys = [(k, i) for k, i, _ in cat.entries()]
    assert keys == sorted(keys)
    d = cat.digest()
    assert len(d) == 64 and int(d, 16) >= 0
    assert d == load_catalog([]).digest()
    code = "from sizer.catalog import load_catalog; print(load_catalog().digest())"
    outs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        outs.add(out.stdout.strip())
    assert outs == {d}


def test_entries_dump_to_json(cat: Catalog) -> None:
    """Every entry serialises to JSON in SI base units (bytes, bytes/s)."""
    for _kind, _id, entry in cat.entries():
        json.dumps(entry.model_dump(mode="json"))
    dumped = cat.get("links", "edr-ib").model_dump(mode="json")
    assert dumped["effective_rate"]["value"] == 12.5e9
