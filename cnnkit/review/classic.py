"""Key numbers of the classic networks: the ONE place they are written down.

The formula sheet prints this table, and the model tests (``tests/test_models*.py``, another
engineer's) may check ``cnnkit.models`` against it: change a number here and both follow.
Parameter counts are exact where a reference implementation fixes them; ``approx`` marks the
numbers the papers give only roughly. ``macs`` (multiply-accumulates per 224×224 image, as the
papers and torchvision report them) are approximate and for orientation only; no test checks them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassicNetwork:
    name: str
    year: int
    weight_layers: int  # convolution + fully connected layers
    params: int  # exact count (see ``source``) or, when ``approx``, the paper's round figure
    approx: bool
    macs: str  # rough multiply-accumulates per image, as text
    key_idea: str
    chinese: str  # key idea in Chinese
    source: str  # where the exact count comes from


CLASSIC_NETWORKS: dict[str, ClassicNetwork] = {
    "LeNet-5": ClassicNetwork(
        "LeNet-5",
        1998,
        5,
        61_706,
        False,
        "≈0.42 M",
        "conv-pool twice, then FC; tanh/sigmoid; bank cheques",
        "卷积+池化交替，最后全连接",
        "the usual Keras LeNet-5 for 28×28×1 input (ck.models.lenet5())",
    ),
    "AlexNet": ClassicNetwork(
        "AlexNet",
        2012,
        8,
        60_000_000,
        True,
        "≈0.7 G",
        "ReLU, dropout, augmentation, LRN, overlapping pooling, 2 GPUs",
        "ReLU、随机失活、数据增强、局部响应归一化、重叠池化",
        "the paper's 'about 60 million'",
    ),
    "VGG16": ClassicNetwork(
        "VGG16",
        2014,
        16,
        138_357_544,
        False,
        "≈15.5 G",
        "only 3×3 convs (stride 1, pad 1) and 2×2 max pooling",
        "只用3×3卷积和2×2最大池化",
        "keras.applications.VGG16(weights=None)",
    ),
    "GoogLeNet": ClassicNetwork(
        "GoogLeNet",
        2014,
        22,
        6_998_552,
        False,
        "≈1.5 G",
        "inception modules, 1×1 reductions, global average pooling",
        "Inception模块、1×1卷积降维、全局平均池化",
        "torchvision googlenet without the auxiliary classifiers",
    ),
    "ResNet-18": ClassicNetwork(
        "ResNet-18",
        2015,
        18,
        11_689_512,
        False,
        "≈1.8 G",
        "residual blocks y = F(x) + x, batch norm",
        "残差块 y = F(x) + x、批量归一化",
        "trainable parameters as torchvision resnet18 counts them",
    ),
    "ResNet-34": ClassicNetwork(
        "ResNet-34",
        2015,
        34,
        21_797_672,
        False,
        "≈3.6 G",
        "deeper basic blocks",
        "更深的基本残差块",
        "trainable parameters as torchvision resnet34 counts them",
    ),
    "ResNet-50": ClassicNetwork(
        "ResNet-50",
        2015,
        50,
        25_557_032,
        False,
        "≈4.1 G",
        "bottleneck blocks 1×1 → 3×3 → 1×1",
        "瓶颈结构 1×1 → 3×3 → 1×1",
        "trainable parameters as torchvision resnet50 counts them",
    ),
}

#: The 1998 paper's LeNet-5 (trainable subsampling, C3's partial connection table), per layer:
#: (layer, output, trainable parameters, connections). C1..F6 add up to 60,000 parameters; the
#: output layer's 10 Euclidean RBF units have 84 × 10 = 840 fixed (hand-set) parameters.
LENET5_FAITHFUL_LAYERS: tuple[tuple[str, str, int, int], ...] = (
    ("C1", "6@28×28", 156, 122_304),
    ("S2", "6@14×14", 12, 5_880),
    ("C3", "16@10×10", 1_516, 151_600),
    ("S4", "16@5×5", 32, 2_000),
    ("C5", "120", 48_120, 48_120),
    ("F6", "84", 10_164, 10_164),
)
