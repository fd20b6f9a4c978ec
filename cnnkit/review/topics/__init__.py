"""The practice topics: every generator registered once, with its topic and kind.

A topic is a piece of the syllabus (``"pooling"``, ``"gan"``); it may have generators of several
kinds (a calculation, a choice, a true/false ...). :data:`TOPICS` lists them in course order;
:data:`GENERATORS` maps a topic to its generators. Importing this package imports no Keras:
generators import it when they build or verify a problem.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from cnnkit.review import sections
from cnnkit.review.problem import KINDS, Draft, Source
from cnnkit.review.topics import (
    activations,
    bank_basics,
    bank_cnn,
    bank_training,
    box_losses,
    design,
    early_stopping,
    locality,
    losses,
    networks,
    optimizers,
    parameters,
    sequences,
    sizes,
    stack_table,
    training,
)
from cnnkit.review.topics.concepts import (
    choice_generator,
    ordering_generator,
    short_answer_generator,
    true_false_generator,
)


@dataclass(frozen=True)
class Generator:
    topic: str
    kind: str
    make: Callable[[random.Random], Draft]
    source: Source | None = None  # used when the draft names none


#: Topic -> (chapter, title, 中文), in course order.
TOPIC_INFO: dict[str, tuple[str, str, str]] = {
    "activations": ("01", "activations and saturation", "激活函数"),
    "softmax": ("01", "softmax", "归一化指数函数"),
    "cross_entropy": ("01", "cross-entropy", "交叉熵"),
    "gradient_descent": ("01", "gradient descent and learning rate", "梯度下降"),
    "batch_epoch": ("01", "batch, iteration, epoch", "批大小, 迭代, 轮"),
    "dense_params": ("01", "dense-layer parameters", "全连接层参数量"),
    "workflow": ("01", "three steps and the nine-step workflow", "设计流程"),
    "conv_output_size": ("02", "convolution output size", "卷积输出尺寸"),
    "conv_params": ("02", "convolution parameters", "卷积层参数量"),
    "local_connectivity": ("02", "local connectivity and weight sharing", "局部连接, 权值共享"),
    "fc_as_conv": ("02", "fully connected as convolution", "全连接即卷积"),
    "receptive_field": ("02", "receptive field", "感受野"),
    "pool_output_size": ("03", "pooling output size", "池化输出尺寸"),
    "pooling": ("03", "pooling values and purposes", "池化"),
    "stack_table": ("04", "a network's layer table", "层表"),
    "classic_networks": ("04", "LeNet, AlexNet, ZFNet, VGG, GoogLeNet, ResNet", "经典卷积网络"),
    "batch_norm": ("04", "batch normalisation", "批量归一化"),
    "residual": ("04", "residual learning", "残差学习"),
    "transfer_learning": ("04", "transfer learning", "迁移学习"),
    "cnn_design": ("04", "designing a CNN under constraints", "网络设计"),
    "rnn_params": ("05", "recurrent-layer parameters", "循环层参数量"),
    "rnn_recurrence": ("05", "recurrence and weight sharing through time", "循环"),
    "vanishing_gradients": ("07", "vanishing/exploding gradients and gates", "梯度消失, 梯度爆炸"),
    "gan": ("06", "GAN objective, training loop, mode collapse", "生成对抗网络"),
    "dropout_expectation": ("07", "dropout", "随机失活"),
    "optimizer_step": ("07", "one optimizer step", "优化算法"),
    "optimizers": ("07", "optimizers: behaviour and update rules", "优化算法"),
    "overfitting": ("07", "overfitting diagnosis and remedies", "过拟合"),
    "early_stopping": ("07", "early stopping", "早停法"),
    "data_augmentation": ("07", "data augmentation", "数据增强"),
    "loss_choice": ("07", "choosing a loss: MSE, CE, focal, IoU, triplet", "损失函数"),
}

# --------------------------------------------------------------------------- issue 27 block
# The design and analysis templates and the topics that had no practice (issue 27), kept in
# one block: their modules register here (see docs/DEVELOPING.md, "Adding a practice topic").

#: New topics, merged into TOPIC_INFO in course (chapter) order.
NEW_TOPIC_INFO: dict[str, tuple[str, str, str]] = {
    "learning_paradigms": ("01", "supervised, unsupervised, reinforcement learning", "学习范式"),
    "forward_backward": (
        "01",
        "a neuron, a forward pass, one backprop gradient",
        "前向传播, 反向传播",
    ),
    "mse_kl": ("01", "MSE and KL divergence values", "均方误差, KL散度"),
    "softmax_overflow": ("01", "softmax without overflow", "归一化指数函数溢出"),
    "conv_values": ("02", "convolution output values by hand", "卷积计算"),
    "find_the_bug": ("02", "finding the bug in a network or a training loop", "找错误"),
    "min_pooling": ("03", "min pooling by hand", "最小池化"),
    "conv_macs": ("04", "multiply-accumulates of a convolution", "乘加次数"),
    "separable_conv": ("04", "depthwise-separable convolution counts", "深度可分离卷积"),
    "sequence_design": ("05", "designing a sequence model", "序列模型设计"),
    "lstm_gru_gates": ("05", "one LSTM or GRU step through the gates", "门控循环单元"),
    "rnn_vs_feedforward": ("05", "recurrent vs feed-forward memory", "循环与前馈"),
    "conv_transpose_size": ("06", "transposed-convolution output size", "转置卷积输出尺寸"),
    "adagrad_nesterov": ("07", "AdaGrad and Nesterov steps", "自适应梯度算法, Nesterov动量"),
    "l2_regularization": ("07", "L2 penalty and weight decay arithmetic", "L2正则化"),
    "iou_variants": ("07", "GIoU, DIoU and CIoU values", "GIoU, DIoU, CIoU"),
    "center_arcface": ("07", "center loss and ArcFace values", "中心损失, ArcFace"),
    "gd_variants": ("07", "batch, stochastic and mini-batch gradient descent", "梯度下降变体"),
    "pruning": ("07", "magnitude pruning counts", "剪枝"),
    "hyperparameter_search": ("07", "grid, random and Bayesian search", "超参数搜索"),
}


def _new_generators() -> list[tuple[str, str, Callable, Source | None]]:
    """(topic, kind, make, source) of the issue-27 generators."""
    from cnnkit.review.topics import (
        analysis,
        bank_exam_gaps,
        by_hand,
        design,
        gates,
        iou_variants,
        layer_arithmetic,
        recognition_losses,
        training_counts,
        update_rules,
    )

    return [
        ("sequence_design", "design", design.sequence_design, None),
        ("gan", "design", design.gan_design, None),
        ("overfitting", "design", analysis.training_curves, None),
        ("find_the_bug", "design", analysis.find_the_bug, None),
        ("stack_table", "design", analysis.parameter_table, None),
        ("forward_backward", "calculation", by_hand.forward_backward, None),
        ("mse_kl", "calculation", by_hand.mse_kl, None),
        ("conv_values", "calculation", by_hand.conv_values, None),
        ("conv_macs", "calculation", layer_arithmetic.conv_macs, None),
        ("separable_conv", "calculation", layer_arithmetic.separable_conv, None),
        ("conv_transpose_size", "calculation", layer_arithmetic.conv_transpose_size, None),
        ("adagrad_nesterov", "calculation", update_rules.adagrad_nesterov, None),
        ("l2_regularization", "calculation", update_rules.l2_regularization, None),
        ("iou_variants", "calculation", iou_variants.iou_variants, None),
        ("softmax_overflow", "calculation", by_hand.softmax_overflow, None),
        ("min_pooling", "calculation", by_hand.min_pooling, None),
        ("lstm_gru_gates", "calculation", gates.lstm_gru_gates, None),
        ("center_arcface", "calculation", recognition_losses.center_arcface, None),
        ("gd_variants", "calculation", training_counts.gd_variants, None),
        ("pruning", "calculation", training_counts.pruning, None),
        ("hyperparameter_search", "calculation", training_counts.search_trials, None),
    ] + [
        (topic, "choice", choice_generator(items), None)
        for topic in (bank_exam_gaps.PARADIGMS, bank_exam_gaps.MEMORY, bank_exam_gaps.TUNING)
        if (items := [item for item in bank_exam_gaps.CHOICES if item.topic == topic])
    ]


#: The formula-sheet rows (keys of cnnkit.formulas.FORMULAS or of
#: cnnkit.review.reference.REVIEW_FORMULAS) each calculation topic asks for; a test checks that
#: every one is on the sheet. New modules declare theirs in a module-level ``SHEET`` dict.
_EXISTING_SHEET_ENTRIES: dict[str, tuple[str, ...]] = {
    "activations": ("step_relu", "sigmoid_tanh"),
    "softmax": ("softmax",),
    "cross_entropy": ("cross_entropy", "binary_cross_entropy"),
    "batch_epoch": ("iterations_per_epoch",),
    "dense_params": ("dense_params",),
    "conv_output_size": ("conv_output_size", "same_padding"),
    "conv_params": ("conv_params",),
    "local_connectivity": ("locally_connected_params",),
    "fc_as_conv": ("fc_as_conv",),
    "receptive_field": ("receptive_field",),
    "pool_output_size": ("pool_output_size",),
    "pooling": ("pooling_values",),
    "stack_table": ("conv_output_size", "conv_params", "dense_params"),
    "classic_networks": ("inception_depth",),
    "batch_norm": ("batchnorm",),
    "residual": ("residual", "conv_params"),
    "rnn_params": ("simple_rnn_params", "lstm_params", "gru_params"),
    "rnn_recurrence": ("rnn_step",),
    "vanishing_gradients": ("sigmoid_tanh",),
    "gan": ("gan", "gan_losses"),
    "dropout_expectation": ("dropout",),
    "optimizer_step": ("gradient_descent", "momentum", "rmsprop", "adam"),
    "early_stopping": ("early_stopping",),
    "loss_choice": ("iou", "smooth_l1_loss", "focal_loss", "triplet_margin_loss"),
}


def sheet_entries() -> dict[str, tuple[str, ...]]:
    """Topic -> the formula-sheet rows its calculations ask for (existing and new topics)."""
    from cnnkit.review.topics import (
        by_hand,
        gates,
        iou_variants,
        layer_arithmetic,
        recognition_losses,
        training_counts,
        update_rules,
    )

    entries = dict(_EXISTING_SHEET_ENTRIES)
    modules = (by_hand, gates, iou_variants, layer_arithmetic, recognition_losses, training_counts)
    for module in (*modules, update_rules):
        entries.update(module.SHEET)
    return entries


def _in_course_order(info: dict) -> dict:
    """Topics sorted by chapter (stable: the order within a chapter is kept)."""
    return dict(sorted(info.items(), key=lambda item: item[1][0]))


TOPIC_INFO = _in_course_order({**TOPIC_INFO, **NEW_TOPIC_INFO})
# --------------------------------------------------------------------------- end of block

_CALCULATIONS = [
    ("activations", activations.activation_values, None),
    ("softmax", losses.softmax, sections.SOFTMAX),
    ("cross_entropy", losses.cross_entropy, sections.LOSSES),
    ("batch_epoch", training.batch_epoch, sections.BATCH_EPOCH),
    ("dense_params", parameters.dense_params, sections.DENSE),
    ("conv_output_size", sizes.conv_output_size, sections.OUTPUT_SIZE),
    ("conv_params", parameters.conv_params, sections.CHANNELS),
    ("local_connectivity", locality.local_connectivity, None),
    ("fc_as_conv", locality.fc_as_conv, None),
    ("receptive_field", sizes.receptive_field, sections.KERNEL_CHOICE),
    ("pool_output_size", sizes.pool_output_size, sections.POOL_SIZE),
    ("pooling", networks.pool_values, None),
    ("stack_table", stack_table.stack_table, sections.LENET),
    ("classic_networks", networks.inception_depth, None),
    ("batch_norm", networks.batchnorm_value, None),
    ("residual", networks.projection_shortcut, None),
    ("rnn_params", parameters.rnn_params, sections.RNN_PARAMS),
    ("rnn_recurrence", sequences.rnn_step, None),
    ("vanishing_gradients", sequences.sigmoid_chain, None),
    ("gan", sequences.gan_losses, None),
    ("dropout_expectation", training.dropout_expectation, sections.DROPOUT),
    ("optimizer_step", optimizers.optimizer_step, sections.OPTIMIZERS),
    ("early_stopping", early_stopping.early_stopping_epochs, None),
    ("loss_choice", box_losses.loss_values, None),
]

_BANKS = (bank_basics, bank_cnn, bank_training)
_CONCEPT_KINDS = (
    ("choice", "CHOICES", choice_generator),
    ("true_false", "TRUE_FALSE", true_false_generator),
    ("ordering", "ORDERINGS", ordering_generator),
    ("short_answer", "SHORT_ANSWERS", short_answer_generator),
)


def _register() -> dict[str, tuple[Generator, ...]]:
    found: dict[str, list[Generator]] = {topic: [] for topic in TOPIC_INFO}
    for topic, make, source in _CALCULATIONS:
        found[topic].append(Generator(topic, "calculation", make, source))
    for kind, attribute, builder in _CONCEPT_KINDS:
        items = [item for bank in _BANKS for item in getattr(bank, attribute)]
        for topic in TOPIC_INFO:
            mine = [item for item in items if item.topic == topic]
            if mine:
                found[topic].append(Generator(topic, kind, builder(mine)))
        unknown = {item.topic for item in items} - set(TOPIC_INFO)
        if unknown:
            raise ValueError(f"bank items name unknown topics {sorted(unknown)}")
    found["cnn_design"].append(Generator("cnn_design", "design", design.cnn_design))
    for topic, kind, make, source in _new_generators():  # the issue-27 block above
        found[topic].append(Generator(topic, kind, make, source))
    empty = [topic for topic, generators in found.items() if not generators]
    if empty:
        raise ValueError(f"topics without a generator: {empty}")
    return {topic: tuple(generators) for topic, generators in found.items()}


GENERATORS: dict[str, tuple[Generator, ...]] = _register()
#: The practice topics, in course order.
TOPICS: tuple[str, ...] = tuple(GENERATORS)


def kinds_of(topic: str) -> tuple[str, ...]:
    return tuple(g.kind for g in GENERATORS[topic])


__all__ = ["GENERATORS", "KINDS", "TOPICS", "TOPIC_INFO", "Generator", "kinds_of"]
