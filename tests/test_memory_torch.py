"""sizer.memory against real PyTorch on CPU: parameters, shapes, saved tensors, peak memory.

The networks are written here in plain ``torch.nn`` in torchvision's style (one operation per
statement, the same module names), without importing torchvision, so that the oracle does not
share code with ``sizer/netdefs.py``.

What is compared, and how
-------------------------
* **Parameters**: ``sum(p.numel())`` of the whole network and of each named module, exactly.
* **Shapes**: forward hooks on every module, for several image sizes and batches, exactly.
* **Saved activations** (training): ``torch.autograd.graph.saved_tensors_hooks`` sees every
  tensor autograd keeps for backward; we add up the distinct storages that are not parameters
  or buffers (BatchNorm running statistics are model state, not activations). This must equal
  ``estimate_memory(...).activations_bytes`` exactly, after one documented CPU difference:
  PyTorch on CPU implements dropout as ``input * noise`` and keeps a noise tensor of the
  activation dtype (4 B/value in FP32), where CUDA's ``native_dropout`` keeps a 1-byte mask,
  which is what the estimate models.
* **Peak memory**: ``torch.profiler`` with ``profile_memory=True`` records every allocation and
  free of PyTorch's CPU allocator; ``prof._memory_profile().timeline`` orders them, and the
  running sum gives the peak. (``tracemalloc`` is not valid for this: it only sees Python's own
  allocator, while tensor storage comes from c10's CPU allocator through ``posix_memalign``.)
  Inference runs in ``channels_last`` memory format so that oneDNN convolutions write straight
  into their outputs instead of reordering to and from blocked layouts (a CPU-only copy that a
  GPU does not make). The estimate counts no framework overhead here (``overhead_bytes=0``).

Run ``pytest tests/test_memory_torch.py -s`` to see the measured agreement printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from sizer.memory import estimate_memory
from sizer.netdefs import CNN
from sizer.networks import get_model


def _require_torch() -> Any:
    """Import torch; in CI (``CI=true``) a missing torch is a failure, elsewhere a skip."""
    if os.environ.get("CI") == "true":
        import torch

        return torch
    return pytest.importorskip("torch")


torch = _require_torch()
nn = torch.nn
F = torch.nn.functional


# ----------------------------------------------------------------------------- networks


class VGG(nn.Module):
    def __init__(self, cfg: str) -> None:
        super().__init__()
        layers: list[Any] = []
        c = 3
        for v in cfg.split():
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(c, int(v), kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                c = int(v)
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 1000),
        )

    def forward(self, x: Any) -> Any:
        x = self.features(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        x = self.classifier(x)
        return x


class AlexNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, 1000),
        )

    def forward(self, x: Any) -> Any:
        x = self.features(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        x = self.classifier(x)
        return x


class BasicBlock(nn.Module):
    def __init__(self, cin: int, width: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = None
        if stride != 1 or cin != width:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, width, 1, stride, bias=False), nn.BatchNorm2d(width)
            )
        self.relu2 = nn.ReLU(inplace=True)

    def forward(self, x: Any) -> Any:
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu1(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu2(out)
        return out


class Bottleneck(nn.Module):
    def __init__(self, cin: int, width: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv3 = nn.Conv2d(width, width * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(width * 4)
        self.downsample = None
        if stride != 1 or cin != width * 4:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, width * 4, 1, stride, bias=False), nn.BatchNorm2d(width * 4)
            )
        self.relu3 = nn.ReLU(inplace=True)

    def forward(self, x: Any) -> Any:
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu1(out)
        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu2(out)
        out = self.conv3(out)
        out = self.bn3(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu3(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block: type[nn.Module], counts: list[int]) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        expansion = 4 if block is Bottleneck else 1
        cin = 64
        for i, (n, width) in enumerate(zip(counts, [64, 128, 256, 512], strict=True), start=1):
            blocks = []
            for j in range(n):
                blocks.append(block(cin, width, 2 if (j == 0 and i > 1) else 1))
                cin = width * expansion
            setattr(self, f"layer{i}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(512 * expansion, 1000)

    def forward(self, x: Any) -> Any:
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        x = self.fc(x)
        return x


class BasicConv2d(nn.Module):
    def __init__(self, cin: int, cout: int, **kwargs: Any) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Any) -> Any:
        x = self.conv(x)
        x = self.bn(x)
        return self.relu(x)


class Inception(nn.Module):
    def __init__(self, cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, pp: int) -> None:
        super().__init__()
        self.branch1 = BasicConv2d(cin, c1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(cin, c3r, kernel_size=1), BasicConv2d(c3r, c3, kernel_size=3, padding=1)
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(cin, c5r, kernel_size=1), BasicConv2d(c5r, c5, kernel_size=3, padding=1)
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(cin, pp, kernel_size=1),
        )

    def forward(self, x: Any) -> Any:
        branch1 = self.branch1(x)
        branch2 = self.branch2(x)
        branch3 = self.branch3(x)
        branch4 = self.branch4(x)
        return torch.cat([branch1, branch2, branch3, branch4], 1)


class GoogLeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = BasicConv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x: Any) -> Any:
        x = self.conv1(x)
        x = self.maxpool1(x)
        x = self.conv2(x)
        x = self.conv3(x)
        x = self.maxpool2(x)
        x = self.inception3a(x)
        x = self.inception3b(x)
        x = self.maxpool3(x)
        x = self.inception4a(x)
        x = self.inception4b(x)
        x = self.inception4c(x)
        x = self.inception4d(x)
        x = self.inception4e(x)
        x = self.maxpool4(x)
        x = self.inception5a(x)
        x = self.inception5b(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        x = self.dropout(x)
        x = self.fc(x)
        return x


class InceptionA(nn.Module):
    def __init__(self, cin: int, pool_features: int) -> None:
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(cin, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.pool = nn.AvgPool2d(kernel_size=3, stride=1, padding=1)
        self.branch_pool = BasicConv2d(cin, pool_features, kernel_size=1)

    def forward(self, x: Any) -> Any:
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_1(x)
        branch5x5 = self.branch5x5_2(branch5x5)
        branch3x3dbl = self.branch3x3dbl_1(x)
        branch3x3dbl = self.branch3x3dbl_2(branch3x3dbl)
        branch3x3dbl = self.branch3x3dbl_3(branch3x3dbl)
        branch_pool = self.pool(x)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch5x5, branch3x3dbl, branch_pool], 1)


class InceptionB(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3 = BasicConv2d(cin, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)

    def forward(self, x: Any) -> Any:
        branch3x3 = self.branch3x3(x)
        branch3x3dbl = self.branch3x3dbl_1(x)
        branch3x3dbl = self.branch3x3dbl_2(branch3x3dbl)
        branch3x3dbl = self.branch3x3dbl_3(branch3x3dbl)
        branch_pool = self.pool(x)
        return torch.cat([branch3x3, branch3x3dbl, branch_pool], 1)


class InceptionC(nn.Module):
    def __init__(self, cin: int, c7: int) -> None:
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.pool = nn.AvgPool2d(kernel_size=3, stride=1, padding=1)
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x: Any) -> Any:
        branch1x1 = self.branch1x1(x)
        branch7x7 = self.branch7x7_1(x)
        branch7x7 = self.branch7x7_2(branch7x7)
        branch7x7 = self.branch7x7_3(branch7x7)
        branch7x7dbl = self.branch7x7dbl_1(x)
        branch7x7dbl = self.branch7x7dbl_2(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_3(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_4(branch7x7dbl)
        branch7x7dbl = self.branch7x7dbl_5(branch7x7dbl)
        branch_pool = self.pool(x)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch7x7, branch7x7dbl, branch_pool], 1)


class InceptionD(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2)

    def forward(self, x: Any) -> Any:
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = self.branch3x3_2(branch3x3)
        branch7x7x3 = self.branch7x7x3_1(x)
        branch7x7x3 = self.branch7x7x3_2(branch7x7x3)
        branch7x7x3 = self.branch7x7x3_3(branch7x7x3)
        branch7x7x3 = self.branch7x7x3_4(branch7x7x3)
        branch_pool = self.pool(x)
        return torch.cat([branch3x3, branch7x7x3, branch_pool], 1)


class InceptionE(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(cin, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(cin, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.pool = nn.AvgPool2d(kernel_size=3, stride=1, padding=1)
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x: Any) -> Any:
        branch1x1 = self.branch1x1(x)
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = torch.cat([self.branch3x3_2a(branch3x3), self.branch3x3_2b(branch3x3)], 1)
        branch3x3dbl = self.branch3x3dbl_1(x)
        branch3x3dbl = self.branch3x3dbl_2(branch3x3dbl)
        branch3x3dbl = torch.cat(
            [self.branch3x3dbl_3a(branch3x3dbl), self.branch3x3dbl_3b(branch3x3dbl)], 1
        )
        branch_pool = self.pool(x)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch3x3, branch3x3dbl, branch_pool], 1)


class InceptionAux(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.pool = nn.AvgPool2d(kernel_size=5, stride=3)
        self.conv0 = BasicConv2d(cin, 128, kernel_size=1)
        self.conv1 = BasicConv2d(128, 768, kernel_size=5)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(768, 1000)

    def forward(self, x: Any) -> Any:
        x = self.pool(x)
        x = self.conv0(x)
        x = self.conv1(x)
        x = self.avgpool(x)
        x = self.flatten(x)
        x = self.fc(x)
        return x


class InceptionV3(nn.Module):
    def __init__(self, aux: bool) -> None:
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.maxpool1 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.maxpool2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, c7=128)
        self.Mixed_6c = InceptionC(768, c7=160)
        self.Mixed_6d = InceptionC(768, c7=160)
        self.Mixed_6e = InceptionC(768, c7=192)
        self.AuxLogits = InceptionAux(768) if aux else None
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280)
        self.Mixed_7c = InceptionE(2048)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.5)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(2048, 1000)

    def forward(self, x: Any) -> Any:
        x = self.Conv2d_1a_3x3(x)
        x = self.Conv2d_2a_3x3(x)
        x = self.Conv2d_2b_3x3(x)
        x = self.maxpool1(x)
        x = self.Conv2d_3b_1x1(x)
        x = self.Conv2d_4a_3x3(x)
        x = self.maxpool2(x)
        x = self.Mixed_5b(x)
        x = self.Mixed_5c(x)
        x = self.Mixed_5d(x)
        x = self.Mixed_6a(x)
        x = self.Mixed_6b(x)
        x = self.Mixed_6c(x)
        x = self.Mixed_6d(x)
        x = self.Mixed_6e(x)
        aux = None
        if self.AuxLogits is not None and self.training:
            aux = self.AuxLogits(x)
        x = self.Mixed_7a(x)
        x = self.Mixed_7b(x)
        x = self.Mixed_7c(x)
        x = self.avgpool(x)
        x = self.dropout(x)
        x = self.flatten(x)
        x = self.fc(x)
        return x if aux is None else (x, aux)


_TORCH_NETS: dict[str, Callable[[], Any]] = {
    "alexnet": AlexNet,
    "vgg-16": lambda: VGG("64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M"),
    "resnet-18": lambda: ResNet(BasicBlock, [2, 2, 2, 2]),
    "resnet-50": lambda: ResNet(Bottleneck, [3, 4, 6, 3]),
    "resnet-152": lambda: ResNet(Bottleneck, [3, 8, 36, 3]),
    "googlenet": GoogLeNet,
    "inception-v3": lambda: InceptionV3(aux=True),
    "inception-v3-noaux": lambda: InceptionV3(aux=False),
}


@cache
def _net(model_id: str) -> Any:
    torch.manual_seed(0)
    return _TORCH_NETS[model_id]()


def _cnn(model_id: str) -> CNN:
    net = get_model(model_id)
    assert isinstance(net, CNN)
    return net


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("model_id", list(_TORCH_NETS))
def test_parameter_counts_match_torch_exactly(model_id: str) -> None:
    """Whole network and every named module: torch numel == netdefs == published count."""
    module = _net(model_id)
    net = _cnn(model_id)
    assert sum(p.numel() for p in module.parameters()) == net.params == net.published_params
    modules = dict(module.named_modules())
    est = estimate_memory(net, batch=1, phase="inference")
    for row in est.layers:
        if row.params:
            own = sum(p.numel() for p in modules[row.name].parameters(recurse=False))
            assert own == row.params, row.name


# ----------------------------------------------------------------------------- shapes

SHAPE_CASES = [
    ("vgg-16", (224, 224), 1),
    ("vgg-16", (64, 96), 3),
    ("alexnet", (127, 255), 2),
    ("resnet-18", (97, 131), 2),
    ("resnet-50", (97, 131), 2),
    ("resnet-152", (64, 80), 1),
    ("googlenet", (100, 150), 2),
    ("inception-v3", (299, 299), 1),
    ("inception-v3", (150, 200), 1),
]


def _hooked_forward(module: Any, x: Any) -> dict[str, tuple[int, ...]]:
    """Run ``module(x)`` and return every named module's output shape."""
    seen: dict[str, tuple[int, ...]] = {}
    handles = []
    for name, sub in module.named_modules():
        if name:
            handles.append(
                sub.register_forward_hook(
                    lambda _m, _i, out, name=name: seen.__setitem__(name, tuple(out.shape))
                )
            )
    try:
        module(x)
    finally:
        for h in handles:
            h.remove()
    return seen


