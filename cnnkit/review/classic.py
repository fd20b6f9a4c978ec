"""Key numbers of the classic networks: the ONE place they are written down.

The formula sheet and chapter 08 print this table; it agrees with chapter 04's comparison table,
which measures every number from a built model (``cnnkit.models.survey.profile``):

- ``params``: the network as chapter 04 builds it: the 1998 LeNet-5 (trainable subsampling, C3's
  partial table, RBF output) with the modern Keras LeNet-5 beside it (``modern_params``); AlexNet
  as one stream (62,378,344; the paper's two-GPU split has 60,965,224, "about 60 million");
  ResNets and MobileNet count their *trainable* parameters, as torchvision does.
- ``macs``: multiply-accumulates for one image at the model's OWN input size (``input``):
  LeNet-5 at 32×32, AlexNet at 227×227 (what its arithmetic needs), the others at 224×224.
  ``tests/test_review.py`` rebuilds the cheap ones and checks them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassicNetwork:
    name: str
    year: int
    input: str  # the input size the numbers are measured at
    weight_layers: int  # convolution + fully connected layers on the longest path
    params: int
    macs: int  # multiply-accumulates per image at ``input``
    key_idea: str
    chinese: str  # key idea in Chinese
    source: str  # how the numbers are measured
    modern_params: int | None = None  # LeNet-5 only: the usual Keras version (28×28 input)

    @property
    def params_text(self) -> str:
        extra = f" (Keras 28×28: {self.modern_params:,})" if self.modern_params else ""
        return f"{self.params:,}{extra}"

    @property
    def macs_text(self) -> str:
        return f"{self.macs / 1e9:.2f} G" if self.macs > 1e8 else f"{self.macs / 1e6:.2f} M"


def _net(name, year, size, layers, params, macs, idea, chinese, source, modern=None):
    return ClassicNetwork(name, year, size, layers, params, macs, idea, chinese, source, modern)


_BUILT = "ck.models, measured with cnnkit.models.survey.profile (chapter 04)"
CLASSIC_NETWORKS: dict[str, ClassicNetwork] = {
    n.name: n
    for n in [
        _net(
            "LeNet-5",
            1998,
            "32×32×1",
            5,
            60_850,
            326_520,
            "conv + trainable subsampling twice, then FC; tanh; bank cheques",
            "卷积+池化交替，最后全连接",
            "ck.models.lenet5_1998(); modern: ck.models.lenet5()",
            61_706,
        ),
        _net(
            "AlexNet",
            2012,
            "227×227×3",
            8,
            62_378_344,
            1_135_256_096,
            "ReLU, dropout, augmentation, LRN, overlapping pooling, 2 GPUs",
            "ReLU、随机失活、数据增强、局部响应归一化、重叠池化",
            _BUILT,
        ),
        _net(
            "ZFNet",
            2013,
            "224×224×3",
            8,
            107_627_624,
            2_476_704_896,
            "conv1 7×7 stride 2; conv3-5 widened to 512, 1024, 512",
            "第一层7×7步长2、加宽conv3-5",
            _BUILT,
        ),
        _net(
            "VGG16",
            2014,
            "224×224×3",
            16,
            138_357_544,
            15_470_264_320,
            "only 3×3 convs (stride 1, pad 1) and 2×2 max pooling",
            "只用3×3卷积和2×2最大池化",
            _BUILT,
        ),
        _net(
            "GoogLeNet",
            2014,
            "224×224×3",
            22,
            6_998_552,
            1_582_671_872,
            "inception modules, 1×1 reductions, global average pooling",
            "Inception模块、1×1卷积降维、全局平均池化",
            _BUILT + "; no auxiliary classifiers",
        ),
        _net(
            "ResNet-18",
            2015,
            "224×224×3",
            18,
            11_689_512,
            1_814_073_344,
            "residual blocks y = F(x) + x, batch norm",
            "残差块 y = F(x) + x、批量归一化",
            _BUILT + "; trainable, as torchvision",
        ),
        _net(
            "ResNet-34",
            2015,
            "224×224×3",
            34,
            21_797_672,
            3_663_761_408,
            "deeper basic blocks",
            "更深的基本残差块",
            _BUILT + "; trainable, as torchvision",
        ),
        _net(
            "ResNet-50",
            2015,
            "224×224×3",
            50,
            25_557_032,
            4_089_184_256,
            "bottleneck blocks 1×1 → 3×3 → 1×1",
            "瓶颈结构 1×1 → 3×3 → 1×1",
            _BUILT + "; trainable, as torchvision",
        ),
        _net(
            "MobileNet",
            2017,
            "224×224×3",
            28,
            4_231_976,
            568_740_352,
            "depthwise-separable convolutions",
            "深度可分离卷积",
            _BUILT + "; trainable",
        ),
    ]
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
