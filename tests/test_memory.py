"""Tests for sizer.memory, sizer.netdefs and the ``sizer memory`` command.

The article's numbers come first, one test each, with the arithmetic written out (F. Denneman,
"Training vs Inference - Memory Consumption by Neural Networks", 2022; the founding article,
shared/seeds/000_7d8c1288f5518fe8.txt). PyTorch itself is the oracle in test_memory_torch.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from sizer.errors import Problem, SizerInputError
from sizer.memory import (
    FRAMEWORK_OVERHEAD_BYTES,
    LayerMemory,
    MemoryEstimate,
    Parallel,
    estimate_memory,
    parse_image,
)
from sizer.netdefs import CNN, Transformer, infer_shapes
from sizer.networks import get_model, model_ids

GIB = 2**30
CLI = "<command line>"


def _row(est: MemoryEstimate, name: str) -> LayerMemory:
    return next(r for r in est.layers if r.name == name)


def _vgg16() -> CNN:
    net = get_model("vgg-16")
    assert isinstance(net, CNN)
    return net


# ----------------------------------------------------------------------------- the article


def test_article_first_vgg_conv_has_1792_parameters_7_kb() -> None:
    """3x3 kernel x 3 input channels x 64 filters = 1,728 weights + 64 biases = 1,792;
    x 4 bytes (FP32) = 7,168 B, the article's ~7 KB."""
    est = estimate_memory("vgg-16", batch=1)
    first = _row(est, "features.0")
    assert first.op == "conv"
    assert 3 * 3 * 3 * 64 == 1_728
    assert first.params == 1_728 + 64 == 1_792
    assert first.parameter_bytes == 7_168


def test_article_second_vgg_conv_has_36928_parameters_147_kb() -> None:
    """3x3 x 64 inputs x 64 filters = 36,864 weights + 64 biases = 36,928; x 4 = 147,712 B."""
    second = _row(estimate_memory("vgg-16", batch=1), "features.2")
    assert second.params == 36_864 + 64 == 36_928
    assert second.parameter_bytes == 147_712


def test_article_pooling_layers_have_no_parameters() -> None:
    """VGG-16: 13 conv + 5 max-pool + 3 FC = 21 layers; the 16 are those with parameters."""
    shapes = infer_shapes(_vgg16(), (224, 224))
    by_op: dict[str, list[int]] = {}
    for s in shapes:
        by_op.setdefault(s.layer.op, []).append(s.params)
    assert len(by_op["conv"]) == 13
    assert len(by_op["maxpool"]) == 5
    assert len(by_op["linear"]) == 3
    assert by_op["maxpool"] == [0] * 5
    assert sum(1 for s in shapes if s.params > 0) == 16


def test_article_first_fc_layer_has_25088_inputs() -> None:
    """The last pool gives 7x7x512; flattened, 25,088 values feed the first FC layer, whose
    25,088 x 4,096 weights + 4,096 biases = 102,764,544 parameters dominate the network."""
    est = estimate_memory("vgg-16", batch=1)
    assert _row(est, "features.30").output_shape == (512, 7, 7)
    assert _row(est, "flatten").output_shape == (25_088,)
    fc6 = _row(est, "classifier.0")
    assert fc6.params == 25_088 * 4_096 + 4_096 == 102_764_544
    assert fc6.params == max(r.params for r in est.layers)


def test_article_first_conv_feature_map_224_batch_32_fp32() -> None:
    """224 x 224 x 64 channels x 32 images = 102,760,448 values x 4 bytes = 411,041,792 B
    (the article's "401.40 MB" is this figure in MiB: 392 MiB; 411 MB decimal)."""
    est = estimate_memory("vgg-16", batch=32, image=(224, 224), precision="fp32")
    first = _row(est, "features.0")
    assert first.output_shape == (64, 224, 224)
    assert 224 * 224 * 64 * 32 == 102_760_448
    assert first.output_bytes == 411_041_792


def test_article_vgg16_has_138m_parameters_528_mib_fp32() -> None:
    """138,357,544 parameters (torchvision) x 4 bytes = 553,430,176 B = 527.8 MiB; the
    article rounds to "540 MB"."""
    est = estimate_memory("vgg-16", batch=1, phase="inference", precision="fp32")
    assert est.params == 138_357_544
    assert est.parameters_bytes == 553_430_176
    assert round(est.parameters_bytes / 2**20, 1) == 527.8


def test_article_224_batch_32_feature_maps_about_1_88_gb() -> None:
    """Sum of the 13 conv and 5 pool feature maps at 224x224, batch 32, FP32:
    15,077,888 values per image x 4 B x 32 = 1,929,969,664 B = 1.93 GB (1.80 GiB). The
    article says "about 1.88 GB" (with a 244x244 typo); ours is 2.7 % above."""
    est = estimate_memory("vgg-16", batch=32, image=(224, 224))
    maps = sum(r.output_bytes for r in est.layers if r.op in ("conv", "maxpool"))
    assert maps == 15_077_888 * 4 * 32 == 1_929_969_664
    assert maps == pytest.approx(1.88e9, rel=0.03)


def test_article_4k_image_needs_about_9_6_gb_of_activations() -> None:
    """A 2160x3840 (4K) image through VGG-16, FP32, batch 1.

    Summing the conv and pool feature maps exactly gives 9,969,745,920 B = 9.97 GB
    (9.29 GiB). The article's "about 9.6 GB" (and 307.2 GB for 32 images) scales the 224x224
    figure by the pixel ratio; it lies between our decimal and binary values, 3.7 % below the
    former. Our figure is exact for this input: the pools floor odd sizes (135 -> 67 rows
    at the last pool), and the adaptive average pool brings 67x120 back to 7x7 before the FC
    layers. What training really keeps for backward is more again: 12,093,040,640 B
    (12.1 GB), because it also keeps the input image, max-pool int64 indices (8 B per pooled
    value), the adaptive-pool input and the dropout masks.
    """
    est = estimate_memory("vgg-16", batch=1, image=(2160, 3840), precision="fp32")
    maps = sum(r.output_bytes for r in est.layers if r.op in ("conv", "maxpool"))
    assert maps == 9_969_745_920
    assert maps == pytest.approx(9.6e9, rel=0.05)
    assert 32 * maps == pytest.approx(307.2e9, rel=0.05)
    assert _row(est, "features.30").output_shape == (512, 67, 120)
    assert _row(est, "avgpool").output_shape == (512, 7, 7)
    assert est.activations_bytes == 12_093_040_640