@pytest.mark.parametrize(("model_id", "image", "batch"), SHAPE_CASES)
def test_layer_output_shapes_match_forward_hooks(
    model_id: str, image: tuple[int, int], batch: int
) -> None:
    """Every layer with a module: hook shape == (batch, *estimated shape); bytes follow."""
    module = _net(model_id).eval()
    with torch.no_grad():
        seen = _hooked_forward(module, torch.randn(batch, 3, *image))
    est = estimate_memory(model_id, batch=batch, image=image, phase="inference")
    checked = 0
    for row in est.layers:
        if row.op in ("conv", "bn", "linear", "maxpool", "avgpool", "adaptive_avgpool"):
            if row.output_bytes == 0:  # training-only layer (aux head) does not run in eval
                assert row.name not in seen
                continue
            assert row.name in seen, f"{row.name} has no module in the torch net"
        if row.name in seen:
            assert seen[row.name] == (batch, *row.output_shape), row.name
            assert row.output_bytes == 4 * batch * torch.Size(row.output_shape).numel()
            checked += 1
    assert checked > 0.8 * len([r for r in est.layers if r.op not in ("input", "concat", "add")])


# ----------------------------------------------------------------------------- saved tensors

SAVED_CASES = [
    ("vgg-16", (64, 64), 2),
    ("vgg-16", (224, 224), 1),
    ("alexnet", (224, 224), 2),
    ("resnet-18", (112, 96), 3),
    ("resnet-50", (64, 96), 2),
    ("googlenet", (64, 80), 2),
    ("inception-v3", (299, 299), 2),  # the aux head needs 17x17 at Mixed_6e, batch >= 2 for BN
]


