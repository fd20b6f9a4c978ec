"""Measure a built model: multiply-accumulates, depth in weight layers, a per-block summary.

Chapter 04's comparison table is computed with these, never typed in::

    profile = survey.profile(ck.models.vgg(config=16))
    profile["parameters"], profile["macs"], profile["weight_layers"]   # 138,357,544, 15.47 G, 16

- :func:`layer_macs`: multiply-accumulates of one layer for one image, from its output shape and
  kernel with :func:`cnnkit.formulas.conv_macs` / :func:`cnnkit.formulas.dense_macs`
  (convolutions, grouped and depthwise convolutions, LeNet's ``PartialConv2D``, dense layers;
  0 for everything else: pooling, BN, activations, additions are cheap by comparison).
- :func:`weight_layer_depth`: the number of weight layers (convolutions and dense layers) on the
  longest path from input to output -- how the papers count depth (GoogLeNet 22, ResNet-50 50;
  ResNet's projection shortcuts are on a shorter path and do not count).
- :func:`block_summary`: one row per block (``block3``, ``inception_4a``, ``stage2_block1``...)
  instead of 150 layer rows, with the weights (kernels only, no biases) and parameters.
- :func:`profile`: all of the above for one model, as plain data (no reference to the model,
  so ``keras.backend.clear_session()`` can free it right after).
"""

from __future__ import annotations

import math

import keras
import pandas as pd

from cnnkit import formulas
from cnnkit.models.layers import PartialConv2D

__all__ = [
    "block_name",
    "block_summary",
    "head_tail",
    "layer_macs",
    "model_macs",
    "profile",
    "profile_without_weights",
    "weight_layer_depth",
]

_CONV = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)


def _spatial(layer) -> tuple[int, ...]:
    shape = layer.output.shape
    return tuple(int(d) for d in shape[1:-1])


def layer_macs(layer) -> int:
    """Multiply-accumulates of ``layer`` for one input image (0 for layers without a kernel).

    Convolution: ``H2 × W2 × F × F × (D1 / groups) × K`` (:func:`cnnkit.formulas.conv_macs`;
    the kernel's third axis already holds ``D1 / groups``). Depthwise: ``H2 × W2 × F × F × C``.
    ``PartialConv2D``: ``H2 × W2 × F × F × connections``. Dense: ``N_in × N_out``.
    """
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        h2, w2 = _spatial(layer)
        k1, k2, channels, multiplier = (int(d) for d in layer.kernel.shape)
        return formulas.conv_macs(h2, w2, (k1, k2), 1, channels * multiplier)
    if isinstance(layer, keras.layers.SeparableConv2D):
        h2, w2 = _spatial(layer)
        k1, k2, channels, multiplier = (int(d) for d in layer.depthwise_kernel.shape)
        filters = int(layer.pointwise_kernel.shape[-1])
        depthwise = formulas.conv_macs(h2, w2, (k1, k2), 1, channels * multiplier)
        return depthwise + formulas.conv_macs(h2, w2, 1, channels * multiplier, filters)
    if isinstance(layer, PartialConv2D):
        h2, w2 = _spatial(layer)
        return formulas.conv_macs(h2, w2, layer.kernel_size, 1, layer.connections)
    if isinstance(layer, keras.layers.Conv2D) and not isinstance(
        layer, keras.layers.Conv2DTranspose
    ):
        h2, w2 = _spatial(layer)
        k1, k2, in_per_group, filters = (int(d) for d in layer.kernel.shape)
        return formulas.conv_macs(h2, w2, (k1, k2), in_per_group, filters)
    if isinstance(layer, keras.layers.Dense):
        n_in, units = (int(d) for d in layer.kernel.shape)
        positions = math.prod(int(d) for d in layer.output.shape[1:-1])
        return positions * formulas.dense_macs(n_in, units)
    return 0


def model_macs(model: keras.Model) -> int:
    """Multiply-accumulates of one forward pass of one image: the sum of :func:`layer_macs`."""
    return sum(layer_macs(layer) for layer in model.layers)


def _is_weight_layer(layer) -> bool:
    return isinstance(
        layer, (*_CONV, keras.layers.Dense, keras.layers.DepthwiseConv2D, PartialConv2D)
    )


def _flat(tensors) -> list:
    return keras.tree.flatten(tensors) if tensors is not None else []


def _parents(model: keras.Model) -> dict[int, list]:
    """{id(layer): the layers whose outputs it takes}, from the public ``layer.input`` and
    ``layer.output`` of a functional (or built Sequential) model: in Keras's graph, the tensor a
    layer receives is the very tensor object its producer returned."""
    producer = {}
    for layer in model.layers:
        for tensor in _flat(layer.output):
            producer[id(tensor)] = layer
    parents = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            parents[id(layer)] = []
            continue
        tensors = _flat(layer.input)
        parents[id(layer)] = [producer[id(t)] for t in tensors if id(t) in producer]
    return parents