def test_article_inference_keeps_only_two_consecutive_layers() -> None:
    """VGG-16 inference at 224x224, batch 1, FP32: the most expensive pair is the first two
    convs' outputs, 2 x 64 x 224 x 224 x 4 B = 25,690,112 B, plus the 602,112 B input image
    that the caller holds during the forward pass: 26,292,224 B (the torch test measures
    26,452,016 B). Training keeps 73,330,688 B for the same image."""
    inf = estimate_memory("vgg-16", batch=1, phase="inference")
    assert inf.activations_bytes == 2 * 64 * 224 * 224 * 4 + 3 * 224 * 224 * 4 == 26_292_224
    peak = max(inf.layers, key=lambda r: r.live_bytes)
    assert peak.name == "features.2"
    train = estimate_memory("vgg-16", batch=1, phase="training")
    assert train.activations_bytes == 73_330_688


def test_article_gpt3_needs_700_gb_in_fp32() -> None:
    """174,604,259,328 parameters (175.0 B in the paper) x 4 B = 698.4 GB: the article's 700 GB."""
    est = estimate_memory("gpt-3-175b", batch=1, phase="inference", precision="fp32")
    assert est.params == 174_604_259_328
    assert est.parameters_bytes == 698_417_037_312
    assert est.parameters_bytes == pytest.approx(700e9, rel=0.005)


def test_article_table_layer_counts() -> None:
    """The article's table: AlexNet 5 conv + 3 FC; VGG-16 13 + 3; ResNet(-50) 49 conv + 1 FC
    (the 4 projection shortcuts are not counted as layers)."""

    def counts(model_id: str) -> tuple[int, int]:
        net = get_model(model_id)
        assert isinstance(net, CNN)
        convs = [x for x in net.layers if x.op == "conv" and "downsample" not in x.name]
        return len(convs), sum(1 for x in net.layers if x.op == "linear")

    assert counts("alexnet") == (5, 3)
    assert counts("vgg-16") == (13, 3)
    assert counts("resnet-50") == (49, 1)


# ----------------------------------------------------------------------------- parameter counts

PUBLISHED = {
    "alexnet": 61_100_840,
    "vgg-11": 132_863_336,
    "vgg-13": 133_047_848,
    "vgg-16": 138_357_544,
    "vgg-19": 143_667_240,
    "resnet-18": 11_689_512,
    "resnet-34": 21_797_672,
    "resnet-50": 25_557_032,
    "resnet-101": 44_549_160,
    "resnet-152": 60_192_808,
    "googlenet": 6_624_904,
    "inception-v3": 27_161_264,
    "inception-v3-noaux": 23_834_568,
    "llama-2-7b": 6_738_415_616,
    "llama-2-70b": 68_976_648_192,
    "llama-3-8b": 8_030_261_248,
    "llama-3-70b": 70_553_706_496,
    "llama-3.1-405b": 405_853_388_800,
    "mixtral-8x7b": 46_702_792_704,
}


@pytest.mark.parametrize(("model_id", "count"), sorted(PUBLISHED.items()))
def test_parameter_count_is_the_published_one(model_id: str, count: int) -> None:
    """torchvision weights tables (num_params); Llama-2 from config.json shapes."""
    net = get_model(model_id)
    assert net.params == count == net.published_params
    assert net.source


def test_every_model_has_a_source_and_a_count() -> None:
    assert set(model_ids()) == set(PUBLISHED) | {"gpt-3-175b", "mlperf-llama3-1t"}
    gpt3 = get_model("gpt-3-175b")
    assert isinstance(gpt3, Transformer)
    assert gpt3.published_params is None
    assert gpt3.params == pytest.approx(175.0e9, rel=0.003)  # "175.0B", Brown et al. Table 2.1


def test_parameter_count_does_not_depend_on_image_size() -> None:
    for model_id in ("vgg-16", "resnet-50", "googlenet", "inception-v3"):
        net = get_model(model_id)
        assert isinstance(net, CNN)
        for image in [(299, 299), (342, 400), (480, 640)]:  # Inception-v3 aux needs >= 299
            assert sum(s.params for s in infer_shapes(net, image)) == net.params


@pytest.mark.parametrize(
    ("model_id", "image", "name", "shape"),
    [
        ("resnet-50", (224, 224), "layer4.2.relu3", (2048, 7, 7)),
        ("resnet-50", (224, 224), "maxpool", (64, 56, 56)),
        ("googlenet", (224, 224), "inception5b.cat", (1024, 7, 7)),
        ("inception-v3", (299, 299), "Mixed_5b.cat", (256, 35, 35)),
        ("inception-v3", (299, 299), "Mixed_6e.cat", (768, 17, 17)),
        ("inception-v3", (299, 299), "Mixed_7c.cat", (2048, 8, 8)),
        ("inception-v3", (299, 299), "AuxLogits.conv1.conv", (768, 1, 1)),
        ("alexnet", (224, 224), "features.12", (256, 6, 6)),
    ],
)
def test_known_shapes(model_id: str, image: tuple[int, int], name: str, shape: tuple) -> None:
    """Shapes from the comments in torchvision's forward() methods."""
    assert _row(estimate_memory(model_id, batch=1, image=image), name).output_shape == shape


# ----------------------------------------------------------------------------- accounting

CNNS = ["alexnet", "vgg-16", "resnet-50", "resnet-152", "googlenet", "inception-v3"]
ALL = [*CNNS, "gpt-3-175b", "llama-2-7b", "llama-2-70b"]


@pytest.mark.parametrize("model_id", ALL)
def test_training_needs_more_than_inference(model_id: str) -> None:
    kw = {"batch": 8, "precision": "bf16"}
    train = estimate_memory(model_id, phase="training", **kw)
    inf = estimate_memory(model_id, phase="inference", **kw)
    assert train.total_bytes > inf.total_bytes
    assert train.activations_bytes > inf.activations_bytes or model_id.startswith("llama")
    assert inf.gradients_bytes == inf.optimizer_bytes == 0