def _saved_activation_bytes(module: Any, x: Any) -> tuple[int, int]:
    """(bytes of distinct non-parameter storages saved for backward, dropout values seen)."""
    state = {t.untyped_storage().data_ptr() for t in module.parameters()}
    state |= {t.untyped_storage().data_ptr() for t in module.buffers()}
    saved: dict[int, int] = {}

    def pack(t: Any) -> Any:
        st = t.untyped_storage()
        if st.data_ptr() not in state:
            saved[st.data_ptr()] = st.nbytes()
        return t

    dropout_values = 0

    def count_dropout(_m: Any, _i: Any, out: Any) -> None:
        nonlocal dropout_values
        dropout_values += out.numel()

    hooks = [
        m.register_forward_hook(count_dropout)
        for m in module.modules()
        if isinstance(m, nn.Dropout)
    ]
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            module(x)
    finally:
        for h in hooks:
            h.remove()
    return sum(saved.values()), dropout_values


@pytest.mark.parametrize(("model_id", "image", "batch"), SAVED_CASES)
def test_saved_activations_match_autograd_exactly(
    model_id: str, image: tuple[int, int], batch: int
) -> None:
    """Training activations == bytes autograd keeps for backward (FP32), to the byte.

    The only correction is CPU dropout: torch keeps a 4-byte noise value per element where
    the estimate (CUDA) counts a 1-byte mask, so torch shows 3 more bytes per dropout value.
    """
    module = _net(model_id).train()
    torch.manual_seed(1)
    measured, dropout_values = _saved_activation_bytes(module, torch.randn(batch, 3, *image))
    est = estimate_memory(model_id, batch=batch, image=image, phase="training")
    assert measured == est.activations_bytes + 3 * dropout_values
    print(
        f"\n{model_id} {image[0]}x{image[1]} batch {batch}: autograd keeps {measured:,} B, "
        f"estimate {est.activations_bytes:,} B + CPU dropout {3 * dropout_values:,} B"
    )


