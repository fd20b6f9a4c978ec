"""The course's arithmetic in plain Python: sizes, parameters, receptive fields, MACs, batches.

Never imports TensorFlow or Keras. Every function validates its arguments
(``TypeError``/``ValueError`` that say what to pass) and states its formula in its
docstring. :data:`FORMULAS` is the registry the formula sheet is rendered from.

Modules, one job each: ``sizes`` (output sizes of convolution, pooling and transposed convolution), ``parameters`` (dense, conv, depthwise,
separable, pooling, batch norm), ``recurrent`` (RNN/LSTM/GRU), ``receptive_field``,
``operations`` (multiply-accumulates), ``training_arithmetic`` (batches, iterations,
epochs), ``losses`` (box and embedding losses), ``registry`` (the formula sheet's entries).
"""

from __future__ import annotations

from cnnkit.formulas.losses import (
    arcface_target_logit,
    ciou,
    diou,
    giou,
    iou,
    smooth_l1_loss,
    triplet_margin_loss,
)
from cnnkit.formulas.operations import conv_connections, conv_macs, dense_macs
from cnnkit.formulas.parameters import (
    batchnorm_params,
    batchnorm_trainable_params,
    conv1d_params,
    conv_params,
    dense_params,
    depthwise_conv_params,
    locally_connected_params,
    pooling_params,
    separable_conv_params,
)
from cnnkit.formulas.receptive_field import receptive_field, receptive_field_growth
from cnnkit.formulas.recurrent import gru_params, lstm_params, simple_rnn_params
from cnnkit.formulas.registry import FORMULAS, Formula, formula, sort_by_chapter
from cnnkit.formulas.sizes import (
    OutputSizeRoundedWarning,
    conv_output_size,
    conv_transpose_output_size,
    output_size_explanation,
    pool_output_size,
    window_output_size,
)
from cnnkit.formulas.training_arithmetic import epochs_for_iterations, iterations_per_epoch

# Entries register in import order; the formula sheet wants syllabus order.
sort_by_chapter()

__all__ = [
    "FORMULAS",
    "Formula",
    "OutputSizeRoundedWarning",
    "arcface_target_logit",
    "ciou",
    "diou",
    "giou",
    "iou",
    "smooth_l1_loss",
    "triplet_margin_loss",
    "batchnorm_params",
    "batchnorm_trainable_params",
    "conv1d_params",
    "conv_connections",
    "conv_macs",
    "conv_output_size",
    "conv_params",
    "conv_transpose_output_size",
    "dense_macs",
    "dense_params",
    "depthwise_conv_params",
    "epochs_for_iterations",
    "formula",
    "gru_params",
    "iterations_per_epoch",
    "locally_connected_params",
    "lstm_params",
    "output_size_explanation",
    "pool_output_size",
    "window_output_size",
    "pooling_params",
    "receptive_field",
    "receptive_field_growth",
    "separable_conv_params",
    "simple_rnn_params",
]