@pytest.mark.parametrize("model_id", ALL)
def test_adam_needs_more_than_sgd(model_id: str) -> None:
    """Optimizer bytes per parameter, FP32: SGD 0, momentum 4, Adam/AdamW 8."""
    p = get_model(model_id).params
    est = {
        o: estimate_memory(model_id, batch=2, optimizer=o) for o in ("sgd", "sgd-momentum", "adam")
    }
    assert est["adam"].total_bytes > est["sgd-momentum"].total_bytes > est["sgd"].total_bytes
    assert [est[o].optimizer_bytes for o in est] == [0, 4 * p, 8 * p]
    assert estimate_memory(model_id, batch=2, optimizer="adamw").optimizer_bytes == 8 * p


@pytest.mark.parametrize("model_id", ALL)
@pytest.mark.parametrize("phase", ["training", "inference"])
def test_bf16_halves_parameter_bytes(model_id: str, phase: str) -> None:
    fp32 = estimate_memory(model_id, batch=1, phase=phase, precision="fp32")
    bf16 = estimate_memory(model_id, batch=1, phase=phase, precision="bf16")
    assert bf16.parameters_bytes * 2 == fp32.parameters_bytes
    if phase == "training":
        assert bf16.gradients_bytes * 2 == fp32.gradients_bytes


def test_fp8_and_int8_quarter_the_weights_for_inference_only() -> None:
    fp32 = estimate_memory("llama-2-70b", batch=1, phase="inference", precision="fp32")
    for p in ("fp8", "int8"):
        q = estimate_memory("llama-2-70b", batch=1, phase="inference", precision=p)
        assert q.parameters_bytes * 4 == fp32.parameters_bytes
        assert q.kv_cache_bytes * 2 == fp32.kv_cache_bytes  # KV cache stays 16-bit


@pytest.mark.parametrize(
    ("precision", "optimizer", "bytes_per_param"),
    [
        ("fp32", "sgd", 8),  # weights 4 + gradients 4
        ("fp32", "sgd-momentum", 12),
        ("fp32", "adam", 16),  # 4 + 4 + 2 moments x 4
        ("bf16", "sgd", 8),  # 2 + 2 + FP32 master 4
        ("fp16", "adam", 16),  # ZeRO paper: 2 + 2 + 12 (master, momentum, variance)
        ("bf16", "sgd-momentum", 12),  # 2 + 2 + 4 + 4
    ],
)
def test_model_state_bytes_per_parameter(
    precision: str, optimizer: str, bytes_per_param: int
) -> None:
    est = estimate_memory("resnet-50", batch=1, precision=precision, optimizer=optimizer)
    states = est.parameters_bytes + est.gradients_bytes + est.optimizer_bytes
    assert states == bytes_per_param * 25_557_032


def test_total_is_the_sum_of_categories_and_overhead_is_the_constant() -> None:
    est = estimate_memory("resnet-50", batch=32)
    assert est.total_bytes == sum(est.categories().values())
    assert est.overhead_bytes == FRAMEWORK_OVERHEAD_BYTES == 2**30
    assert estimate_memory("resnet-50", batch=32, overhead_bytes=0).total_bytes == (
        est.total_bytes - 2**30
    )


def test_activations_grow_linearly_with_batch() -> None:
    """Everything but BatchNorm's per-channel statistics (FP32 mean and inverse std, kept for
    backward, independent of the batch) scales with the batch."""
    a1 = estimate_memory("resnet-50", batch=1).activations_bytes
    a2 = estimate_memory("resnet-50", batch=2).activations_bytes
    a10 = estimate_memory("resnet-50", batch=10).activations_bytes
    fixed = 2 * a1 - a2
    assert fixed == 2 * 4 * 26_560  # 53 BatchNorm layers, 26,560 channels in all
    assert a10 == fixed + 10 * (a2 - a1)


def test_saved_bytes_per_layer_add_up_to_the_activations() -> None:
    for model_id in CNNS:
        est = estimate_memory(model_id, batch=3)
        assert sum(r.saved_bytes for r in est.layers) == est.activations_bytes
        inf = estimate_memory(model_id, batch=3, phase="inference")
        assert max(r.live_bytes for r in inf.layers) == inf.activations_bytes


@pytest.mark.parametrize("recompute", ["none", "selective", "full"])
def test_transformer_rows_add_up_to_the_activations(recompute: str) -> None:
    est = estimate_memory("gpt-3-175b", batch=2, precision="bf16", recompute=recompute)
    assert sum(r.saved_bytes for r in est.layers) == est.activations_bytes


def test_inception_aux_head_adds_training_activations_only() -> None:
    """The aux head (3,326,696 parameters) is loaded always but runs only in training."""
    aux = {p: estimate_memory("inception-v3", batch=4, phase=p) for p in ("training", "inference")}
    noaux = {
        p: estimate_memory("inception-v3-noaux", batch=4, phase=p)
        for p in ("training", "inference")
    }
    assert aux["inference"].params - noaux["inference"].params == 3_326_696
    assert aux["inference"].activations_bytes == noaux["inference"].activations_bytes
    assert aux["training"].activations_bytes > noaux["training"].activations_bytes
    small = estimate_memory("inception-v3", batch=1, image=(150, 150), phase="inference")
    assert _row(small, "AuxLogits.fc").output_bytes == 0


# ----------------------------------------------------------------------------- transformers