# ----------------------------------------------------------------------------- peak memory


def _peak_bytes(fn: Callable[[], None]) -> tuple[int, int]:
    """(bytes allocated before ``fn``, peak of bytes allocated by ``fn`` above that)."""
    from torch.profiler import ProfilerActivity, profile
    from torch.profiler._memory_profiler import Action

    with profile(
        activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=True, with_stack=True
    ) as prof:
        fn()
    before = now = peak = 0
    for _t, action, _key, size in prof._memory_profile().timeline:
        if action == Action.PREEXISTING:
            before += size
        elif action == Action.CREATE:
            now += size
        elif action == Action.DESTROY:
            now -= size
        peak = max(peak, now)
    return before, peak


INFERENCE_CASES = [
    ("vgg-16", (224, 224), 1),
    ("resnet-50", (160, 160), 2),
    ("googlenet", (224, 224), 1),
    ("alexnet", (224, 224), 8),
]


@pytest.mark.parametrize(("model_id", "image", "batch"), INFERENCE_CASES)
def test_inference_peak_activation_memory(
    model_id: str, image: tuple[int, int], batch: int
) -> None:
    """Measured peak of an inference forward (no_grad, channels_last) vs the live-set estimate.

    The estimate is what must be alive: the layer's input and output, tensors waiting for a
    skip connection or concatenation, and inputs still held by calling modules. The measured
    peak adds CPU-only transients, so it may only be somewhat higher: oneDNN's reordered copy
    of a conv's weights, and int64 argmax indices that the channels_last CPU max-pool kernel
    computes even under no_grad. The latter is AlexNet's whole excess (+24 %): at its first
    max pool the live set is the input, conv output and pool output (12.5 MB at batch 8)
    plus 3.0 MB of indices (8 B x 64 x 27 x 27 x 8).
    """
    module = _net(model_id).eval().to(memory_format=torch.channels_last)

    def forward() -> None:
        with torch.no_grad():
            x = torch.randn(batch, 3, *image).contiguous(memory_format=torch.channels_last)
            module(x)

    try:
        _, peak = _peak_bytes(forward)
    finally:
        module.to(memory_format=torch.contiguous_format)
    est = estimate_memory(model_id, batch=batch, image=image, phase="inference", overhead_bytes=0)
    ratio = peak / est.activations_bytes
    print(
        f"\n{model_id} inference {image[0]}x{image[1]} batch {batch}: measured peak "
        f"{peak:,} B, estimate {est.activations_bytes:,} B, ratio {ratio:.3f}"
    )
    assert 1.0 <= ratio <= 1.25


