"""Layer-level model definitions, as data: CNNs as layer graphs, decoder-only transformers as shapes.

A CNN is a tuple of :class:`Layer` records in execution order (the order in which the
reference PyTorch ``forward`` runs them). Each layer names the layers it reads, so branches
(Inception) and skip connections (ResNet) are ordinary data. :func:`infer_shapes` computes every
layer's output shape and parameter count for any input image size; nothing is a hand-typed total.
Layer names are the module paths of the torchvision definitions (``features.0``,
``layer1.0.conv1``, ``Mixed_5b.branch1x1.conv``), so a per-layer row can be checked against a
forward hook on the PyTorch module of the same name. Where torchvision calls ``F.relu`` or
``F.avg_pool2d`` (no module), we use a name of our own (``...relu``, ``...pool``, ``...cat``).

A decoder-only transformer is a :class:`Transformer`: layers, hidden size, heads, KV heads, MLP
width, vocabulary, context length and a few architecture switches (GeLU vs SwiGLU MLP, biases,
tied embeddings, learned positions). Parameter counts follow from those numbers.

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
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from sizer.errors import Problem, SizerInputError

__all__ = [
    "CNN",
    "Layer",
    "LayerShape",
    "Model",
    "Transformer",
    "get_model",
    "infer_shapes",
    "model_ids",
]

Op = Literal[
    "input",
    "conv",
    "bn",
    "relu",
    "maxpool",
    "avgpool",
    "adaptive_avgpool",
    "flatten",
    "linear",
    "dropout",
    "concat",
    "add",
]

_CLI = "<command line>"


@dataclass(frozen=True)
class Layer:
    """One node of a CNN graph.

    ``channels`` is the number of output channels of a conv or output features of a linear
    layer. ``kernel``, ``stride``, ``padding`` are (height, width) in pixels. ``inplace`` layers
    (ReLU with ``inplace=True``, ResNet's ``out += identity``) write into the storage of their
    first input instead of allocating a new tensor. ``train_only`` layers (Inception-v3's
    auxiliary classifier) run only in training mode but their parameters are always loaded.
    """

    name: str
    op: Op
    inputs: tuple[str, ...] = ()
    channels: int = 0
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    bias: bool = True
    ceil_mode: bool = False
    output_size: tuple[int, int] = (1, 1)
    inplace: bool = False
    train_only: bool = False


@dataclass(frozen=True)
class CNN:
    """A convolutional network: layers in execution order; the first is the ``input`` node."""

    id: str
    title: str
    layers: tuple[Layer, ...]
    default_image: tuple[int, int]
    published_params: int
    source: str
    in_channels: int = 3

    kind: Literal["cnn"] = "cnn"

    @property
    def params(self) -> int:
        """Total trainable parameters (independent of the image size)."""
        return sum(s.params for s in infer_shapes(self, self.default_image))


@dataclass(frozen=True)
class LayerShape:
    """A layer with its computed per-sample output shape and its parameter count.

    ``out_shape`` is ``(C, H, W)`` for feature maps and ``(F,)`` after flattening; the batch
    dimension is not included.
    """

    layer: Layer
    out_shape: tuple[int, ...]
    params: int

    @property
    def numel(self) -> int:
        """Values in one sample's output tensor."""
        return math.prod(self.out_shape)


@dataclass(frozen=True)
class Transformer:
    """A decoder-only transformer described by its published shapes.

    Parameters per block: attention ``h*(h + 2*kv_dim) + h*h`` (Q, K, V, output projection;
    ``kv_dim = kv_heads * h / heads``), MLP ``2*h*ffn`` (GeLU) or ``3*h*ffn`` (SwiGLU), biases
    if ``bias``, and two norms (LayerNorm: weight and bias, RMSNorm: weight only). Embeddings:
    ``vocab*h``, plus ``max_seq*h`` learned positions, plus an untied output head ``vocab*h``.
    """

    id: str
    title: str
    n_layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    max_seq: int
    mlp: Literal["gelu", "swiglu"]
    norm: Literal["layernorm", "rmsnorm"]
    bias: bool
    tied_embeddings: bool
    learned_positions: bool
    dropout: bool
    published_params: int | None
    published_params_text: str
    source: str

    kind: Literal["transformer"] = "transformer"

    @property
    def head_dim(self) -> int:
        """Width of one attention head."""
        return self.hidden // self.heads

    @property
    def kv_dim(self) -> int:
        """Width of the K (or V) projection: ``kv_heads * head_dim`` (GQA when < hidden)."""
        return self.kv_heads * self.head_dim

    @property
    def norm_params(self) -> int:
        """Parameters of one normalisation layer."""
        return 2 * self.hidden if self.norm == "layernorm" else self.hidden

    @property
    def block_params(self) -> int:
        """Parameters of one transformer block."""
        h, kv, f = self.hidden, self.kv_dim, self.ffn
        attn = h * (h + 2 * kv) + h * h
        mlp = (2 if self.mlp == "gelu" else 3) * h * f
        biases = 0
        if self.bias:
            biases = (h + 2 * kv) + h + (f + h if self.mlp == "gelu" else 2 * f + h)
        return attn + mlp + biases + 2 * self.norm_params

    @property
    def embedding_params(self) -> int:
        """Token embedding plus learned position embedding (if any)."""
        return self.vocab * self.hidden + (
            self.max_seq * self.hidden if self.learned_positions else 0
        )

    @property
    def head_params(self) -> int:
        """Output projection to the vocabulary; 0 when tied to the token embedding."""
        return 0 if self.tied_embeddings else self.vocab * self.hidden

    @property
    def largest_matrix(self) -> int:
        """Parameters of the largest single weight matrix (the unit ZeRO-3/FSDP gathers)."""
        h = self.hidden
        return max(self.vocab * h, h * self.ffn, h * (h + 2 * self.kv_dim))

    @property
    def params(self) -> int:
        """Total parameters: embeddings, blocks, final norm, output head."""
        return (
            self.embedding_params
            + self.n_layers * self.block_params
            + self.norm_params
            + self.head_params
        )


Model = CNN | Transformer


# ----------------------------------------------------------------------------- shape inference


def _pool_out(size: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output size (dilation 1), including the ceil_mode edge rule."""
    num = size + 2 * p - k
    out = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def infer_shapes(net: CNN, image: tuple[int, int], training: bool = True) -> list[LayerShape]:
    """Per-layer output shapes (one sample) and parameter counts for an input image.

    Parameters
    ----------
    net : CNN
        The network.
    image : (int, int)
        Input height and width in pixels.
    training : bool
        If false, training-only layers (an auxiliary head) do not run, so an image too small
        for them is accepted; their empty dimensions are reported as 0.

    Returns
    -------
    list of LayerShape
        One entry per layer, in execution order; the first is the input image itself.

    Raises
    ------
    SizerInputError
        The image is so small that some layer's output would be empty (``loc`` ``--image``).

    Examples
    --------
    >>> from sizer.netdefs import get_model
    >>> shapes = infer_shapes(get_model("vgg-16"), (224, 224))
    >>> shapes[1].layer.name, shapes[1].out_shape, shapes[1].params
    ('features.0', (64, 224, 224), 1792)
    """
    h, w = image
    shapes: dict[str, tuple[int, ...]] = {}
    out: list[LayerShape] = []
    for layer in net.layers:
        ins = [shapes[n] for n in layer.inputs]
        params = 0
        shape: tuple[int, ...]
        if layer.op == "input":
            shape = (net.in_channels, h, w)
        elif layer.op == "conv":
            c, ih, iw = ins[0]
            (kh, kw), (sh, sw), (ph, pw) = layer.kernel, layer.stride, layer.padding
            shape = (layer.channels, (ih + 2 * ph - kh) // sh + 1, (iw + 2 * pw - kw) // sw + 1)
            params = layer.channels * c * kh * kw + (layer.channels if layer.bias else 0)
        elif layer.op == "bn":
            shape = ins[0]
            params = 2 * ins[0][0]
        elif layer.op in ("relu", "dropout"):
            shape = ins[0]
        elif layer.op in ("maxpool", "avgpool"):
            c, ih, iw = ins[0]
            (kh, kw), (sh, sw), (ph, pw) = layer.kernel, layer.stride, layer.padding
            shape = (
                c,
                _pool_out(ih, kh, sh, ph, layer.ceil_mode),
                _pool_out(iw, kw, sw, pw, layer.ceil_mode),
            )
        elif layer.op == "adaptive_avgpool":
            shape = (ins[0][0], *layer.output_size)
        elif layer.op == "flatten":
            shape = (math.prod(ins[0]),)
        elif layer.op == "linear":
            (f,) = ins[0]
            shape = (layer.channels,)
            params = layer.channels * f + (layer.channels if layer.bias else 0)
        elif layer.op == "concat":
            shape = (sum(s[0] for s in ins), *ins[0][1:])
        else:  # add
            shape = ins[0]
        if any(d <= 0 for d in shape) and not training and layer.train_only:
            shape = tuple(max(d, 0) for d in shape)
        elif any(d <= 0 for d in shape):
            dims = "x".join(str(d) for d in shape[1:])
            raise SizerInputError(
                [
                    Problem(
                        file=_CLI,
                        line=None,
                        col=None,
                        loc="--image",
                        msg=(
                            f"{h}x{w} is too small for {net.title}: layer {layer.name} "
                            f"({layer.op}) would output {dims}"
                        ),
                        type="image_too_small",
                    )
                ]
            )
        shapes[layer.name] = shape
        out.append(LayerShape(layer, shape, params))
    return out


# ----------------------------------------------------------------------------- builders


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
        k: int | tuple[int, int],
        s: int = 1,
        p: int | tuple[int, int] = 0,
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

    def basic_conv(
        self,
        name: str,
        src: str,
        out: int,
        k: int | tuple[int, int],
        s: int = 1,
        p: int | tuple[int, int] = 0,
    ) -> str:
        """torchvision's Inception ``BasicConv2d``: conv (no bias), BatchNorm, in-place ReLU."""
        x = self.conv(f"{name}.conv", src, out, k, s, p, bias=False)
        x = self.bn(f"{name}.bn", x)
        return self.relu(f"{name}.relu", x)

    def train_only(self, first: int) -> None:
        """Mark every layer appended since index ``first`` as training-only."""
        for i in range(first, len(self.layers)):
            old = self.layers[i]
            self.layers[i] = replace(old, train_only=True)


# Simonyan & Zisserman 2014, Table 1: conv widths, "M" = 2x2/2 max pool.
_VGG_CFG = {
    "vgg-11": "64 M 128 M 256 256 M 512 512 M 512 512 M",
    "vgg-13": "64 64 M 128 128 M 256 256 M 512 512 M 512 512 M",
    "vgg-16": "64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M",
    "vgg-19": "64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M",
}
_VGG_PARAMS = {
    "vgg-11": 132_863_336,
    "vgg-13": 133_047_848,
    "vgg-16": 138_357_544,
    "vgg-19": 143_667_240,
}


def _vgg(model_id: str) -> CNN:
    """torchvision ``vgg11/13/16/19`` (no BatchNorm), Simonyan & Zisserman 2014 configs A, B, D, E.

    ``features``: 3x3 convs (padding 1) with in-place ReLU, 2x2/2 max pools; ``avgpool``:
    adaptive to 7x7 (a no-op at 224x224); ``classifier``: 25,088 -> 4,096 -> 4,096 -> 1,000
    with ReLU and Dropout(0.5). Count: torchvision ``VGG16_Weights.IMAGENET1K_V1`` num_params
    138,357,544 (VGG-11 132,863,336; VGG-13 133,047,848; VGG-19 143,667,240).
    """
    b = _Builder()
    x, i = "input", 0
    for v in _VGG_CFG[model_id].split():
        if v == "M":
            x = b.maxpool(f"features.{i}", x, 2, 2)
            i += 1
        else:
            x = b.conv(f"features.{i}", x, int(v), 3, 1, 1)
            x = b.relu(f"features.{i + 1}", x)
            i += 2
    x = b.adaptive("avgpool", x, (7, 7))
    x = b.flatten("flatten", x)
    x = b.linear("classifier.0", x, 4096)
    x = b.relu("classifier.1", x)
    x = b.dropout("classifier.2", x)
    x = b.linear("classifier.3", x, 4096)
    x = b.relu("classifier.4", x)
    x = b.dropout("classifier.5", x)
    b.linear("classifier.6", x, 1000)
    n = model_id.split("-")[1]
    return CNN(
        id=model_id,
        title=f"VGG-{n}",
        layers=tuple(b.layers),
        default_image=(224, 224),
        published_params=_VGG_PARAMS[model_id],
        source=(
            f"torchvision vgg{n} (VGG{n}_Weights.IMAGENET1K_V1 num_params "
            f"{_VGG_PARAMS[model_id]:,}); Simonyan & Zisserman 2014"
        ),
    )


def _alexnet() -> CNN:
    """torchvision ``alexnet``: the one-weird-trick variant (64-192-384-256-256 channels).

    Count: torchvision ``AlexNet_Weights.IMAGENET1K_V1`` num_params 61,100,840. The original
    2012 network (96-256-384-384-256 channels, two GPU groups) has about 60.97 M parameters and
    is not this one.
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
    x = b.dropout("classifier.0", x)
    x = b.linear("classifier.1", x, 4096)
    x = b.relu("classifier.2", x)
    x = b.dropout("classifier.3", x)
    x = b.linear("classifier.4", x, 4096)
    x = b.relu("classifier.5", x)
    b.linear("classifier.6", x, 1000)
    return CNN(
        id="alexnet",
        title="AlexNet",
        layers=tuple(b.layers),
        default_image=(224, 224),
        published_params=61_100_840,
        source="torchvision alexnet (AlexNet_Weights.IMAGENET1K_V1 num_params 61,100,840)",
    )


_RESNET_CFG: dict[str, tuple[str, list[int], int]] = {
    "resnet-18": ("basic", [2, 2, 2, 2], 11_689_512),
    "resnet-34": ("basic", [3, 4, 6, 3], 21_797_672),
    "resnet-50": ("bottleneck", [3, 4, 6, 3], 25_557_032),
    "resnet-101": ("bottleneck", [3, 4, 23, 3], 44_549_160),
    "resnet-152": ("bottleneck", [3, 8, 36, 3], 60_192_808),
}


def _resnet(model_id: str) -> CNN:
    """torchvision ``resnet18/34/50/101/152`` (v1.5: the stride is on the 3x3 conv).

    Stem: 7x7/2 conv (no bias), BatchNorm, ReLU, 3x3/2 max pool. Bottleneck block: 1x1, 3x3,
    1x1 (x4 channels) convs each with BatchNorm; a 1x1 conv + BatchNorm downsample on the first
    block of a stage; ``out += identity`` in place, then ReLU. Head: global average pool and a
    2048 -> 1000 linear layer. Counts from the torchvision weights tables: ResNet-50
    ``ResNet50_Weights.IMAGENET1K_V1`` 25,557,032; ResNet-152 60,192,808; ResNet-101
    44,549,160; ResNet-34 21,797,672; ResNet-18 11,689,512.
    """
    block, counts, published = _RESNET_CFG[model_id]
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
    n_layers = model_id.split("-")[1]
    return CNN(
        id=model_id,
        title=f"ResNet-{n_layers}",
        layers=tuple(b.layers),
        default_image=(224, 224),
        published_params=published,
        source=(
            f"torchvision resnet{n_layers} (ResNet{n_layers}_Weights.IMAGENET1K_V1 num_params "
            f"{published:,}); He et al. 2015"
        ),
    )


def _googlenet() -> CNN:
    """torchvision ``googlenet`` without the auxiliary heads (as the pretrained model loads).

    Count: torchvision ``GoogLeNet_Weights.IMAGENET1K_V1`` num_params 6,624,904 (aux heads
    removed; with them the network has 13,004,888). torchvision keeps a known deviation from
    the paper: the "5x5" branch uses a 3x3 conv (pytorch/vision issue 906); we follow it.
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
    return CNN(
        id="googlenet",
        title="GoogLeNet",
        layers=tuple(b.layers),
        default_image=(224, 224),
        published_params=6_624_904,
        source=(
            "torchvision googlenet without aux heads (GoogLeNet_Weights.IMAGENET1K_V1 "
            "num_params 6,624,904); Szegedy et al. 2014"
        ),
    )


def _inception_v3(aux: bool) -> CNN:
    """torchvision ``inception_v3``; ``aux`` keeps the auxiliary classifier (torchvision default).

    Counts: torchvision ``Inception_V3_Weights.IMAGENET1K_V1`` num_params 27,161,264 is the
    network *with* the auxiliary head (the pretrained model keeps it unless
    ``aux_logits=False``); without it, 23,834,568. The aux head runs only in training, so it
    adds activations to training and only parameters to inference. Default input 299x299.
    """
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
    published = 27_161_264 if aux else 23_834_568
    return CNN(
        id="inception-v3" if aux else "inception-v3-noaux",
        title="Inception-v3" + ("" if aux else " (no aux head)"),
        layers=tuple(b.layers),
        default_image=(299, 299),
        published_params=published,
        source=(
            "torchvision inception_v3 with aux head (Inception_V3_Weights.IMAGENET1K_V1 "
            "num_params 27,161,264); Szegedy et al. 2015"
            if aux
            else "torchvision inception_v3(aux_logits=False): 27,161,264 minus the 3,326,696 "
            "aux-head parameters = 23,834,568; Szegedy et al. 2015"
        ),
    )


def _gpt3() -> Transformer:
    """GPT-3 175B (Brown et al. 2020, Table 2.1): 96 layers, d_model 12,288, 96 heads of 128,
    context 2,048; GPT-2 BPE vocabulary 50,257; learned positions, LayerNorm, biases, GeLU MLP
    of 4*d_model, output head tied to the token embedding. The article's example: 175 B
    parameters x 4 bytes = 700 GB in FP32."""
    return Transformer(
        id="gpt-3-175b",
        title="GPT-3 175B",
        n_layers=96,
        hidden=12288,
        heads=96,
        kv_heads=96,
        ffn=4 * 12288,
        vocab=50257,
        max_seq=2048,
        mlp="gelu",
        norm="layernorm",
        bias=True,
        tied_embeddings=True,
        learned_positions=True,
        dropout=True,
        published_params=None,
        published_params_text="175.0B (Brown et al. 2020, Table 2.1)",
        source="Brown et al. 2020, arXiv:2005.14165, Table 2.1 (shapes); vocabulary 50,257 (GPT-2 BPE)",
    )


def _llama2(size: str) -> Transformer:
    """Llama-2 7B / 70B from the released ``config.json``: RMSNorm, SwiGLU MLP, no biases,
    rotary positions (no position parameters), untied output head, vocabulary 32,000, context
    4,096, no dropout. 70B uses grouped-query attention with 8 KV heads."""
    if size == "7b":
        n, h, a, kv, f, count = 32, 4096, 32, 32, 11008, 6_738_415_616
    else:
        n, h, a, kv, f, count = 80, 8192, 64, 8, 28672, 68_976_648_192
    return Transformer(
        id=f"llama-2-{size}",
        title=f"Llama-2-{size.upper()}",
        n_layers=n,
        hidden=h,
        heads=a,
        kv_heads=kv,
        ffn=f,
        vocab=32000,
        max_seq=4096,
        mlp="swiglu",
        norm="rmsnorm",
        bias=False,
        tied_embeddings=False,
        learned_positions=False,
        dropout=False,
        published_params=count,
        published_params_text=f"{size.upper()} (Touvron et al. 2023); exact count {count:,}",
        source=(
            f"Touvron et al. 2023, arXiv:2307.09288; shapes from meta-llama/Llama-2-{size}-hf "
            f"config.json (hidden {h}, intermediate {f}, layers {n}, heads {a}, kv heads {kv})"
        ),
    )


_BUILDERS: dict[str, Callable[[], Model]] = {
    "alexnet": _alexnet,
    "vgg-11": lambda: _vgg("vgg-11"),
    "vgg-13": lambda: _vgg("vgg-13"),
    "vgg-16": lambda: _vgg("vgg-16"),
    "vgg-19": lambda: _vgg("vgg-19"),
    "resnet-18": lambda: _resnet("resnet-18"),
    "resnet-34": lambda: _resnet("resnet-34"),
    "resnet-50": lambda: _resnet("resnet-50"),
    "resnet-101": lambda: _resnet("resnet-101"),
    "resnet-152": lambda: _resnet("resnet-152"),
    "googlenet": _googlenet,
    "inception-v3": lambda: _inception_v3(True),
    "inception-v3-noaux": lambda: _inception_v3(False),
    "gpt-3-175b": _gpt3,
    "llama-2-7b": lambda: _llama2("7b"),
    "llama-2-70b": lambda: _llama2("70b"),
}


def model_ids() -> list[str]:
    """All model ids, in catalog order."""
    return list(_BUILDERS)


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
    return _BUILDERS[model_id]()


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
    by_squash = {_squash(k): k for k in _BUILDERS}
    key = by_squash.get(_squash(model_id))
    if key is None:
        wanted = _squash(model_id)
        near = difflib.get_close_matches(wanted, list(by_squash), n=5, cutoff=0.5)
        near.sort(key=lambda n: _osa_distance(wanted, n))  # stable: difflib order breaks ties
        msg = f"unknown model {model_id!r}"
        if near:
            msg += f"; did you mean {by_squash[near[0]]!r}?"
        else:
            msg += "; known models: " + ", ".join(_BUILDERS)
        raise SizerInputError(
            [Problem(file=_CLI, line=None, col=None, loc="--model", msg=msg, type="unknown_id")]
        )
    return _build(key)