def test_korthikanti_gpt3_layer_activations() -> None:
    """Korthikanti et al. 2022, eq. 1: sbh(34 + 5as/h) bytes per layer, 16-bit, no
    parallelism. GPT-3: s=2048, b=1, h=12288, a=96 -> 2048*12288*(34 + 5*96*2048/12288)
    = 25,165,824 * 114 = 2,868,903,936 B."""
    s, h, a = 2048, 12288, 96
    est = estimate_memory("gpt-3-175b", batch=1, seq=s, precision="bf16")
    assert _row(est, "layers.0").saved_bytes == s * h * (34 + 5 * a * s // h) == 2_868_903_936


def test_korthikanti_recomputation_and_tensor_parallel() -> None:
    """Selective recomputation: 34sbh; full: 2sbh per layer (plus one layer rebuilt during
    backward); tensor parallel t=8 without sequence parallelism: sbh(10 + 24/t + 5as/(ht))."""
    s, h, a, b = 2048, 12288, 96, 2
    sbh = s * b * h

    def layer(**kw: object) -> int:
        est = estimate_memory("gpt-3-175b", batch=b, seq=s, precision="fp16", **kw)  # type: ignore[arg-type]
        return _row(est, "layers.7").saved_bytes

    assert layer(recompute="selective") == 34 * sbh
    assert layer(recompute="full") == 2 * sbh
    t = 8
    assert layer(parallel=Parallel(t, "tensor")) == sbh * (10 + 24 // t) + 5 * a * s * s * b // t
    full = estimate_memory("gpt-3-175b", batch=b, precision="fp16", recompute="full")
    none = estimate_memory("gpt-3-175b", batch=b, precision="fp16")
    assert (
        full.activations_bytes - 96 * 2 * sbh
        == none.activations_bytes - 95 * _row(none, "layers.0").saved_bytes
    )  # full keeps inputs + one rebuilt layer


def test_llama2_kv_cache() -> None:
    """KV cache = 2 (K, V) x layers x tokens x kv_heads x head_dim x 2 B.
    7B: 2 x 32 x 4096 x 32 x 128 x 2 = 2 GiB per sequence; 70B (GQA, 8 KV heads):
    2 x 80 x 4096 x 8 x 128 x 2 = 1.25 GiB."""
    kv7 = estimate_memory("llama-2-7b", batch=1, seq=4096, precision="fp16", phase="inference")
    assert kv7.kv_cache_bytes == 2 * GIB
    kv70 = estimate_memory("llama-2-70b", batch=3, seq=4096, precision="bf16", phase="inference")
    assert kv70.kv_cache_bytes == 3 * 1.25 * GIB
    tp = estimate_memory(
        "llama-2-70b",
        batch=3,
        seq=4096,
        precision="bf16",
        phase="inference",
        parallel=Parallel(16, "tensor"),
    )
    assert tp.kv_cache_bytes == kv70.kv_cache_bytes / 8  # 8 KV heads: 1 per GPU, replicated
    assert estimate_memory("llama-2-7b", batch=1, phase="training").kv_cache_bytes == 0


def test_flash_attention_removes_the_s_squared_term() -> None:
    """Llama-2-7B inference working set, BF16, s = h = 4096, ffn 11008, one sequence.
    Residual stream s*h*2 = 33,554,432 B, kept throughout. Attention: normed input, Q and
    context 3 x 33,554,432 plus scores and probabilities 2 x 32 heads x 4096^2 x 2 B =
    2,147,483,648 -> 2,248,146,944; MLP: normed input + 3 x s x ffn x 2 = 304,087,040.
    Eager: 33,554,432 + 2,248,146,944 = 2,281,701,376. FlashAttention keeps no scores, so
    the MLP is the peak: 33,554,432 + 304,087,040 = 337,641,472."""
    kw = {"batch": 1, "seq": 4096, "precision": "bf16", "phase": "inference"}
    eager = estimate_memory("llama-2-7b", **kw)  # type: ignore[arg-type]
    flash = estimate_memory("llama-2-7b", flash_attention=True, **kw)  # type: ignore[arg-type]
    assert eager.activations_bytes == 2_281_701_376
    assert flash.activations_bytes == 337_641_472
    assert any("FlashAttention" in n for n in eager.notes)
    assert not any("FlashAttention" in n for n in flash.notes)


# ----------------------------------------------------------------------------- sharding


@pytest.mark.parametrize("n", [8, 64])
def test_zero_stages_follow_the_zero_paper(n: int) -> None:
    """Rajbhandari et al. 2020, Figure 1, mixed-precision Adam (K = 12):
    baseline (2 + 2 + K) psi; stage 1 2psi + 2psi + K psi/N; stage 2 2psi + (2 + K) psi/N;
    stage 3 (2 + 2 + K) psi/N, plus here one gathered weight matrix (16-bit)."""
    psi = 6_738_415_616
    k = 12

    def states(sharding: str) -> int:
        est = estimate_memory(
            "llama-2-7b",
            batch=1,
            precision="bf16",
            parallel=Parallel(n, sharding),  # type: ignore[arg-type]
        )
        return est.parameters_bytes + est.gradients_bytes + est.optimizer_bytes

    per = math.ceil(psi / n)
    assert states("none") == (2 + 2 + k) * psi
    assert states("zero1") == 2 * psi + 2 * psi + k * per
    assert states("zero2") == 2 * psi + (2 + k) * per
    gathered = 32_000 * 4096 * 2  # the embedding is the largest matrix
    assert states("zero3") == (2 + 2 + k) * per + gathered


def test_sharding_lists_what_is_sharded() -> None:
    def sharded(sharding: str, phase: str = "training") -> tuple[str, ...]:
        par = Parallel(8, sharding)  # type: ignore[arg-type]
        return estimate_memory("llama-2-7b", batch=1, phase=phase, parallel=par).sharded

    assert sharded("none") == ()
    assert sharded("zero1") == ("optimizer",)
    assert sharded("zero2") == ("optimizer", "gradients")
    assert sharded("zero3") == ("optimizer", "gradients", "parameters")
    assert sharded("zero3", "inference") == ("parameters",)
    assert sharded("tensor", "inference") == (
        "parameters",
        "kv_cache",
        "activations (attention/MLP internals)",
    )


def test_data_parallel_does_not_change_the_per_gpu_share() -> None:
    one = estimate_memory("resnet-50", batch=64)
    eight = estimate_memory("resnet-50", batch=64, parallel=Parallel(8, "none"))
    assert one.categories() == eight.categories()
    assert any("global batch = batch x 8" in n for n in eight.notes)


# ----------------------------------------------------------------------------- pipeline


def test_pipeline_first_stage_llama2_7b_by_hand() -> None:
    """Llama-2-7B (32 blocks of 202,383,360 parameters; untied 32,000 x 4,096 embedding
    and head, 131,072,000 each; RMSNorm 4,096; no dropout), BF16 + Adam, 4 stages of 8
    blocks.  Stage 1: embedding + 8 blocks = 131,072,000 + 1,619,066,880 = 1,750,138,880
    parameters: 2 B weights, 2 B gradients, 12 B optimizer (FP32 master + 2 moments) each.
    1F1B: stage 1 keeps 4 micro-batches of its 8 blocks = 32 block activations, as many
    as the unpipelined model keeps (Korthikanti et al. 2022, section 4.2.3); the last
    stage keeps 1 micro-batch of 8 blocks + the final norm and head, less: stage 1 is the
    largest."""
    kw = {"batch": 1, "seq": 4096, "precision": "bf16"}
    one = estimate_memory("llama-2-7b", **kw)  # type: ignore[arg-type]
    pp = estimate_memory("llama-2-7b", parallel=Parallel(pipeline_parallel=4), **kw)  # type: ignore[arg-type]
    stage = 131_072_000 + 8 * 202_383_360
    assert stage == 1_750_138_880
    assert (pp.pipeline_parallel, pp.stage) == (4, 1)
    assert pp.parameters_bytes == 2 * stage and pp.gradients_bytes == 2 * stage
    assert pp.optimizer_bytes == 12 * stage
    layer = _row(one, "layers.0").saved_bytes
    assert pp.activations_bytes == 32 * layer  # embed keeps nothing (no dropout)
    assert [r.name for r in pp.layers] == ["embed"] + [f"layers.{i}" for i in range(8)]
    assert _row(pp, "layers.3").saved_bytes == 4 * layer  # 4 micro-batches in flight
    assert sum(r.saved_bytes for r in pp.layers) == pp.activations_bytes
    assert any("1F1B" in n and "stage 1" in n and "32 GPUs" not in n for n in pp.notes)


def test_pipeline_gpt3_stage_one_holds_the_whole_models_block_activations() -> None:
    """GPT-3 175B, 8 stages of 12 blocks, BF16, micro-batch 1, s = 2048: a block keeps
    sbh(34 + 5as/h) = sbh x 114 = 2,868,903,936 B (Korthikanti eq. 1); the embedding's
    dropout mask sbh = 25,165,824 B.  Stage 1 keeps 8 micro-batches: 8 x (25,165,824 +
    12 x 2,868,903,936) = 275,616,104,448 B -- 96 blocks' worth, as without pipelining.
    Its parameters: token + position embedding (50,257 + 2,048) x 12,288 = 642,723,840 and
    12 blocks of 1,812,099,072: 22,387,912,704."""
    s, h = 2048, 12288
    est = estimate_memory(
        "gpt-3-175b", batch=1, seq=s, precision="bf16", parallel=Parallel(pipeline_parallel=8)
    )
    assert est.stage == 1
    assert est.activations_bytes == 8 * (s * h + 12 * s * h * 114) == 275_616_104_448
    assert est.parameters_bytes == 2 * (642_723_840 + 12 * 1_812_099_072) == 2 * 22_387_912_704


def test_pipeline_last_stage_keeps_a_copy_of_a_tied_embedding() -> None:
    """GPT-3 ties its output head to the token embedding; on 8 stages the last one holds
    its own copy (Megatron-LM): 12 blocks + final LayerNorm 24,576 + 50,257 x 12,288 =
    21,745,188,864 + 24,576 + 617,558,016 = 22,362,771,456 parameters, in the lm_head row."""
    from sizer.activations import transformer_activations
    from sizer.memory_parallel import _stages

    net = get_model("gpt-3-175b")
    assert isinstance(net, Transformer)
    acts = transformer_activations(net, 2048, True, 2, 2, 1, "none", False)
    stages = _stages(net, acts, 8, True, net.largest_matrix)
    assert [x.params for x in (stages[0], stages[-1])] == [22_387_912_704, 22_362_771_456]
    assert [x.in_flight for x in stages] == [8, 7, 6, 5, 4, 3, 2, 1]
    assert stages[-1].tied_copy == 617_558_016 and stages[0].tied_copy == 0
    assert sum(x.params for x in stages) == net.params + 617_558_016


def test_pipeline_inference_last_stage_is_the_largest() -> None:
    """Llama-2-7B inference, 4 stages: each stage holds the KV cache of its 8 layers (a
    quarter: 2 GiB / 4 per 4,096-token sequence) and one micro-batch's working set (a
    block's, on every stage); the last stage has the 4,096 final-norm parameters more
    than the first (head and embedding are both 131,072,000), so it is the largest:
    8 x 202,383,360 + 4,096 + 131,072,000 = 1,750,142,976 parameters at 2 B."""
    kw = {"batch": 1, "seq": 4096, "precision": "bf16", "phase": "inference"}
    one = estimate_memory("llama-2-7b", **kw)  # type: ignore[arg-type]
    pp = estimate_memory("llama-2-7b", parallel=Parallel(pipeline_parallel=4), **kw)  # type: ignore[arg-type]
    assert pp.stage == 4
    assert pp.parameters_bytes == 2 * 1_750_142_976
    assert pp.kv_cache_bytes == one.kv_cache_bytes // 4 == GIB // 2
    assert pp.activations_bytes == one.activations_bytes  # the block working set


def test_pipeline_full_recompute_rebuilds_one_block_per_stage() -> None:
    """Full recomputation keeps each block's input (s x h x 2 B = 33,554,432 B at s = h =
    4,096) and rebuilds one block at a time: stage 1 of 4 keeps 4 micro-batches x 8
    inputs + one rebuilt block (the unpipelined block's saved bytes)."""
    kw = {"batch": 1, "seq": 4096, "precision": "bf16"}
    block = _row(estimate_memory("llama-2-7b", **kw), "layers.0").saved_bytes  # type: ignore[arg-type]
    est = estimate_memory(
        "llama-2-7b", recompute="full", parallel=Parallel(pipeline_parallel=4), **kw
    )  # type: ignore[arg-type]
    assert est.stage == 1
    assert est.activations_bytes == 32 * 33_554_432 + block


def test_pipeline_with_tensor_parallel_and_zero() -> None:
    """Sharding applies within a stage: Llama-2-70B (80 blocks of 855,654,400; embedding
    262,144,000), 4 stages x tensor parallel 8: stage 1 = 262,144,000 + 20 x 855,654,400 =
    17,375,232,000 parameters, 1/8 per GPU at 2 B = 4,343,808,000 B; ZeRO-1 over 8 instead
    keeps all of the stage's weights and gradients and 1/8 of its optimizer state."""
    kw = {"batch": 1, "seq": 4096, "precision": "bf16"}
    tp = estimate_memory("llama-2-70b", parallel=Parallel(8, "tensor", 4), **kw)  # type: ignore[arg-type]
    assert tp.parameters_bytes == 2 * 17_375_232_000 // 8 == 4_343_808_000
    z1 = estimate_memory("llama-2-70b", parallel=Parallel(8, "zero1", 4), **kw)  # type: ignore[arg-type]
    assert z1.parameters_bytes == z1.gradients_bytes == 2 * 17_375_232_000
    assert z1.optimizer_bytes == 12 * 17_375_232_000 // 8
    assert any("the job uses 8 x 4 = 32 GPUs" in n for n in tp.notes)


def test_one_stage_is_the_estimate_without_pipelining() -> None:
    for model, kw in (("llama-2-7b", {"seq": 2048}), ("resnet-50", {})):
        a = estimate_memory(model, batch=2, **kw)  # type: ignore[arg-type]
        b = estimate_memory(model, batch=2, parallel=Parallel(pipeline_parallel=1), **kw)  # type: ignore[arg-type]
        assert a == b and a.stage == 1


def test_pipeline_problems() -> None:
    """The stages must divide the layers (located at the option, with the counts that
    do); a CNN is not pipelined; 0 stages is no count."""
    assert [
        (p.loc, p.msg, p.hint)
        for p in _problems(model="llama-2-7b", batch=1, parallel=Parallel(pipeline_parallel=5))
    ] == [
        (
            "--pipeline-parallel",
            "pipeline parallelism splits the layers evenly over the stages: Llama-2-7B has "
            "32 layers, which 5 stages do not divide",
            "stage counts that divide them: 2, 4, 8, 16, 32",
        )
    ]
    assert [
        p.msg for p in _problems(model="resnet-50", batch=1, parallel=Parallel(1, "none", 2))
    ] == [
        "pipeline parallelism is modeled for transformer models only (their layers are "
        "alike); use 1 for ResNet-50"
    ]
    assert [
        p.msg for p in _problems(model="llama-2-7b", batch=1, parallel=Parallel(1, "none", 0))
    ] == ["pipeline stages must be a whole number from 1 to 1,000,000, got 0"]


def test_cli_pipeline_parallel() -> None:
    r = _run("--model", "llama-2-70b", "--batch", "1", "--seq", "4096", "--precision", "bf16",
             "--gpus", "8", "--sharding", "tensor", "--pp", "4", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert (d["pipeline_parallel"], d["stage"]) == (4, 1)
    assert d["bytes"]["parameters"] == 4_343_808_000
    bad = _run("--model", "llama-2-7b", "--batch", "1", "--pipeline-parallel", "3")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert bad.stderr == (
        "sizer memory: --pipeline-parallel: pipeline parallelism splits the layers evenly over "
        "the stages: Llama-2-7B has 32 layers, which 3 stages do not divide (stage counts that "
        "divide them: 2, 4, 8, 16, 32)\n"
    )


def test_scenario_pipeline_parallel_is_located(tmp_path: Path) -> None:
    """A scenario memory case's stage count that does not divide the layers: one located
    problem (file:line:col), and ``sizer validate`` exits 2."""
    from sizer.catalog import load_catalog
    from sizer.cli import cli
    from sizer.loader import load_scenario

    text = (
        "name: m\ncompute: [{server: dgx-h100, count: 1}]\nstorage: [{unit: ess-3500, count: 1}]\n"
        "network: {topology: single-switch, switch: qm9700}\n"
        "workloads: [{model: resnet-50, dataset: imagenet}]\n"
        "memory:\n"
        "  - {model: llama-2-7b, batch: 1, seq: 4096, precision: bf16, pipeline_parallel: 4}\n"
        "  - {model: llama-2-7b, batch: 1, seq: 4096, precision: bf16, pipeline_parallel: 6}\n"
    )
    f = tmp_path / "m.yaml"
    f.write_text(text)
    with pytest.raises(SizerInputError) as e:
        load_scenario(f, load_catalog(), display="m.yaml")
    assert [p.format() for p in e.value.problems] == [
        "m.yaml:8:82: memory[1].pipeline_parallel: pipeline parallelism splits the layers "
        "evenly over the stages: Llama-2-7B has 32 layers, which 6 stages do not divide "
        "(stage counts that divide them: 2, 4, 8, 16, 32)",
    ]
    r = CliRunner().invoke(cli, ["validate", str(f)])
    assert r.exit_code == 2
    assert "memory[1].pipeline_parallel: pipeline parallelism splits" in r.stderr


# ----------------------------------------------------------------------------- fit and batch


def test_fits_and_largest_batch_on_a_v100_16gb() -> None:
    """VGG-16 FP32 Adam at 224x224 on 16 GiB: model state 16 B x 138,357,544 =
    2,213,720,704 B, + 1 GiB overhead = 3,287,462,528 B fixed; 73,330,688 B of activations
    per image. (17,179,869,184 - 3,287,462,528) / 73,330,688 = 189.45 -> 189."""
    est = estimate_memory("vgg-16", batch=32, gpu_memory_bytes=16 * GIB)
    assert est.fits is True
    assert est.largest_batch == 189
    at_max = estimate_memory("vgg-16", batch=189, gpu_memory_bytes=16 * GIB)
    over = estimate_memory("vgg-16", batch=190, gpu_memory_bytes=16 * GIB)
    assert at_max.fits and not over.fits
    assert estimate_memory("vgg-16", batch=1).largest_batch is None


def test_largest_batch_is_zero_when_the_model_does_not_fit() -> None:
    est = estimate_memory("gpt-3-175b", batch=1, precision="bf16", gpu_memory_bytes=80 * GIB)
    assert est.fits is False
    assert est.largest_batch == 0


@settings(max_examples=60, deadline=None)
@given(
    model_id=st.sampled_from(["alexnet", "vgg-16", "resnet-50", "googlenet", "llama-2-7b"]),
    phase=st.sampled_from(["training", "inference"]),
    precision=st.sampled_from(["fp32", "bf16"]),
    # 1 GiB .. 192 GiB: from below the overhead to above the largest GPU in the catalog
    gib=st.lists(st.floats(min_value=1.0, max_value=192.0), min_size=2, max_size=2),
)
def test_largest_batch_is_monotone_in_gpu_memory(
    model_id: str, phase: str, precision: str, gib: list[float]
) -> None:
    small, large = sorted(g * GIB for g in gib)
    kw = {"batch": 1, "phase": phase, "precision": precision}
    lb_small = estimate_memory(model_id, gpu_memory_bytes=small, **kw).largest_batch
    lb_large = estimate_memory(model_id, gpu_memory_bytes=large, **kw).largest_batch
    assert lb_small is not None and lb_large is not None
    assert lb_small <= lb_large
    # the answer is tight: it fits, and one more does not
    if lb_large > 0:
        kw["batch"] = lb_large
        assert estimate_memory(model_id, **kw).total_bytes <= large
    kw["batch"] = lb_large + 1
    assert estimate_memory(model_id, **kw).total_bytes > large


# ----------------------------------------------------------------------------- bad input


def _problems(**kw: object) -> list[Problem]:
    with pytest.raises(SizerInputError) as info:
        estimate_memory(**kw)  # type: ignore[arg-type]
    return info.value.problems


def _p(loc: str, msg: str, type_: str = "invalid") -> Problem:
    return Problem(file=CLI, line=None, col=None, loc=loc, msg=msg, type=type_)


def test_unknown_model_suggests_the_nearest() -> None:
    assert _problems(model="vgg61", batch=1) == [
        _p("--model", "unknown model 'vgg61'; did you mean 'vgg-16'?", "unknown_id")
    ]
    assert _problems(model="ResNet5O", batch=1)[0].msg == (
        "unknown model 'ResNet5O'; did you mean 'resnet-50'?"
    )
    assert get_model("VGG16") is get_model("vgg_16")
    assert _problems(model="bert", batch=1)[0].msg.startswith(
        "unknown model 'bert'; known models: alexnet, vgg-11"
    )


def test_batch_zero_is_rejected() -> None:
    assert _problems(model="vgg-16", batch=0) == [
        _p("--batch", "batch must be a whole number of samples >= 1, got 0")
    ]


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("224x", "'224x' is not an image size; write HEIGHTxWIDTH in pixels, e.g. 224x224"),
        ("abc", "'abc' is not an image size; write HEIGHTxWIDTH in pixels, e.g. 224x224"),
        (
            "224x224x3",
            "'224x224x3' is not an image size; write HEIGHTxWIDTH in pixels, e.g. 224x224",
        ),
        ("-5x5", "'-5x5' is not an image size; write HEIGHTxWIDTH in pixels, e.g. 224x224"),
        ("0x224", "'0x224': height and width must be at least 1 pixel"),
    ],
)
def test_odd_image_strings_are_rejected(text: str, msg: str) -> None:
    with pytest.raises(SizerInputError) as info:
        parse_image(text)
    assert info.value.problems == [_p("--image", msg)]


def test_image_parsing() -> None:
    assert parse_image("2160x3840") == (2160, 3840)
    assert parse_image(" 299 X 299 ") == (299, 299)
    assert parse_image("224") == (224, 224)


def test_image_too_small_names_the_layer() -> None:
    assert _problems(model="vgg-16", batch=1, image=(16, 16)) == [
        _p(
            "--image",
            "16x16 is too small for VGG-16: layer features.30 (maxpool) would output 0x0",
            "image_too_small",
        )
    ]


def test_all_problems_are_reported_at_once() -> None:
    problems = _problems(
        model="resnet-50",
        batch=0,
        precision="fp8",
        phase="training",
        seq=128,
        parallel=Parallel(4, "tensor"),
    )
    assert [(p.loc, p.msg) for p in problems] == [
        ("--batch", "batch must be a whole number of samples >= 1, got 0"),
        ("--precision", "fp8 is for inference weights only; train in fp32, fp16 or bf16"),
        ("--seq", "ResNet-50 is a CNN; give --image, not --seq"),
        (
            "--sharding",
            "tensor parallelism is modeled for transformer models only; "
            "use none, zero1, zero2 or zero3 for ResNet-50",
        ),
    ]


def test_transformer_input_problems() -> None:
    assert [p.msg for p in _problems(model="gpt-3-175b", batch=1, seq=4096, image=(1, 1))] == [
        "GPT-3 175B is a transformer; give --seq, not --image",
        "GPT-3 175B has learned positions for 2,048 tokens; --seq 4,096 is longer",
    ]
    assert [
        p.msg for p in _problems(model="llama-2-7b", batch=1, parallel=Parallel(5, "tensor"))
    ] == [
        "tensor parallelism splits attention heads: Llama-2-7B has 32 heads, which 5 GPUs "
        "do not divide"
    ]
    assert _problems(model="llama-2-7b", batch=1, optimizer="lion")[0].msg == (
        "unknown optimizer 'lion'; choose one of sgd, sgd-momentum, adam, adamw"
    )


# ----------------------------------------------------------------------------- JSON and CLI


def test_to_dict_is_json_with_stable_keys() -> None:
    d = estimate_memory("resnet-50", batch=2, gpu_memory_bytes=16 * GIB).to_dict()
    assert list(d) == [
        "model", "title", "kind", "params", "phase", "precision", "optimizer", "batch",
        "image", "seq", "recompute", "flash_attention", "gpus", "sharding",
        "pipeline_parallel", "stage", "sharded", "bytes", "gpu_memory_bytes", "fits",
        "largest_batch", "notes", "layers",
    ]  # fmt: skip
    assert list(d["bytes"]) == [
        "parameters", "gradients", "optimizer", "activations", "kv_cache", "overhead", "total",
    ]  # fmt: skip
    assert all(isinstance(v, int) for v in d["bytes"].values())
    assert json.loads(json.dumps(d, allow_nan=False)) == d


def _run(*args: str) -> Result:
    from sizer.cli import cli

    return CliRunner().invoke(cli, ["memory", *args])


def test_cli_table_names_gib_and_the_fit() -> None:
    r = _run("--model", "vgg-16", "--batch", "32", "--image", "224x224", "--gpu", "v100-sxm2-16gb")
    assert r.exit_code == 0, r.output
    assert "Memory per GPU (GiB = 2^30 bytes)" in r.output
    for label in ("parameters", "gradients", "optimizer state", "activations", "KV cache"):
        assert label in r.output
    assert "0.52 GiB" in r.output  # 553,430,176 B of FP32 weights
    assert "batch 32 fits; largest batch that fits: 189" in r.output
    assert "features.0" in r.output and "classifier.0" in r.output


def test_cli_json_is_one_object() -> None:
    r = _run("--model", "llama-2-7b", "--batch", "2", "--seq", "4096", "--precision", "bf16",
             "--phase", "inference", "--gpu", "a100-sxm4-80gb", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["gpu"] == "a100-sxm4-80gb"
    assert d["gpu_memory_bytes"] == 80 * GIB
    assert d["bytes"]["kv_cache"] == 4 * GIB
    assert d["fits"] is True


def test_cli_layers_prints_every_layer() -> None:
    r = _run("--model", "alexnet", "--batch", "1", "--layers")
    assert r.exit_code == 0, r.output
    for name in ("features.0", "features.5", "avgpool", "classifier.6"):
        assert name in r.output


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["--model", "vgg61", "--batch", "1"],
            "sizer memory: --model: unknown model 'vgg61'; did you mean 'vgg-16'?\n",
        ),
        (
            ["--model", "vgg-16", "--batch", "0"],
            "sizer memory: --batch: batch must be a whole number of samples >= 1, got 0\n",
        ),
        (
            ["--model", "vgg-16", "--batch", "1", "--image", "224x"],
            "sizer memory: --image: '224x' is not an image size; write HEIGHTxWIDTH in "
            "pixels, e.g. 224x224\n",
        ),
        (
            ["--model", "vgg-16", "--batch", "1", "--image", "0x224"],
            "sizer memory: --image: '0x224': height and width must be at least 1 pixel\n",
        ),
        (
            ["--model", "vgg-16", "--batch", "1", "--gpu", "a100-80"],
            "sizer memory: --gpu: unknown gpu 'a100-80'; did you mean 'a100-sxm4-80gb'?\n",
        ),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args: list[str], stderr: str) -> None:
    r = _run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr == stderr