TRAINING_CASES = [
    ("vgg-16", (64, 64), 4, "sgd"),
    ("resnet-50", (160, 160), 4, "adam"),
    ("googlenet", (224, 224), 4, "sgd-momentum"),
]


@pytest.mark.parametrize(("model_id", "image", "batch", "optimizer"), TRAINING_CASES)
def test_training_step_peak_memory(
    model_id: str, image: tuple[int, int], batch: int, optimizer: str
) -> None:
    """Measured peak of one full FP32 training step on CPU vs the estimated total.

    The step is zero_grad(set_to_none) + forward + cross-entropy + backward + optimizer step.
    We measure the second step, so the optimizer state (allocated by the first) is resident, as
    in steady-state training. The estimate adds parameters, gradients, optimizer state and all
    saved activations as if they coexisted; in a real step backward frees activations while it
    allocates gradients, so the estimate is a modest over-estimate where gradients are a large
    share, and close where activations dominate (VGG's large FC gradients come first in
    backward, while nearly all activations are still alive).
    """
    module = _net(model_id).train()
    params = list(module.parameters())
    if optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=0.01)
    elif optimizer == "sgd-momentum":
        opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.Adam(params, lr=1e-3)
    torch.manual_seed(2)
    x = torch.randn(batch, 3, *image)
    target = torch.randint(0, 1000, (batch,))

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(module(x), target)
        loss.backward()
        opt.step()

    try:
        step()  # first step: the optimizer allocates its state
        before, peak = _peak_bytes(step)
    finally:
        opt.zero_grad(set_to_none=True)
    measured = before + peak  # parameters, BN buffers and the batch existed before the step
    est = estimate_memory(
        model_id, batch=batch, image=image, phase="training", optimizer=optimizer, overhead_bytes=0
    )
    ratio = measured / est.total_bytes
    parts = ", ".join(f"{k} {v:,}" for k, v in est.categories().items() if v)
    print(
        f"\n{model_id} training step {image[0]}x{image[1]} batch {batch} {optimizer}: measured "
        f"peak {measured:,} B, estimate {est.total_bytes:,} B ({parts}), ratio {ratio:.3f}"
    )
    assert 0.85 <= ratio <= 1.05


