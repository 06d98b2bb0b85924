"""The networks the GPU memory model knows: published shapes from the data file, CNN wiring
as code, and lookup by id.

Shapes and counts are data: ``catalog/networks/networks.yaml`` holds, for every model, its
title, published parameter count and source, the transformer dimensions (layers, hidden,
heads, KV heads, MLP width, vocabulary, context, architecture switches) and the published
CNN configurations (VGG conv widths, ResNet stage depths, whether Inception-v3 keeps its
auxiliary head).  How a CNN's layers are wired (stems, residual blocks, Inception branches)
is code: the builders below append :class:`~sizer.netdefs.Layer` records in the execution
order of the torchvision ``forward``, named by torchvision's module paths.

Parameter counts
----------------
Each model's ``published_params`` is the count we must reproduce exactly, with its source:

* CNNs: the ``num_params`` entry of the torchvision weights metadata, shown in the model table
  of https://pytorch.org/vision/stable/models.html (e.g. ``VGG16_Weights.IMAGENET1K_V1``:
  138,357,544). Only trainable parameters count; BatchNorm running statistics are buffers.
* Llama-2: the exact count implied by the released ``config.json`` shapes (the paper says
  "7B"/"70B"); it equals ``sum(p.numel() for p in model.parameters())`` of the Hugging Face
  checkpoint.
* GPT-3: the paper gives only "175.0B" (Brown et al. 2020, Table 2.1); our exact count from the
  published shapes is 174,604,259,328 (0.23 % below the rounded figure), so
  ``published_params`` is ``None`` and ``published_params_text`` carries the paper's figure.

References
----------
.. [1] torchvision models and pre-trained weights, https://pytorch.org/vision/stable/models.html
.. [2] Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
   Recognition", 2014, https://arxiv.org/abs/1409.1556
.. [3] He et al., "Deep Residual Learning for Image Recognition", 2015,
   https://arxiv.org/abs/1512.03385
.. [4] Szegedy et al., "Going Deeper with Convolutions", 2014, https://arxiv.org/abs/1409.4842
.. [5] Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", 2015,
   https://arxiv.org/abs/1512.00567
.. [6] Krizhevsky, "One weird trick for parallelizing convolutional neural networks", 2014,
   https://arxiv.org/abs/1404.5997 (the AlexNet variant torchvision implements)
.. [7] Brown et al., "Language Models are Few-Shot Learners", 2020, Table 2.1,
   https://arxiv.org/abs/2005.14165
.. [8] Touvron et al., "Llama 2: Open Foundation and Fine-Tuned Chat Models", 2023,
   https://arxiv.org/abs/2307.09288; shapes from the released ``config.json``
   (https://huggingface.co/meta-llama/Llama-2-7b-hf, .../Llama-2-70b-hf)
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from sizer.errors import Problem, SizerInputError
from sizer.netdefs import CNN, Layer, Model, Transformer
from sizer.paths import builtin_catalog_dir
from sizer.yamlfile import read_builtin_yaml

__all__ = ["get_model", "model_ids"]

_CLI = "<command line>"
#: The data file, relative to the built-in catalog directory (a subdirectory: the catalog
#: loader reads only ``catalog/*.yaml``).
NETWORKS_FILE = "networks/networks.yaml"


# ----------------------------------------------------------------------------- CNN wiring

#: a kernel size or padding in pixels: one number for both sides, or (height, width)
_Px = int | tuple[int, int]


class _Builder:
    """Appends layers in execution order; each method returns the new layer's name."""

    def __init__(self) -> None:
        self.layers: list[Layer] = [Layer("input", "input")]

    @property
    def last(self) -> str:
        return self.layers[-1].name

    def _add(self, layer: Layer) -> str:
        self.layers.append(layer)
        return layer.name

    def conv(
        self,
        name: str,
        src: str,
        out: int,
        k: _Px,
        s: int = 1,
        p: _Px = 0,
        bias: bool = True,
    ) -> str:
        kk = (k, k) if isinstance(k, int) else k
        pp = (p, p) if isinstance(p, int) else p
        return self._add(Layer(name, "conv", (src,), out, kk, (s, s), pp, bias))

    def bn(self, name: str, src: str) -> str:
        return self._add(Layer(name, "bn", (src,)))

    def relu(self, name: str, src: str) -> str:
        return self._add(Layer(name, "relu", (src,), inplace=True))

    def maxpool(self, name: str, src: str, k: int, s: int, p: int = 0, ceil: bool = False) -> str:
        return self._add(Layer(name, "maxpool", (src,), 0, (k, k), (s, s), (p, p), ceil_mode=ceil))

    def avgpool(self, name: str, src: str, k: int, s: int, p: int = 0) -> str:
        return self._add(Layer(name, "avgpool", (src,), 0, (k, k), (s, s), (p, p)))

    def adaptive(self, name: str, src: str, size: tuple[int, int]) -> str:
        return self._add(Layer(name, "adaptive_avgpool", (src,), output_size=size))

    def flatten(self, name: str, src: str) -> str:
        return self._add(Layer(name, "flatten", (src,)))

    def linear(self, name: str, src: str, out: int) -> str:
        return self._add(Layer(name, "linear", (src,), out))

    def dropout(self, name: str, src: str) -> str:
        return self._add(Layer(name, "dropout", (src,)))

    def concat(self, name: str, srcs: list[str]) -> str:
        return self._add(Layer(name, "concat", tuple(srcs)))

    def add(self, name: str, a: str, b: str) -> str:
        return self._add(Layer(name, "add", (a, b), inplace=True))

    def basic_conv(self, name: str, src: str, out: int, k: _Px, s: int = 1, p: _Px = 0) -> str:
        """torchvision's Inception ``BasicConv2d``: conv (no bias), BatchNorm, in-place ReLU."""
        x = self.conv(f"{name}.conv", src, out, k, s, p, bias=False)
        x = self.bn(f"{name}.bn", x)
        return self.relu(f"{name}.relu", x)

    def train_only(self, first: int) -> None:
        """Mark every layer appended since index ``first`` as training-only."""
        for i in range(first, len(self.layers)):
            old = self.layers[i]
            self.layers[i] = replace(old, train_only=True)