def test_cli_reports_every_problem() -> None:
    r = _run("--model", "vgg61", "--batch", "0", "--image", "abc", "--gpu", "a100-80")
    assert r.exit_code == 2
    assert [line.split(": ")[1] for line in r.stderr.splitlines()] == [
        "--image",
        "--gpu",
        "--model",
        "--batch",
    ]


def test_cli_help_has_an_example() -> None:
    r = _run("--help")
    assert r.exit_code == 0
    assert "Example:" in r.output
    assert "sizer memory --model vgg-16" in r.output


def test_scenario_memory_cases_are_checked(tmp_path: Path) -> None:
    """A scenario's memory: cases are validated at load, each problem at its field."""
    from sizer.catalog import load_catalog
    from sizer.errors import SizerInputError
    from sizer.loader import load_scenario

    text = (
        "name: m\ncompute: [{server: dgx-1, count: 1}]\nstorage: [{unit: ess-3000, count: 1}]\n"
        "network: {topology: single-switch, switch: sb7800}\n"
        "workloads: [{model: resnet-50, dataset: imagenet}]\n"
        "memory:\n"
        "  - {model: vgg16x, batch: 8}\n"
        "  - {model: llama-2-7b, batch: 1, image: 224x224}\n"
        "  - {model: vgg-16, batch: 4, gpu: a100-80}\n"
    )
    f = tmp_path / "m.yaml"
    f.write_text(text)
    with pytest.raises(SizerInputError) as e:
        load_scenario(f, load_catalog(), display="m.yaml")
    assert [p.format() for p in e.value.problems] == [
        "m.yaml:7:13: memory[0].model: unknown model 'vgg16x'; did you mean 'vgg-16'?",
        "m.yaml:8:42: memory[1].image: Llama-2-7B is a transformer; give 'seq', not 'image'",
        "m.yaml:9:36: memory[2].gpu: unknown GPU 'a100-80' (did you mean 'a100-sxm4-80gb'?)",
    ]


