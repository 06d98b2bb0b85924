"""Layer-level model definitions: CNNs as layer graphs, decoder-only transformers as shapes.

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

The networks themselves (published shapes, counts and sources, and the CNN wiring) are in
:mod:`sizer.networks`; :func:`sizer.networks.get_model` looks one up by id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sizer.errors import Problem, SizerInputError

__all__ = [
    "CNN",
    "Layer",
    "LayerShape",
    "Model",
    "Transformer",
    "infer_shapes",
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

    A mixture-of-experts model (Mixtral) has ``experts`` MLPs per block and a router
    (``h*experts``, no bias); each token runs ``experts_active`` of them. The defaults (1, 1) are
    a dense model, whose counts the MoE terms leave unchanged.
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
    experts: int = 1
    experts_active: int = 1

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
        """Parameters of one normalization layer."""
        return 2 * self.hidden if self.norm == "layernorm" else self.hidden

    @property
    def block_params(self) -> int:
        """Parameters of one transformer block."""
        h, kv, f = self.hidden, self.kv_dim, self.ffn
        attn = h * (h + 2 * kv) + h * h
        mlp = (2 if self.mlp == "gelu" else 3) * h * f * self.experts
        router = h * self.experts if self.experts > 1 else 0
        biases = 0
        if self.bias:
            biases = (h + 2 * kv) + h + (f + h if self.mlp == "gelu" else 2 * f + h) * self.experts
        return attn + mlp + router + biases + 2 * self.norm_params

    @property
    def active_params(self) -> int:
        """Parameters one token runs through: all but the ``experts - experts_active`` idle MLPs."""
        f = self.ffn
        per_mlp = (2 if self.mlp == "gelu" else 3) * self.hidden * f
        if self.bias:
            per_mlp += f + self.hidden if self.mlp == "gelu" else 2 * f + self.hidden
        return self.params - self.n_layers * (self.experts - self.experts_active) * per_mlp

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
    >>> from sizer.networks import get_model
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