def _classifier(b: _Builder, x: str, hidden: tuple[str, str, str]) -> None:
    """The torchvision AlexNet and VGG head, ``classifier.0`` to ``classifier.6``: two
    hidden layers, each ``hidden`` in order (``"linear"`` to 4,096 features, ``"relu"``,
    ``"dropout"``; AlexNet drops out before the linear layer, VGG after the ReLU), then the
    linear layer to the 1,000 classes."""
    for i, kind in enumerate(hidden * 2):
        name = f"classifier.{i}"
        if kind == "linear":
            x = b.linear(name, x, 4096)
        else:
            x = {"relu": b.relu, "dropout": b.dropout}[kind](name, x)
    b.linear("classifier.6", x, 1000)


def _alexnet(spec: dict[str, Any]) -> list[Layer]:
    """torchvision ``alexnet``: the one-weird-trick variant (64-192-384-256-256 channels).

    The original 2012 network (96-256-384-384-256 channels, two GPU groups) has about 60.97 M
    parameters and is not this one.
    """
    b = _Builder()
    x = b.conv("features.0", "input", 64, 11, 4, 2)
    x = b.relu("features.1", x)
    x = b.maxpool("features.2", x, 3, 2)
    x = b.conv("features.3", x, 192, 5, 1, 2)
    x = b.relu("features.4", x)
    x = b.maxpool("features.5", x, 3, 2)
    x = b.conv("features.6", x, 384, 3, 1, 1)
    x = b.relu("features.7", x)
    x = b.conv("features.8", x, 256, 3, 1, 1)
    x = b.relu("features.9", x)
    x = b.conv("features.10", x, 256, 3, 1, 1)
    x = b.relu("features.11", x)
    x = b.maxpool("features.12", x, 3, 2)
    x = b.adaptive("avgpool", x, (6, 6))
    x = b.flatten("flatten", x)
    _classifier(b, x, ("dropout", "linear", "relu"))
    return b.layers