def test_scenario_case_takes_the_cli_sharding_options() -> None:
    """A scenario ``memory:`` case says what ``sizer memory`` does: GPUs, ZeRO stage or
    tensor parallel, recomputation and FlashAttention (issue 15)."""
    from sizer.memory import Parallel, estimate_case, estimate_memory
    from sizer.schema import MemoryCase

    h100 = 80 * 2**30
    case = MemoryCase.model_validate(
        {
            "model": "llama-2-7b",
            "batch": 4,
            "seq": 4096,
            "precision": "bf16",
            "optimizer": "adamw",
            "gpus": 8,
            "sharding": "zero3",
            "recompute": "selective",
            "flash_attention": True,
        }
    )
    got = estimate_case(case, h100)
    want = estimate_memory(
        "llama-2-7b",
        batch=4,
        seq=4096,
        precision="bf16",
        optimizer="adamw",
        gpu_memory_bytes=h100,
        parallel=Parallel(gpus=8, sharding="zero3"),
        recompute="selective",
        flash_attention=True,
    )
    assert got == want
    plain = estimate_case(
        MemoryCase.model_validate(
            {
                "model": "llama-2-7b",
                "batch": 4,
                "seq": 4096,
                "precision": "bf16",
                "optimizer": "adamw",
            }
        ),
        h100,
    )
    # ZeRO-3 over 8 GPUs holds about 1/8 of the parameters per GPU (plus a gathered layer)
    assert plain.parameters_bytes / 8 < got.parameters_bytes < plain.parameters_bytes / 4
    assert got.total_bytes < plain.total_bytes
    assert plain.largest_batch == 0 and got.largest_batch and got.largest_batch > 0