def weight_layer_depth(model: keras.Model) -> int:
    """Weight layers (convolution, depthwise, dense) on the longest input-to-output path."""
    parents = _parents(model)
    depth: dict[int, int] = {}
    for layer in model.layers:  # functional models list layers in topological order
        before = max((depth.get(id(parent), 0) for parent in parents[id(layer)]), default=0)
        depth[id(layer)] = before + int(_is_weight_layer(layer))
    return max(depth.values(), default=0)


def block_name(layer_name: str) -> str:
    """The block a layer belongs to, from the builders' naming scheme.

    ``inception_4a_branch_3x3`` -> ``inception_4a``; ``stage2_block1_proj_conv`` ->
    ``stage2_block1``; ``block3_conv2`` -> ``block3``; ``conv1_bn`` -> ``conv1``; ``fc6`` -> ``fc6``.
    """
    parts = layer_name.split("_")
    if len(parts) >= 2 and (parts[0] == "inception" or parts[0].startswith("stage")):
        return "_".join(parts[:2])
    return parts[0]


def _kernel_weights(layer) -> int:
    """Weights of a layer's kernels, biases and BN statistics excluded."""
    total = 0
    for attribute in ("kernel", "depthwise_kernel", "pointwise_kernel"):
        variable = getattr(layer, attribute, None)
        if variable is not None and hasattr(variable, "shape"):
            total += math.prod(int(d) for d in variable.shape)
    return total


def _layer_rows(model: keras.Model) -> list[dict]:
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        trainable = sum(math.prod(int(d) for d in w.shape) for w in layer.trainable_weights)
        rows.append(
            {
                "layer": layer.name,
                "block": block_name(layer.name),
                "type": type(layer).__name__,
                "output shape": tuple(layer.output.shape[1:]),
                "weights": _kernel_weights(layer),
                "trainable": trainable,
                "parameters": layer.count_params() if layer.built else 0,
                "macs": layer_macs(layer),
                "weight layer": _is_weight_layer(layer),
            }
        )
    return rows


def block_summary(model_or_rows) -> pd.DataFrame:
    """One row per block: its layers' types (in order, repeats removed), output shape of its
    last layer, weight layers, kernel weights (no biases), trainable and total parameters,
    multiply-accumulates. The ``parameters`` column sums to ``model.count_params()``."""
    rows = _layer_rows(model_or_rows) if isinstance(model_or_rows, keras.Model) else model_or_rows
    blocks: dict[str, dict] = {}
    for row in rows:
        block = blocks.setdefault(
            row["block"],
            {
                "block": row["block"],
                "layers": [],
                "output shape": None,
                "weight layers": 0,
                "weights": 0,
                "trainable": 0,
                "parameters": 0,
                "macs": 0,
            },
        )
        if not block["layers"] or block["layers"][-1] != row["type"]:
            block["layers"].append(row["type"])
        block["output shape"] = row["output shape"]
        block["weight layers"] += int(row["weight layer"])
        for key in ("weights", "trainable", "parameters", "macs"):
            block[key] += row[key]
    table = pd.DataFrame(list(blocks.values()))
    table["layers"] = table["layers"].map(lambda kinds: " → ".join(kinds))
    return table


def head_tail(table: pd.DataFrame, rows: int = 6) -> pd.DataFrame:
    """The first and last ``rows`` rows of a long table with one "⋮" row between them."""
    if len(table) <= 2 * rows + 1:
        return table
    gap = pd.DataFrame([dict.fromkeys(table.columns, "⋮")], index=["⋮"])
    return pd.concat([table.head(rows), gap, table.tail(rows)])


def profile(model: keras.Model) -> dict:
    """Plain-data facts about ``model`` (safe to keep after ``clear_session()``):

    ``name``, ``input_shape``, ``parameters`` (``count_params()``), ``trainable``,
    ``weight_layers`` (:func:`weight_layer_depth`), ``macs`` (:func:`model_macs`),
    ``layers`` (number of Keras layers), ``blocks`` (:func:`block_summary`) and ``table``
    (``ck.explain``'s layer table, with the arithmetic).
    """
    from cnnkit.layer_table import explain

    rows = _layer_rows(model)
    return {
        "name": model.name,
        "input_shape": tuple(model.input_shape[1:]),
        "parameters": model.count_params(),
        "trainable": sum(math.prod(int(d) for d in w.shape) for w in model.trainable_weights),
        "weight_layers": weight_layer_depth(model),
        "macs": sum(row["macs"] for row in rows),
        "layers": len(model.layers),
        "blocks": block_summary(rows),
        "table": explain(model, print_total=False),
    }


def profile_without_weights(build) -> dict:
    """:func:`profile` of ``build()`` (a function returning a model) without ever allocating its
    weights: inside ``keras.StatelessScope(initialize_variables=False)`` Keras creates every
    variable with its shape but no values, which is all that counting parameters and MACs needs.
    VGG16's 138 million weights would otherwise take 530 MB for as long as the process lives.
    The model is dropped with ``keras.backend.clear_session()`` before returning.
    """
    with keras.StatelessScope(initialize_variables=False):
        facts = profile(build())
    keras.backend.clear_session()  # also forgets the variables still waiting for their values
    return facts