def _vgg(spec: dict[str, Any]) -> list[Layer]:
    """torchvision ``vgg11/13/16/19`` (no BatchNorm), Simonyan & Zisserman 2014 configs A, B, D, E.

    ``features``: 3x3 convs (padding 1) with in-place ReLU, 2x2/2 max pools; ``avgpool``:
    adaptive to 7x7 (a no-op at 224x224); ``classifier``: 25,088 -> 4,096 -> 4,096 -> 1,000
    with ReLU and Dropout(0.5). ``convs``: the conv widths of Table 1, ``M`` a max pool.
    """
    b = _Builder()
    x, i = "input", 0
    for v in str(spec["convs"]).split():
        if v == "M":
            x = b.maxpool(f"features.{i}", x, 2, 2)
            i += 1
        else:
            x = b.conv(f"features.{i}", x, int(v), 3, 1, 1)
            x = b.relu(f"features.{i + 1}", x)
            i += 2
    x = b.adaptive("avgpool", x, (7, 7))
    x = b.flatten("flatten", x)
    _classifier(b, x, ("linear", "relu", "dropout"))
    return b.layers


def _resnet(spec: dict[str, Any]) -> list[Layer]:
    """torchvision ``resnet18/34/50/101/152`` (v1.5: the stride is on the 3x3 conv).

    Stem: 7x7/2 conv (no bias), BatchNorm, ReLU, 3x3/2 max pool. Bottleneck block: 1x1, 3x3,
    1x1 (x4 channels) convs each with BatchNorm; a 1x1 conv + BatchNorm downsample on the first
    block of a stage; ``out += identity`` in place, then ReLU. Head: global average pool and a
    2048 -> 1000 linear layer. ``block``: ``basic`` (two 3x3 convs) or ``bottleneck``;
    ``stages``: blocks per stage.
    """
    block, counts = spec["block"], list(spec["stages"])
    b = _Builder()
    x = b.conv("conv1", "input", 64, 7, 2, 3, bias=False)
    x = b.bn("bn1", x)
    x = b.relu("relu", x)
    x = b.maxpool("maxpool", x, 3, 2, 1)
    in_ch = 64
    expansion = 4 if block == "bottleneck" else 1
    for stage, (n, width) in enumerate(zip(counts, [64, 128, 256, 512], strict=True), start=1):
        for j in range(n):
            stride = 2 if (j == 0 and stage > 1) else 1
            p = f"layer{stage}.{j}"
            identity = x
            if block == "bottleneck":
                y = b.conv(f"{p}.conv1", x, width, 1, 1, 0, bias=False)
                y = b.bn(f"{p}.bn1", y)
                y = b.relu(f"{p}.relu1", y)
                y = b.conv(f"{p}.conv2", y, width, 3, stride, 1, bias=False)
                y = b.bn(f"{p}.bn2", y)
                y = b.relu(f"{p}.relu2", y)
                y = b.conv(f"{p}.conv3", y, width * 4, 1, 1, 0, bias=False)
                y = b.bn(f"{p}.bn3", y)
            else:
                y = b.conv(f"{p}.conv1", x, width, 3, stride, 1, bias=False)
                y = b.bn(f"{p}.bn1", y)
                y = b.relu(f"{p}.relu1", y)
                y = b.conv(f"{p}.conv2", y, width, 3, 1, 1, bias=False)
                y = b.bn(f"{p}.bn2", y)
            if stride != 1 or in_ch != width * expansion:
                d = b.conv(f"{p}.downsample.0", x, width * expansion, 1, stride, 0, bias=False)
                identity = b.bn(f"{p}.downsample.1", d)
            y = b.add(f"{p}.add", y, identity)
            x = b.relu(f"{p}.relu{3 if block == 'bottleneck' else 2}", y)
            in_ch = width * expansion
    x = b.adaptive("avgpool", x, (1, 1))
    x = b.flatten("flatten", x)
    b.linear("fc", x, 1000)
    return b.layers


