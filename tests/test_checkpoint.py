"""sizer/checkpoint.py and ``sizer checkpoint``: hand-checked sizes, MLPerf Storage reproduced."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sizer.checkpoint import (
    checkpoint_size,
    dlio_checkpoint,
    mlperf_storage_workloads,
)
from sizer.cli import cli
from sizer.errors import SizerInputError
from sizer.networks import get_model

# ----------------------------------------------------------------------------- hand checks


def test_llama2_7b_plain_data_parallel() -> None:
    """Llama-2-7B, 6,738,415,616 params, 8 ranks of plain data parallel (ZeRO-0), BF16 + Adam.

    14 B/param: 6,738,415,616 x 14 = 94,337,818,624 B; only rank 0 holds a copy anyone needs,
    so it writes everything in one file (DeepSpeed: optimizer inside the model file).
    """
    p = get_model("llama-2-7b").params
    c = checkpoint_size(p, ranks=8)
    assert c.checkpoint_bytes == 94_337_818_624
    assert c.parts == {
        "weights": 13_476_831_232,  # x 2
        "master": 26_953_662_464,  # x 4
        "optimizer": 53_907_324_928,  # x 8
    }
    assert (c.writing_ranks, c.files, c.max_bytes_per_rank) == (1, 1, 94_337_818_624)


def test_llama3_70b_zero3_every_rank_writes_its_shard() -> None:
    """Llama-3-70B, 70,553,706,496 params, 64 ranks (TP 8 x DP 8), ZeRO-3, BF16 + Adam.

    Everything is split over all 64 ranks: 70,553,706,496 / 64 = 1,102,401,664 params each,
    x 14 B = 15,433,623,296 B per rank in 2 files (model states, optimizer states); total
    64 x 15,433,623,296 = 987,751,890,944 B.
    """
    c = checkpoint_size(get_model("llama-3-70b").params, ranks=64, tp=8, zero=3)
    assert c.dp == 8
    assert [(g.ranks, g.bytes, g.files) for g in c.groups] == [(64, 15_433_623_296, 2)]
    assert c.checkpoint_bytes == 987_751_890_944 == 14 * 70_553_706_496
    assert c.files == 128


def test_llama31_405b_zero1_on_512_ranks() -> None:
    """Llama-3.1-405B, 405,853,388,800 params, TP 8 x PP 32 x DP 2 = 512 ranks, ZeRO-1.

    Weights over the 256 model-parallel ranks: 1,585,364,800 params x 2 B = 3,170,729,600 B,
    written by data-parallel rank 0 only. Master + moments over all 512: 792,682,400 x 12 B
    = 9,512,188,800 B each. So 256 ranks write 12,682,918,400 B (2 files) and 256 write
    9,512,188,800 B (1 file); total 14 x 405,853,388,800 = 5,681,947,443,200 B (~5.7 TB, the
    issue's figure).
    """
    c = checkpoint_size(405_853_388_800, ranks=512, tp=8, pp=32, zero=1)
    assert [(g.ranks, g.bytes, g.files) for g in c.groups] == [
        (256, 12_682_918_400, 2),
        (256, 9_512_188_800, 1),
    ]
    assert c.checkpoint_bytes == 5_681_947_443_200
    assert (c.writing_ranks, c.files) == (512, 768)


def test_mixtral_weights_only_export() -> None:
    """Mixtral-8x7B (46,702,792,704 params, all 8 experts saved), BF16 weights only, TP 8.

    46,702,792,704 x 2 = 93,405,585,408 B; each of the 8 TP ranks writes 1/8 =
    11,675,698,176 B in one file; no master weights, no moments.
    """
    c = checkpoint_size(get_model("mixtral-8x7b").params, ranks=8, tp=8, optimizer="none")
    assert c.parts == {"weights": 93_405_585_408, "master": 0, "optimizer": 0}
    assert [(g.ranks, g.bytes, g.files) for g in c.groups] == [(8, 11_675_698_176, 1)]
    assert not c.master_weights


def test_uneven_split_keeps_every_parameter() -> None:
    """1,000 FP32 params + SGD (no master, no moments) on 3 ranks, ZeRO-3: 334 + 333 + 333.

    4 B each: one rank 1,336 B, two 1,332 B; total 4,000 B.
    """
    c = checkpoint_size(1000, ranks=3, zero=3, precision="fp32", optimizer="sgd")
    assert [(g.ranks, g.bytes) for g in c.groups] == [(1, 1336), (2, 1332)]
    assert c.checkpoint_bytes == 4000


def test_zero_stages_move_the_writes_not_the_total() -> None:
    """GPT-3 175B on 1,024 ranks (TP 8 x PP 16 x DP 8): 14 B/param whatever the stage; the
    writers are 128 (ZeRO-0), 1,024 (1-3)."""
    p = get_model("gpt-3-175b").params
    writers = {}
    for zero in (0, 1, 2, 3):
        c = checkpoint_size(p, ranks=1024, tp=8, pp=16, zero=zero)
        assert c.checkpoint_bytes == 14 * p
        writers[zero] = c.writing_ranks
    assert writers == {0: 128, 1: 1024, 2: 1024, 3: 1024}


def test_mixtral_active_parameters() -> None:
    """Jiang et al. 2024: 47B parameters, 13B active (2 of 8 experts per token)."""
    net = get_model("mixtral-8x7b")
    assert net.params == 46_702_792_704
    assert net.active_params == 12_879_925_248  # 46.70 B - 32 layers x 6 idle x 176,160,768


# ----------------------------------------------------------------------------- MLPerf Storage

#: What DLIO writes (dlio_benchmark/checkpointing/base_checkpointing.py): parameters, bytes.
DLIO_BYTES = {
    "llama3-8b": (8_030_261_248, 112_425_623_552),
    "llama3-70b": (69_882_617_856, 978_406_572_032),
    "llama3-405b": (405_853_388_800, 5_682_508_791_808),
    "llama3-1t": (1_183_035_102_480, 16_564_174_094_592),
}


@pytest.mark.parametrize("name", sorted(DLIO_BYTES))
def test_mlperf_storage_checkpoint_bytes_are_dlios(name: str) -> None:
    """The bytes DLIO's ``save_checkpoint`` writes for each MLPerf Storage v2.0 workload.

    Workloads: mlcommons/storage ``configs/dlio/workload/llama3_*.yaml`` (shapes, TP/PP,
    ZeRO, fp16 model / fp32 optimizer) with the processes of Rules.md Table 2 (8, 64, 512,
    1,024). Arithmetic: argonne-lcf/dlio_benchmark ``base_checkpointing.py``. 8B by hand:
    P = 2 x 128,256 x 4,096 + 32 x (2 x 4,096 + 4,096 x 6,144 + 4,096^2 + 3 x 4,096 x
    14,336) + 4,096 = 8,030,261,248; ZeRO-3 on 8 ranks: each rank writes its model shard
    (2 B x the floored 1/8 of every tensor) and 3 FP32 groups of P // 8 + 5 x 4,096 =
    1,003,803,136 elements (12,045,637,632 B).
    """
    c = dlio_checkpoint(mlperf_storage_workloads()[name])
    assert (c.params, c.checkpoint_bytes) == DLIO_BYTES[name]
    assert c.writing_ranks == mlperf_storage_workloads()[name].ranks
    if name == "llama3-8b":
        assert c.groups[0].master_bytes == 12_045_637_632 // 3


@pytest.mark.parametrize(
    ("name", "tolerance_gib"),
    [("llama3-8b", 0.5), ("llama3-70b", 1.0), ("llama3-405b", 5.0)],
)
def test_mlperf_storage_table_sizes(name: str, tolerance_gib: float) -> None:
    """Rules.md Table 2 "Checkpoint size": 105 GB, 912 GB, 5.29 TB, in DLIO's GB (2^30 B).

    sizer: 104.70, 911.21, 5,292.25 GiB, the table's figures to its rounding (912 is
    rounded up from 911.2).
    """
    w = mlperf_storage_workloads()[name]
    gib = dlio_checkpoint(w).checkpoint_bytes / 2**30
    assert abs(gib - w.published_gib) <= tolerance_gib


def test_mlperf_storage_1t_table_figure_is_not_what_dlio_writes() -> None:
    """Table 2 says 18 TB for llama3-1t; DLIO's code on the llama3_1t.yaml shapes writes
    16,564,174,094,592 B = 15,426.6 GiB (16.6 TB decimal). We model the code, and pin the gap
    so a change in either shows here."""
    w = mlperf_storage_workloads()["llama3-1t"]
    gib = dlio_checkpoint(w).checkpoint_bytes / 2**30
    assert gib == pytest.approx(15_426.59, abs=0.01)
    assert w.published_gib == 18_000


def test_dlio_differs_from_the_textbook_by_its_stated_rules() -> None:
    """405B, ZeRO-1: the textbook 14 x P = 5,681,947,443,200 B; DLIO adds the norms every
    TP rank writes and 5 x hidden FP32 per optimizer group per rank: 561,348,608 B more."""
    w = mlperf_storage_workloads()["llama3-405b"]
    book = checkpoint_size(405_853_388_800, ranks=512, tp=8, pp=32, zero=1, precision="fp16")
    assert dlio_checkpoint(w).checkpoint_bytes - book.checkpoint_bytes == 561_348_608
    extra_opt = 512 * 3 * 5 * 16384 * 4  # 503,316,480 B
    assert dlio_checkpoint(w).parts["master"] - book.parts["master"] == extra_opt // 3


def test_the_mlperf_1t_shapes_are_the_catalog_ones() -> None:
    w = mlperf_storage_workloads()["llama3-1t"]
    assert get_model(w.model_id).params == 1_183_035_102_480 == dlio_checkpoint(w).params


# ----------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(
    params=st.integers(1, 10**12),
    tp=st.integers(1, 8),
    pp=st.integers(1, 4),
    dp=st.integers(1, 16),
    more=st.integers(1, 4),
    zero=st.sampled_from([0, 1, 2, 3]),
    optimizer=st.sampled_from(["adam", "sgd-momentum", "none"]),
)
def test_more_ranks_never_grow_the_checkpoint(
    params: int, tp: int, pp: int, dp: int, more: int, zero: int, optimizer: str
) -> None:
    """Bounds: up to 10^12 params (a 1T model), TP 8, PP 4, DP 16 x 4 (the loop is per rank)."""
    kw = {"tp": tp, "pp": pp, "zero": zero, "optimizer": optimizer}
    small = checkpoint_size(params, ranks=tp * pp * dp, **kw)  # type: ignore[arg-type]
    big = checkpoint_size(params, ranks=tp * pp * dp * more, **kw)  # type: ignore[arg-type]
    assert big.checkpoint_bytes <= small.checkpoint_bytes
    for c in (small, big):
        assert c.max_bytes_per_rank <= c.checkpoint_bytes
        assert c.min_bytes_per_rank <= c.max_bytes_per_rank
        assert c.writing_ranks <= c.ranks
        assert sum(c.parts.values()) == c.checkpoint_bytes


# ----------------------------------------------------------------------------- input problems


def test_bad_inputs_are_located() -> None:
    with pytest.raises(SizerInputError) as e:
        checkpoint_size(100, ranks=0, tp=2, zero=4, precision="int4", optimizer="lion")
    assert [p.format() for p in e.value.problems] == [
        "<command line>: --ranks: must be a whole number from 1 to 1,000,000, got 0",
        "<command line>: --zero: ZeRO stage must be 0, 1, 2 or 3, got 4",
        "<command line>: --precision: 'int4' is not one of fp32, bf16, fp16, fp8",
        "<command line>: --optimizer: 'lion' is not one of adam, adamw, sgd-momentum, sgd, none",
    ]


# ----------------------------------------------------------------------------- CLI


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["checkpoint", *args])


def test_cli_json() -> None:
    r = _run("--model", "llama-3-70b", "--ranks", "64", "--tp", "8", "--zero", "3", "--json")
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    data = json.loads(r.output)  # type: ignore[attr-defined]
    assert set(data) >= {"checkpoint_bytes", "writing_ranks", "bytes_per_rank", "parts", "inputs"}
    assert data["checkpoint_bytes"] == 987_751_890_944
    assert data["bytes_per_rank"]["max"] == 15_433_623_296
    assert set(data["parts"]) == {"weights", "master", "optimizer"}
    assert data["inputs"] == {
        "ranks": 64,
        "tp": 8,
        "pp": 1,
        "dp": 8,
        "zero": 3,
        "precision": "bf16",
        "optimizer": "adam",
        "master_weights": True,
    }


def test_cli_terminal_keeps_numbers_whole() -> None:
    """On an 80-column terminal (piped without COLUMNS it is 120, as every command)."""
    args = ["--model", "llama-3.1-405b", "--ranks", "512", "--tp", "8", "--pp", "32", "--zero", "1"]
    r = CliRunner().invoke(cli, ["checkpoint", *args], env={"COLUMNS": "80"})
    out = r.output  # type: ignore[attr-defined]
    assert r.exit_code == 0, out  # type: ignore[attr-defined]
    assert "5,681,947,443,200 B" in out
    assert "12,682,918,400 B" in out
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--model", "llama-3-70b", "--ranks", "60", "--tp", "8"],
            "sizer checkpoint: --ranks: 60 ranks are not a whole number of model-parallel "
            "groups of tp x pp = 8 x 1 = 8 ranks",
        ),
        (
            ["--model", "llama-3-70b", "--ranks", "many"],
            "sizer checkpoint: --ranks: must be a whole number, got 'many'",
        ),
        (
            ["--model", "llama3-70", "--ranks", "8"],
            "sizer checkpoint: --model: unknown model 'llama3-70'; did you mean 'llama-3-70b'?",
        ),
        (
            ["--model", "llama-3-8b", "--ranks", "8", "--zero", "5"],
            "sizer checkpoint: --zero: ZeRO stage must be 0, 1, 2 or 3, got 5",
        ),
    ],
)
def test_cli_bad_input_exits_2(args: list[str], line: str) -> None:
    r = CliRunner().invoke(cli, ["checkpoint", *args])
    assert r.exit_code == 2
    assert r.stderr.strip() == line
    assert r.stdout == ""