# ----------------------------------------------------------------------------- transformer block


class GPTBlock(nn.Module):
    """A GPT-2/3 block written plainly: pre-LayerNorm, eager attention, GeLU MLP, dropout."""

    def __init__(self, h: int, heads: int, p: float = 0.1) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(h)
        self.qkv = nn.Linear(h, 3 * h)
        self.proj = nn.Linear(h, h)
        self.ln2 = nn.LayerNorm(h)
        self.fc1 = nn.Linear(h, 4 * h)
        self.fc2 = nn.Linear(4 * h, h)
        self.heads = heads
        self.p = p

    def forward(self, x: Any) -> Any:
        b, s, h = x.shape
        a, d = self.heads, h // self.heads
        y = self.ln1(x)
        q, k, v = self.qkv(y).split(h, dim=2)
        q = q.view(b, s, a, d).transpose(1, 2)
        k = k.view(b, s, a, d).transpose(1, 2)
        v = v.view(b, s, a, d).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / d**0.5)
        att = F.softmax(att, dim=-1)
        att = F.dropout(att, self.p, self.training)
        y = (att @ v).transpose(1, 2).contiguous().view(b, s, h)
        x = x + F.dropout(self.proj(y), self.p, self.training)
        y = self.fc2(F.gelu(self.fc1(self.ln2(x))))
        return x + F.dropout(y, self.p, self.training)


@pytest.mark.parametrize(("dtype", "precision"), [("float32", "fp32"), ("bfloat16", "bf16")])
def test_gpt_block_saved_activations_match_korthikanti(dtype: str, precision: str) -> None:
    """One block, b=2, s=128, h=256, a=8: autograd's saved bytes == our per-layer figure
    (Korthikanti et al. 2022, generalised to element size e: sbh(16e + 2) + as^2 b(2e + 1);
    for e = 2 that is sbh(34 + 5as/h)) plus two CPU-only differences, both exact:

    * dropout keeps a noise tensor of the activation dtype (e bytes) instead of a 1-byte mask:
      (e - 1) x (a s^2 b + 2 s b h) more bytes;
    * LayerNorm keeps its mean and 1/std per token (2 x 2 x s b values of e bytes), which the
      paper's formula leaves out as negligible (1/h of the rest).
    """
    from sizer.netdefs import Transformer

    b, s, h, a = 2, 128, 256, 8
    tdtype = getattr(torch, dtype)
    torch.manual_seed(3)
    block = GPTBlock(h, a).to(tdtype).train()
    x = torch.randn(b, s, h, dtype=tdtype, requires_grad=True)
    measured, _ = _saved_activation_bytes(block, x)
    tiny = Transformer(
        id="gpt-block",
        title="GPT block",
        n_layers=1,
        hidden=h,
        heads=a,
        kv_heads=a,
        ffn=4 * h,
        vocab=1000,
        max_seq=s,
        mlp="gelu",
        norm="layernorm",
        bias=True,
        tied_embeddings=True,
        learned_positions=True,
        dropout=True,
        published_params=None,
        published_params_text="",
        source="test",
    )
    est = estimate_memory(tiny, batch=b, seq=s, precision=precision)
    layer = next(r for r in est.layers if r.name == "layers.0").saved_bytes
    e = 4 if precision == "fp32" else 2
    if e == 2:
        assert layer == s * b * h * (34 + 5 * a * s // h)
    cpu_dropout = (e - 1) * (a * s * s * b + 2 * s * b * h)
    layernorm_stats = 2 * 2 * s * b * e
    assert measured == layer + cpu_dropout + layernorm_stats
    print(
        f"\nGPT block {precision}: autograd keeps {measured:,} B = formula {layer:,} B + CPU "
        f"dropout {cpu_dropout:,} B + LayerNorm stats {layernorm_stats:,} B"
    )