def _googlenet(spec: dict[str, Any]) -> list[Layer]:
    """torchvision ``googlenet`` without the auxiliary heads (as the pretrained model loads).

    With the aux heads the network has 13,004,888 parameters. torchvision keeps a known
    deviation from the paper: the "5x5" branch uses a 3x3 conv (pytorch/vision issue 906); we
    follow it.
    """
    b = _Builder()
    x = b.basic_conv("conv1", "input", 64, 7, 2, 3)
    x = b.maxpool("maxpool1", x, 3, 2, ceil=True)
    x = b.basic_conv("conv2", x, 64, 1)
    x = b.basic_conv("conv3", x, 192, 3, 1, 1)
    x = b.maxpool("maxpool2", x, 3, 2, ceil=True)

    def inception(p: str, src: str, c1: int, c3r: int, c3: int, c5r: int, c5: int, pp: int) -> str:
        b1 = b.basic_conv(f"{p}.branch1", src, c1, 1)
        b2 = b.basic_conv(f"{p}.branch2.0", src, c3r, 1)
        b2 = b.basic_conv(f"{p}.branch2.1", b2, c3, 3, 1, 1)
        b3 = b.basic_conv(f"{p}.branch3.0", src, c5r, 1)
        b3 = b.basic_conv(f"{p}.branch3.1", b3, c5, 3, 1, 1)
        b4 = b.maxpool(f"{p}.branch4.0", src, 3, 1, 1, ceil=True)
        b4 = b.basic_conv(f"{p}.branch4.1", b4, pp, 1)
        return b.concat(f"{p}.cat", [b1, b2, b3, b4])

    x = inception("inception3a", x, 64, 96, 128, 16, 32, 32)
    x = inception("inception3b", x, 128, 128, 192, 32, 96, 64)
    x = b.maxpool("maxpool3", x, 3, 2, ceil=True)
    x = inception("inception4a", x, 192, 96, 208, 16, 48, 64)
    x = inception("inception4b", x, 160, 112, 224, 24, 64, 64)
    x = inception("inception4c", x, 128, 128, 256, 24, 64, 64)
    x = inception("inception4d", x, 112, 144, 288, 32, 64, 64)
    x = inception("inception4e", x, 256, 160, 320, 32, 128, 128)
    x = b.maxpool("maxpool4", x, 2, 2, ceil=True)
    x = inception("inception5a", x, 256, 160, 320, 32, 128, 128)
    x = inception("inception5b", x, 384, 192, 384, 48, 128, 128)
    x = b.adaptive("avgpool", x, (1, 1))
    x = b.flatten("flatten", x)
    x = b.dropout("dropout", x)
    b.linear("fc", x, 1000)
    return b.layers