def test_scenario_case_sharding_is_checked(tmp_path: Path) -> None:
    from sizer.catalog import load_catalog
    from sizer.errors import SizerInputError
    from sizer.loader import load_scenario

    text = (
        "name: m\ncompute: [{server: dgx-1, count: 1}]\nstorage: [{unit: ess-3000, count: 1}]\n"
        "network: {topology: single-switch, switch: sb7800}\n"
        "workloads: [{model: resnet-50, dataset: imagenet}]\n"
        "memory:\n"
        "  - {model: vgg-16, batch: 8, sharding: zero4, gpus: 0}\n"
    )
    f = tmp_path / "m.yaml"
    f.write_text(text)
    with pytest.raises(SizerInputError) as e:
        load_scenario(f, load_catalog(), display="m.yaml")
    locs = [p.loc for p in e.value.problems]
    assert sorted(locs) == ["memory[0].gpus", "memory[0].sharding"]


def test_report_case_names_the_pipeline() -> None:
    """The report's memory row says how the case is spread, the stage included."""
    from sizer.report.memory_view import memory_rows

    est = estimate_memory(
        "llama-2-70b",
        batch=1,
        seq=4096,
        precision="bf16",
        gpu_memory_bytes=80 * GIB,
        parallel=Parallel(8, "tensor", 4),
    )
    rows = memory_rows([{"case": None, "estimate": est, "gpu_name": "H100 SXM5 80GB"}])
    assert rows is not None
    spread = "tensor parallel on 8 GPUs, pipeline parallel over 4 stages (stage 1, the largest)"
    assert rows[0]["title"].endswith(spread)
    assert rows[0]["verdict"] == f"does not fit at batch 1 with {spread}"
