"""The formula sheet's "non-layer" formulas: losses, gradient descent, optimizers, dropout,
batch normalisation, activations, each with a worked example computed here (plain Python;
softmax and the optimizer steps by the kit's NumPy versions in ``cnnkit.scratch``, their one home).

The layer arithmetic (sizes, parameter counts, receptive fields ...) is NOT here: it comes from
``cnnkit.formulas.FORMULAS``, the one source of truth for those. Update rules follow Keras 3
(``keras.optimizers``), so the numbers match what a Keras optimizer step gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnkit.scratch import optimizers
from cnnkit.scratch.softmax import softmax


@dataclass(frozen=True)
class ReviewFormula:
    key: str
    title: str
    chinese: str
    text: str
    example: str  # the inputs of the worked example, in words
    compute: Callable[[], object]  # computes the worked example's result
    chapter: str
    #: Parts of ``cnnkit.formulas.FORMULAS`` keys that make this row redundant: when the
    #: registry holds such a formula (a chapter registered it), the sheet shows that one instead.
    replaced_by: tuple[str, ...] = ()

    def evaluate(self):
        return self.compute()


def _softmax(z):
    return tuple(softmax(np.asarray(z, dtype=float)).tolist())


def _after_steps(optimizer, steps=1, w=1.0, g=0.5) -> float:
    """The weight after ``steps`` updates with the constant gradient ``g``, by the kit's NumPy
    optimizers (the one home of the update rules; they match Keras's to 1e-6)."""
    weights = [np.array([w])]
    for _ in range(steps):
        optimizer.step(weights, [np.array([g])])
    return float(weights[0][0])


def _momentum():
    return _after_steps(optimizers.Momentum(learning_rate=0.1, momentum=0.9), steps=2)


def _nesterov():
    return _after_steps(optimizers.Nesterov(learning_rate=0.1, momentum=0.9))


def _adagrad():
    return _after_steps(optimizers.AdaGrad(learning_rate=0.1))


def _rmsprop():
    return _after_steps(optimizers.RMSProp(learning_rate=0.1, rho=0.9))


def _adam():
    return _after_steps(optimizers.Adam(learning_rate=0.1))


def _batchnorm(batch=(1.0, 2.0, 3.0), x=3.0, gamma=1.0, beta=0.0, eps=1e-3):
    mean = sum(batch) / len(batch)
    variance = sum((b - mean) ** 2 for b in batch) / len(batch)
    return gamma * (x - mean) / math.sqrt(variance + eps) + beta


def _iou(a=(0, 0, 2, 2), b=(1, 1, 3, 3)):
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    hull = (max(a[2], b[2]) - min(a[0], b[0])) * (max(a[3], b[3]) - min(a[1], b[1]))
    return w * h / union, w * h / union - (hull - union) / hull


def _smooth_l1(errors=(0.5, 2.0)):
    return tuple(0.5 * e * e if abs(e) < 1 else abs(e) - 0.5 for e in errors)


def _arcface(cos_theta=0.8, margin=0.5, scale=64.0):
    return scale * math.cos(math.acos(cos_theta) + margin)


def _kl(p=(0.5, 0.5), q=(0.9, 0.1)):
    return sum(a * math.log(a / b) for a, b in zip(p, q, strict=True))


def _conv_value(x=((1, 2, 0), (3, 4, 1), (0, 1, 2)), w=((1, 0), (0, -1)), b=1):
    """The top-left output of a 2×2 kernel slid over x without flipping (cross-correlation)."""
    return sum(x[m][n] * w[m][n] for m in range(len(w)) for n in range(len(w))) + b


def _backprop(w=0.0, x=2.0, b=0.0, y=1.0):
    """∂L/∂w for L = (σ(wx + b) - y)²: 2(a - y)·σ'(z)·x."""
    a = 1 / (1 + math.exp(-(w * x + b)))
    return 2 * (a - y) * a * (1 - a) * x


def _gan_losses(real=0.9, fake=0.2):
    """(discriminator loss, non-saturating generator loss) by binary cross-entropy."""
    return -math.log(real) - math.log(1 - fake), -math.log(fake)


def _center_loss(feature=(1.0, 2.0), centre=(0.0, 0.0), weight=0.1):
    return weight * 0.5 * sum((f - c) ** 2 for f, c in zip(feature, centre, strict=True))


def _lstm_h(a_i=0.0, a_f=0.0, a_g=1.0, a_o=0.0, c_prev=1.0):
    def sigmoid(z):
        return 1 / (1 + math.exp(-z))

    c = sigmoid(a_f) * c_prev + sigmoid(a_i) * math.tanh(a_g)
    return sigmoid(a_o) * math.tanh(c)


_H = (1, -2, 3, -4, 7)

REVIEW_FORMULAS: dict[str, ReviewFormula] = {
    f.key: f
    for f in [
        ReviewFormula(
            "neuron",
            "Neuron",
            "神经元",
            "z = w·x + b;  a = f(z)",
            "w = (0.5, -1), x = (2, 1), b = 0.5",
            lambda: 0.5 * 2 - 1 * 1 + 0.5,
            "01",
        ),
        ReviewFormula(
            "step_relu",
            "Step and ReLU",
            "阶跃函数, ReLU",
            "step(z) = 1 if z ≥ 0 else 0;  ReLU(z) = max(0, z)",
            f"H = {_H}: step, then ReLU",
            lambda: (tuple(int(v >= 0) for v in _H), tuple(max(0, v) for v in _H)),
            "01",
        ),
        ReviewFormula(
            "leaky_relu",
            "Leaky ReLU",
            "带泄露线性整流函数",
            "LeakyReLU(z) = z if z > 0 else α·z  (Keras default α = 0.3; DCGAN uses 0.2)",
            "z = -2, α = 0.2",
            lambda: -2 * 0.2,
            "01",
        ),
        ReviewFormula(
            "sigmoid_tanh",
            "Sigmoid and tanh",
            "Sigmoid, 双曲正切",
            "σ(z) = 1/(1 + e^-z) ∈ (0, 1);  tanh(z) ∈ (-1, 1);  σ'(z) = σ(1 - σ) ≤ 0.25",
            "σ(0), tanh(1)",
            lambda: (1 / (1 + math.exp(0)), math.tanh(1)),
            "01",
        ),
        ReviewFormula(
            "softmax",
            "Softmax",
            "归一化指数函数",
            "p_i = e^(z_i - max z) / Σ_j e^(z_j - max z)  (exponentiate, sum, divide)",
            "z = (1, 2, 3)",
            lambda: _softmax((1, 2, 3)),
            "01",
        ),
        ReviewFormula(
            "backprop",
            "Backpropagation (chain rule)",
            "反向传播",
            "∂L/∂w = ∂L/∂a · f'(z) · ∂z/∂w = ∂L/∂a · f'(z) · x;  MSE: ∂L/∂a = 2(a - y)",
            "a = σ(w·x + b), w = 0, b = 0, x = 2, y = 1, L = (a - y)²",
            _backprop,
            "01",
        ),
        ReviewFormula(
            "mse",
            "Mean squared error",
            "均方误差",
            "MSE = (1/n) Σ (y_i - ŷ_i)²",
            "y = (1, 0), ŷ = (0.8, 0.2)",
            lambda: ((1 - 0.8) ** 2 + (0 - 0.2) ** 2) / 2,
            "01",
        ),
        ReviewFormula(
            "cross_entropy",
            "Categorical cross-entropy",
            "交叉熵",
            "CE = -Σ_i y_i ln p_i = -ln p_true (one-hot y; Keras uses ln)",
            "p_true = 0.9 (ln; log10 would give 0.046)",
            lambda: -math.log(0.9),
            "01",
        ),
        ReviewFormula(
            "binary_cross_entropy",
            "Binary cross-entropy",
            "二元交叉熵",
            "BCE = -(y ln p + (1 - y) ln(1 - p))",
            "y = 1, p = 0.8",
            lambda: -math.log(0.8),
            "01",
        ),
        ReviewFormula(
            "kl_divergence",
            "KL divergence",
            "KL散度",
            "D_KL(p‖q) = Σ p_i ln(p_i / q_i) = CE(p, q) - H(p) ≥ 0",
            "p = (0.5, 0.5), q = (0.9, 0.1)",
            _kl,
            "01",
        ),
        ReviewFormula(
            "gradient_descent",
            "Gradient descent / SGD",
            "梯度下降",
            "w ← w - α·∂J/∂w",
            "w = 1, g = 0.5, α = 0.1",
            lambda: 1 - 0.1 * 0.5,
            "01",
        ),
        ReviewFormula(
            "lr_decay",
            "Learning-rate decay",
            "学习率衰减",
            "step: α0·0.5^floor(t/T);  exponential: α0·r^(t/T);  cosine: α0·½(1 + cos(π·t/t_max))",
            "α0 = 0.05, step decay after 3 halvings",
            lambda: 0.05 * 0.5**3,
            "07",
        ),
        ReviewFormula(
            "momentum",
            "Momentum",
            "动量",
            "v ← m·v - α·g;  w ← w + v  (Keras SGD(momentum=m))",
            "w = 1, g = 0.5 twice, α = 0.1, m = 0.9: after 2 steps",
            _momentum,
            "07",
        ),
        ReviewFormula(
            "nesterov",
            "Nesterov momentum",
            "Nesterov动量",
            "v ← m·v - α·g;  w ← w + m·v - α·g  (Keras nesterov=True)",
            "w = 1, g = 0.5, α = 0.1, m = 0.9: first step",
            _nesterov,
            "07",
        ),
        ReviewFormula(
            "adagrad",
            "AdaGrad",
            "自适应梯度算法",
            "G ← G + g²;  w ← w - α·g/(√G + ε)  (Keras starts G at 0.1)",
            "w = 1, g = 0.5, α = 0.1: first step",
            _adagrad,
            "07",
        ),
        ReviewFormula(
            "rmsprop",
            "RMSProp",
            "均方根传播",
            "v ← ρ·v + (1 - ρ)·g²;  w ← w - α·g/(√v + ε)",
            "w = 1, g = 0.5, α = 0.1, ρ = 0.9: first step",
            _rmsprop,
            "07",
        ),
        ReviewFormula(
            "adam",
            "Adam",
            "自适应矩估计",
            "m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  m̂ = m/(1-β1^t), v̂ = v/(1-β2^t);  "
            "w ← w - α·m̂/(√v̂ + ε)",
            "w = 1, g = 0.5, α = 0.1: first step (size α whatever g)",
            _adam,
            "07",
        ),
        ReviewFormula(
            "weight_decay",
            "L2 weight decay",
            "权重衰减, L2正则化",
            "J' = J + λ Σ w²;  gradient adds 2λw",
            "λ = 0.01, w = (1, 2)",
            lambda: 0.01 * (1**2 + 2**2),
            "07",
        ),
        ReviewFormula(
            "dropout",
            "Dropout (inverted)",
            "随机失活",
            "train: drop with prob. p, keep x/(1 - p);  test: x unchanged;  E[out] = x",
            "x = 2, p = 0.5: a kept unit",
            lambda: 2 / (1 - 0.5),
            "07",
        ),
        ReviewFormula(
            "batchnorm",
            "Batch normalisation",
            "批量归一化",
            "x̂ = (x - μ_B)/√(σ²_B + ε);  y = γ·x̂ + β  (γ, β learned; moving μ, σ² at test)",
            "batch (1, 2, 3), x = 3, γ = 1, β = 0, ε = 0.001",
            _batchnorm,
            "04",
        ),
        ReviewFormula(
            "focal_loss",
            "Focal loss",
            "焦点损失",
            "FL = -(1 - p_t)^γ · ln p_t  (γ = 0: cross-entropy; easy examples count little)",
            "p_t = 0.9, γ = 2",
            lambda: -((1 - 0.9) ** 2) * math.log(0.9),
            "07",
            ("focal",),
        ),
        ReviewFormula(
            "iou",
            "IoU and GIoU",
            "交并比",
            "IoU = |A∩B| / |A∪B|;  GIoU = IoU - |C \\ (A∪B)| / |C| (C: enclosing box);  loss = 1 - IoU",
            "A = (0, 0, 2, 2), B = (1, 1, 3, 3): IoU, GIoU",
            _iou,
            "07",
            ("iou",),
        ),
        ReviewFormula(
            "smooth_l1",
            "Smooth L1 (Huber, δ = 1)",
            "平滑L1损失",
            "0.5·e² if |e| < 1, else |e| - 0.5",
            "e = 0.5, e = 2",
            _smooth_l1,
            "07",
            ("smooth", "huber"),
        ),
        ReviewFormula(
            "triplet_loss",
            "Triplet loss",
            "三元组损失",
            "L = max(‖a - p‖² - ‖a - n‖² + margin, 0)  (squared distances)",
            "‖a - p‖ = 1.0, ‖a - n‖ = 0.9, margin = 0.2: 1.0² - 0.9² + 0.2",
            lambda: max(1.0**2 - 0.9**2 + 0.2, 0.0),
            "07",
            ("triplet",),
        ),
        ReviewFormula(
            "arcface",
            "ArcFace logit",
            "加性角度间隔损失",
            "true class: s·cos(θ + m);  others: s·cos θ;  then softmax + cross-entropy",
            "cos θ = 0.8, m = 0.5, s = 64",
            _arcface,
            "07",
            ("arcface",),
        ),
        ReviewFormula(
            "conv_transpose_output_size",
            "Transposed convolution size",
            "转置卷积输出尺寸",
            "W2 = (W1 - 1)·S - 2P + F  (Keras 'same': W1·S)",
            "W1 = 7, F = 4, S = 2, P = 1",
            lambda: (7 - 1) * 2 - 2 * 1 + 4,
            "06",
            ("transpose",),
        ),
        ReviewFormula(
            "center_loss",
            "Center loss",
            "中心损失",
            "L = L_softmax + λ·½‖f - c_y‖²  (c_y: the centre of the sample's class)",
            "f = (1, 2), c_y = (0, 0), λ = 0.1: the added term",
            _center_loss,
            "07",
        ),
        ReviewFormula(
            "conv_value",
            "Convolution value by hand",
            "卷积计算",
            "y[i, j] = Σ_m Σ_n x[i+m, j+n]·w[m, n] + b  (the kernel is not flipped, as in Keras)",
            "x = [[1, 2, 0], [3, 4, 1], [0, 1, 2]], w = [[1, 0], [0, -1]], b = 1: y[0, 0]",
            _conv_value,
            "02",
        ),
        ReviewFormula(
            "same_padding",
            "Padding that keeps the size",
            "填充",
            "stride 1, odd F: P = (F - 1)/2 gives W2 = W1",
            "F = 5, W1 = 32: P, then W2",
            lambda: ((5 - 1) // 2, (32 - 5 + 2 * ((5 - 1) // 2)) // 1 + 1),
            "02",
        ),
        ReviewFormula(
            "fc_as_conv",
            "A fully connected layer as a convolution",
            "全连接即卷积",
            "Dense(K) on an h×w×D map = Conv2D(K, (h, w)): h·w·D·K + K parameters either way",
            "VGG: 7×7×512 -> 4,096",
            lambda: 7 * 7 * 512 * 4096 + 4096,
            "02",
        ),
        ReviewFormula(
            "pooling_values",
            "Max, average and min pooling",
            "最大, 平均, 最小池化",
            "each window -> its max (最大), mean (平均) or min (最小); depth unchanged",
            "window (1, 3, 2, 8): max, average, min",
            lambda: (8, (1 + 3 + 2 + 8) / 4, 1),
            "03",
        ),
        ReviewFormula(
            "inception_depth",
            "Inception output depth",
            "Inception模块",
            "depth = sum of the branches' filters (concatenated; 'same' keeps H×W)",
            "GoogLeNet 3a: 64 + 128 + 32 + 32",
            lambda: 64 + 128 + 32 + 32,
            "04",
        ),
        ReviewFormula(
            "pruning",
            "Magnitude pruning",
            "剪枝",
            "zero the fraction p of weights with the smallest |w|: N·(1 - p) stay (biases kept)",
            "500×100 kernel, p = 0.9",
            lambda: 500 * 100 - 45_000,
            "07",
        ),
        ReviewFormula(
            "search",
            "Hyperparameter search",
            "超参数搜索",
            "grid: Π n_k trials (every combination);  random: the budget, new values each trial;  "
            "Bayesian: a model of past trials picks the next",
            "grid over 3 learning rates × 2 optimizers × 4 dropout rates",
            lambda: 3 * 2 * 4,
            "07",
        ),
        ReviewFormula(
            "early_stopping",
            "Early stopping",
            "早停法",
            "stops after epoch best + patience (no improvement for patience epochs); "
            "restore_best_weights keeps the best epoch",
            "best epoch 4, patience 3",
            lambda: 4 + 3,
            "07",
        ),
        ReviewFormula(
            "residual",
            "Residual block",
            "残差块",
            "y = F(x) + x;  projection shortcut y = F(x) + W_s·x (1×1 conv) when shapes differ",
            "F(x) = 0.2, x = 1",
            lambda: 0.2 + 1,
            "04",
        ),
        ReviewFormula(
            "rnn_step",
            "RNN recurrence",
            "循环神经网络",
            "s_t = f(U·x_t + W·s_(t-1));  o_t = g(V·s_t);  same U, W, V at every step",
            "U = 0.5, W = 1, x_1 = 2, s_0 = 0, f = identity",
            lambda: 0.5 * 2 + 1 * 0,
            "05",
        ),
        ReviewFormula(
            "lstm_gru_gates",
            "LSTM and GRU gates",
            "长短期记忆网络, 门控循环单元",
            "LSTM: i, f, o = σ(·), g = tanh(·);  c_t = f·c_(t-1) + i·g;  h_t = o·tanh(c_t).  "
            "GRU (Keras): h_t = z·h_(t-1) + (1 - z)·h̃",
            "LSTM with i = f = o = σ(0), g = tanh(1), c_(t-1) = 1: h_t",
            _lstm_h,
            "05",
        ),
        ReviewFormula(
            "gan",
            "GAN objective",
            "生成对抗网络",
            "min_G max_D  E[ln D(x)] + E[ln(1 - D(G(z)))]",
            "D(x) = 0.9, D(G(z)) = 0.2: the value D maximises",
            lambda: math.log(0.9) + math.log(1 - 0.2),
            "06",
        ),
        ReviewFormula(
            "gan_losses",
            "GAN losses as trained",
            "生成器损失, 判别器损失",
            "L_D = -ln D(x) - ln(1 - D(G(z)));  L_G = -ln D(G(z))  (non-saturating, label 1)",
            "D(x) = 0.9, D(G(z)) = 0.2: (L_D, L_G)",
            _gan_losses,
            "06",
        ),
    ]
}


def active_review_formulas() -> dict[str, ReviewFormula]:
    """The rows the sheet shows: those not replaced by a formula of ``cnnkit.formulas``."""
    from cnnkit.formulas import FORMULAS

    return {
        key: entry
        for key, entry in REVIEW_FORMULAS.items()
        if not any(part in name for part in entry.replaced_by for name in FORMULAS)
    }