def _inception_v3(spec: dict[str, Any]) -> list[Layer]:
    """torchvision ``inception_v3``; ``aux_head`` keeps the auxiliary classifier (torchvision
    default: the pretrained model keeps it unless ``aux_logits=False``).

    The aux head runs only in training, so it adds activations to training and only
    parameters to inference. Default input 299x299.
    """
    aux = bool(spec["aux_head"])
    b = _Builder()
    x = b.basic_conv("Conv2d_1a_3x3", "input", 32, 3, 2)
    x = b.basic_conv("Conv2d_2a_3x3", x, 32, 3)
    x = b.basic_conv("Conv2d_2b_3x3", x, 64, 3, 1, 1)
    x = b.maxpool("maxpool1", x, 3, 2)
    x = b.basic_conv("Conv2d_3b_1x1", x, 80, 1)
    x = b.basic_conv("Conv2d_4a_3x3", x, 192, 3)
    x = b.maxpool("maxpool2", x, 3, 2)

    def block_a(p: str, src: str, pool_features: int) -> str:
        b1 = b.basic_conv(f"{p}.branch1x1", src, 64, 1)
        b5 = b.basic_conv(f"{p}.branch5x5_1", src, 48, 1)
        b5 = b.basic_conv(f"{p}.branch5x5_2", b5, 64, 5, 1, 2)
        b3 = b.basic_conv(f"{p}.branch3x3dbl_1", src, 64, 1)
        b3 = b.basic_conv(f"{p}.branch3x3dbl_2", b3, 96, 3, 1, 1)
        b3 = b.basic_conv(f"{p}.branch3x3dbl_3", b3, 96, 3, 1, 1)
        bp = b.avgpool(f"{p}.pool", src, 3, 1, 1)
        bp = b.basic_conv(f"{p}.branch_pool", bp, pool_features, 1)
        return b.concat(f"{p}.cat", [b1, b5, b3, bp])

    def block_b(p: str, src: str) -> str:
        b3 = b.basic_conv(f"{p}.branch3x3", src, 384, 3, 2)
        bd = b.basic_conv(f"{p}.branch3x3dbl_1", src, 64, 1)
        bd = b.basic_conv(f"{p}.branch3x3dbl_2", bd, 96, 3, 1, 1)
        bd = b.basic_conv(f"{p}.branch3x3dbl_3", bd, 96, 3, 2)
        bp = b.maxpool(f"{p}.pool", src, 3, 2)
        return b.concat(f"{p}.cat", [b3, bd, bp])

    def block_c(p: str, src: str, c7: int) -> str:
        b1 = b.basic_conv(f"{p}.branch1x1", src, 192, 1)
        b7 = b.basic_conv(f"{p}.branch7x7_1", src, c7, 1)
        b7 = b.basic_conv(f"{p}.branch7x7_2", b7, c7, (1, 7), 1, (0, 3))
        b7 = b.basic_conv(f"{p}.branch7x7_3", b7, 192, (7, 1), 1, (3, 0))
        bd = b.basic_conv(f"{p}.branch7x7dbl_1", src, c7, 1)
        bd = b.basic_conv(f"{p}.branch7x7dbl_2", bd, c7, (7, 1), 1, (3, 0))
        bd = b.basic_conv(f"{p}.branch7x7dbl_3", bd, c7, (1, 7), 1, (0, 3))
        bd = b.basic_conv(f"{p}.branch7x7dbl_4", bd, c7, (7, 1), 1, (3, 0))
        bd = b.basic_conv(f"{p}.branch7x7dbl_5", bd, 192, (1, 7), 1, (0, 3))
        bp = b.avgpool(f"{p}.pool", src, 3, 1, 1)
        bp = b.basic_conv(f"{p}.branch_pool", bp, 192, 1)
        return b.concat(f"{p}.cat", [b1, b7, bd, bp])

    def block_d(p: str, src: str) -> str:
        b3 = b.basic_conv(f"{p}.branch3x3_1", src, 192, 1)
        b3 = b.basic_conv(f"{p}.branch3x3_2", b3, 320, 3, 2)
        b7 = b.basic_conv(f"{p}.branch7x7x3_1", src, 192, 1)
        b7 = b.basic_conv(f"{p}.branch7x7x3_2", b7, 192, (1, 7), 1, (0, 3))
        b7 = b.basic_conv(f"{p}.branch7x7x3_3", b7, 192, (7, 1), 1, (3, 0))
        b7 = b.basic_conv(f"{p}.branch7x7x3_4", b7, 192, 3, 2)
        bp = b.maxpool(f"{p}.pool", src, 3, 2)
        return b.concat(f"{p}.cat", [b3, b7, bp])

    def block_e(p: str, src: str) -> str:
        b1 = b.basic_conv(f"{p}.branch1x1", src, 320, 1)
        b3 = b.basic_conv(f"{p}.branch3x3_1", src, 384, 1)
        b3a = b.basic_conv(f"{p}.branch3x3_2a", b3, 384, (1, 3), 1, (0, 1))
        b3b = b.basic_conv(f"{p}.branch3x3_2b", b3, 384, (3, 1), 1, (1, 0))
        b3 = b.concat(f"{p}.cat3x3", [b3a, b3b])
        bd = b.basic_conv(f"{p}.branch3x3dbl_1", src, 448, 1)
        bd = b.basic_conv(f"{p}.branch3x3dbl_2", bd, 384, 3, 1, 1)
        bda = b.basic_conv(f"{p}.branch3x3dbl_3a", bd, 384, (1, 3), 1, (0, 1))
        bdb = b.basic_conv(f"{p}.branch3x3dbl_3b", bd, 384, (3, 1), 1, (1, 0))
        bd = b.concat(f"{p}.cat3x3dbl", [bda, bdb])
        bp = b.avgpool(f"{p}.pool", src, 3, 1, 1)
        bp = b.basic_conv(f"{p}.branch_pool", bp, 192, 1)
        return b.concat(f"{p}.cat", [b1, b3, bd, bp])

    x = block_a("Mixed_5b", x, 32)
    x = block_a("Mixed_5c", x, 64)
    x = block_a("Mixed_5d", x, 64)
    x = block_b("Mixed_6a", x)
    x = block_c("Mixed_6b", x, 128)
    x = block_c("Mixed_6c", x, 160)
    x = block_c("Mixed_6d", x, 160)
    x = block_c("Mixed_6e", x, 192)
    if aux:
        first = len(b.layers)
        a = b.avgpool("AuxLogits.pool", x, 5, 3)
        a = b.basic_conv("AuxLogits.conv0", a, 128, 1)
        a = b.basic_conv("AuxLogits.conv1", a, 768, 5)
        a = b.adaptive("AuxLogits.avgpool", a, (1, 1))
        a = b.flatten("AuxLogits.flatten", a)
        b.linear("AuxLogits.fc", a, 1000)
        b.train_only(first)
    x = block_d("Mixed_7a", x)
    x = block_e("Mixed_7b", x)
    x = block_e("Mixed_7c", x)
    x = b.adaptive("avgpool", x, (1, 1))
    x = b.dropout("dropout", x)
    x = b.flatten("flatten", x)
    b.linear("fc", x, 1000)
    return b.layers


