"""Receptive field (感受野) of stacked convolution / pooling layers.

The receptive field of one output unit is the size of the input region it can see.
Each layer widens it by (k - 1) × d input steps of the layer below, and one step of
that layer is as wide as the product of all earlier strides on the input.
"""

from __future__ import annotations

from cnnkit.formulas._checks import check_int, short_repr
from cnnkit.formulas.registry import formula


def _layer(index, layer) -> tuple[int, int, int]:
    if not isinstance(layer, (tuple, list)) or len(layer) not in (2, 3):
        raise TypeError(
            f"layers[{index}] = {short_repr(layer)}: each layer must be a (kernel_size, stride) pair "
            f"or a (kernel_size, stride, dilation) triple, e.g. (3, 1)."
        )
    k = check_int(f"layers[{index}] kernel_size", layer[0], 1)
    s = check_int(f"layers[{index}] stride", layer[1], 1)
    d = check_int(f"layers[{index}] dilation", layer[2], 1) if len(layer) == 3 else 1
    return k, s, d


def receptive_field_growth(layers) -> list[int]:
    """Receptive field on the input after each layer: r_i = r_{i-1} + (k_i - 1) × d_i × J_i.

    J_i = s_1 × ... × s_{i-1} is the product of the strides before layer i (the input
    distance between neighbouring units of layer i's input), r_0 = 1.

    Example: ``receptive_field_growth([(3, 1)] * 3)`` -> [3, 5, 7].
    """
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(
            f"layers must be a list of (kernel_size, stride) pairs, got {short_repr(layers)}; "
            f"e.g. [(3, 1), (3, 1)] for two stacked 3×3 convolutions."
        )
    r, jump, growth = 1, 1, []
    for index, layer in enumerate(layers):
        k, s, d = _layer(index, layer)
        r += (k - 1) * d * jump
        jump *= s
        growth.append(r)
    return growth


@formula(
    title="Receptive field of stacked layers",
    chinese="感受野",
    text="r = 1 + Σ_i (k_i - 1) × d_i × (s_1 × ... × s_{i-1})",
    legend="k_i kernel size, s_i stride, d_i dilation of layer i (pooling counts as a layer)",
    example=dict(layers=[(3, 1), (3, 1)]),
    chapter="04",
)
def receptive_field(layers) -> int:
    """Receptive field of one output unit on the input: r = 1 + Σ (k_i - 1) d_i Π_{j<i} s_j.

    ``layers`` is a sequence of (kernel_size, stride) or (kernel_size, stride, dilation)
    tuples, first layer first; pooling layers are included as (pool_size, stride).

    Examples: two stacked 3×3 convolutions ``[(3, 1), (3, 1)]`` -> 5; three -> 7
    (VGG's argument: the field of a 7×7 kernel with fewer parameters).
    """
    growth = receptive_field_growth(layers)
    return growth[-1] if growth else 1