_BUILDERS: dict[str, Callable[[dict[str, Any]], list[Layer]]] = {
    "alexnet": _alexnet,
    "vgg": _vgg,
    "resnet": _resnet,
    "googlenet": _googlenet,
    "inception-v3": _inception_v3,
}


# ----------------------------------------------------------------------------- lookup


@cache
def _specs() -> dict[str, dict[str, Any]]:
    """The entries of the data file by id, in file order."""
    doc = read_builtin_yaml(builtin_catalog_dir() / NETWORKS_FILE, f"catalog/{NETWORKS_FILE}")
    return {str(entry["id"]): entry for entry in doc.data["networks"]}


def model_ids() -> list[str]:
    """All model ids, in catalog order."""
    return list(_specs())


def _osa_distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbours as one edit (``vgg61`` -> ``vgg16``: 1)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@cache
def _build(model_id: str) -> Model:
    spec = dict(_specs()[model_id])
    if spec.pop("kind") == "transformer":
        return Transformer(**spec)
    height, width = spec["default_image"]
    return CNN(
        id=spec["id"],
        title=spec["title"],
        layers=tuple(_BUILDERS[spec["builder"]](spec)),
        default_image=(height, width),
        published_params=spec["published_params"],
        source=spec["source"],
    )


def get_model(model_id: str) -> Model:
    """The model with this id; spelling of ``-``/``_`` and case is forgiven (``VGG16``).

    Raises
    ------
    SizerInputError
        Unknown id, naming the nearest id (``loc`` ``--model``).

    Examples
    --------
    >>> get_model("ResNet50").params
    25557032
    """
    by_squash = {_squash(k): k for k in _specs()}
    key = by_squash.get(_squash(model_id))
    if key is None:
        wanted = _squash(model_id)
        near = difflib.get_close_matches(wanted, list(by_squash), n=5, cutoff=0.5)
        near.sort(key=lambda n: _osa_distance(wanted, n))  # stable: difflib order breaks ties
        msg = f"unknown model {model_id!r}"
        if near:
            msg += f"; did you mean {by_squash[near[0]]!r}?"
        else:
            msg += "; known models: " + ", ".join(_specs())
        raise SizerInputError(
            [Problem(file=_CLI, line=None, col=None, loc="--model", msg=msg, type="unknown_id")]
        )
    return _build(key)
