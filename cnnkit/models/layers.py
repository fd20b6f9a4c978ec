"""Custom layers the classic networks need and Keras does not ship.

- :class:`Subsampling`: LeNet-5's S2/S4 layers, a *trainable* 2x2 subsampling.
- :class:`PartialConv2D`: LeNet-5's C3, a convolution in which each output map sees only
  some input maps (the paper's connection table).
- :class:`LocalResponseNormalization`: AlexNet's LRN across neighbouring channels.
- :class:`EuclideanRBF`: LeNet-5's output layer, one Euclidean radial basis function unit per
  class with a fixed prototype.

All four are written with ``keras.ops`` only (any Keras backend), save and load through
``get_config`` and are registered under the package name ``"cnnkit"``, so
``keras.models.clone_model`` and ``model.save(...)``/``keras.models.load_model`` work.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

__all__ = [
    "LENET_C3_TABLE",
    "EuclideanRBF",
    "LocalResponseNormalization",
    "PartialConv2D",
    "Subsampling",
]

#: Table I of LeCun et al. (1998): for each of C3's 16 feature maps, the S2 maps (0-5) it
#: reads. Maps 0-5 take 3 contiguous maps, 6-11 take 4 contiguous, 12-14 take 4
#: non-contiguous, and map 15 takes all 6: 60 connections in all.
LENET_C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (0, 4, 5),
    (0, 1, 5),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (0, 3, 4, 5),
    (0, 1, 4, 5),
    (0, 1, 2, 5),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


@keras.saving.register_keras_serializable(package="cnnkit")
class Subsampling(keras.layers.Layer):
    """LeNet-5's trainable subsampling (S2, S4).

    For every feature map ``c``: add up the ``pool_size x pool_size`` window, multiply by
    one trainable coefficient ``w_c``, add one trainable bias ``b_c`` and apply the
    activation (a sigmoid in the paper)::

        y[i, j, c] = sigmoid(w_c * sum_{window} x[., ., c] + b_c)

    Parameters: ``2 x channels`` (S2: 2 x 6 = 12, S4: 2 x 16 = 32).
    """

    def __init__(self, pool_size: int = 2, activation="sigmoid", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(pool_size, int) or pool_size < 1:
            raise ValueError(f"pool_size must be a positive integer; got {pool_size!r}")
        self.pool_size = pool_size
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("Subsampling needs a known number of channels (last axis).")
        self.coefficient = self.add_weight(
            name="coefficient", shape=(channels,), initializer="ones", trainable=True
        )
        self.bias = self.add_weight(name="bias", shape=(channels,), initializer="zeros")

    def parameter_formula(self):
        """(count, arithmetic, note) for ``ck.explain``: one coefficient and one bias per map."""
        channels = int(self.coefficient.shape[0])
        return 2 * channels, f"2×{channels}", " (coefficient + bias per map)"

    def call(self, inputs):
        area = self.pool_size * self.pool_size
        window_sum = area * ops.average_pool(
            inputs, pool_size=self.pool_size, strides=self.pool_size, padding="valid"
        )
        return self.activation(window_sum * self.coefficient + self.bias)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        p = self.pool_size
        return (
            batch,
            None if height is None else height // p,
            None if width is None else width // p,
            channels,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            pool_size=self.pool_size,
            activation=keras.activations.serialize(self.activation),
        )
        return config


@keras.saving.register_keras_serializable(package="cnnkit")
class PartialConv2D(keras.layers.Layer):
    """A 'valid' stride-1 convolution in which output map ``j`` reads only the input maps
    listed in ``connection_table[j]`` (LeNet-5's C3).

    Only the connected kernels are weights, so the parameter count is
    ``kernel_size**2 x (number of connections) + filters``. For C3 with
    :data:`LENET_C3_TABLE`: ``25 x 60 + 16 = 1,516`` instead of ``25 x 6 x 16 + 16 = 2,416``
    for a full convolution. The paper's reasons: fewer connections, and different maps are
    forced to learn different (complementary) features because they see different inputs.

    The packed kernel, shape ``(k, k, connections)``, is scattered into a full
    ``(k, k, in, out)`` kernel with a fixed 0/1 matrix before an ordinary convolution, so
    unconnected pairs contribute exactly zero and receive no gradient.
    """

    def __init__(
        self,
        connection_table: Sequence[Sequence[int]] = LENET_C3_TABLE,
        kernel_size: int = 5,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        table = [list(map(int, inputs)) for inputs in connection_table]
        if not table or any(len(inputs) == 0 for inputs in table):
            raise ValueError(
                "connection_table must list, for every output map, at least one input map"
            )
        if any(len(set(inputs)) != len(inputs) for inputs in table):
            raise ValueError("connection_table lists an input map twice for one output map")
        if min(min(inputs) for inputs in table) < 0:
            raise ValueError("connection_table entries are input-map indices (>= 0)")
        if not isinstance(kernel_size, int) or kernel_size < 1:
            raise ValueError(f"kernel_size must be a positive integer; got {kernel_size!r}")
        self.connection_table = table
        self.filters = len(table)
        self.kernel_size = kernel_size
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        # (input map, output map) of every connection, output map by output map.
        self._pairs = [(i, j) for j, inputs in enumerate(table) for i in inputs]

    @property
    def connections(self) -> int:
        """Number of (input map, output map) pairs: 60 for LeNet-5's C3."""
        return len(self._pairs)

    def parameter_formula(self):
        """(count, arithmetic, note) for ``ck.explain``: F×F weights per connection, one bias per map."""
        k, pairs = self.kernel_size, self.connections
        bias = self.filters if self.use_bias else 0
        expression = f"{k}×{k}×{pairs}" + (f" + {bias}" if bias else "")
        return k * k * pairs + bias, expression, f" ({pairs} input-output map connections)"

    def build(self, input_shape):
        in_channels = input_shape[-1]
        needed = 1 + max(i for i, _ in self._pairs)
        if in_channels is None or in_channels < needed:
            raise ValueError(
                f"PartialConv2D's connection_table refers to input map {needed - 1}, so the "
                f"input needs at least {needed} channels; got {in_channels}"
            )
        self.in_channels = int(in_channels)
        k, n_out = self.kernel_size, self.filters
        flat = np.array([i * n_out + j for i, j in self._pairs])
        scatter = np.zeros((len(self._pairs), self.in_channels * n_out), dtype="float32")
        scatter[np.arange(len(self._pairs)), flat] = 1.0
        self._scatter = scatter  # constant, not a weight

        full_shape = (k, k, self.in_channels, n_out)

        def packed_initializer(shape, dtype=None):
            # Draw as if the kernel were full (so fan-in/fan-out are the usual conv ones),
            # then keep only the connected entries.
            full = ops.reshape(self.kernel_initializer(full_shape, dtype=dtype), (k, k, -1))
            return ops.take(full, flat, axis=2)

        self.kernel = self.add_weight(
            name="kernel", shape=(k, k, len(self._pairs)), initializer=packed_initializer
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(n_out,), initializer=self.bias_initializer
            )
        else:
            self.bias = None

    def full_kernel(self):
        """The kernel as a dense ``(k, k, in, out)`` tensor with zeros where the table has
        no connection."""
        k = self.kernel_size
        packed = ops.reshape(self.kernel, (k * k, self.connections))
        scatter = ops.convert_to_tensor(self._scatter, dtype=self.kernel.dtype)
        return ops.reshape(ops.matmul(packed, scatter), (k, k, self.in_channels, self.filters))

    def call(self, inputs):
        outputs = ops.conv(inputs, self.full_kernel(), strides=1, padding="valid")
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        k = self.kernel_size
        return (
            batch,
            None if height is None else height - k + 1,
            None if width is None else width - k + 1,
            self.filters,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            connection_table=[list(inputs) for inputs in self.connection_table],
            kernel_size=self.kernel_size,
            activation=keras.activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
        )
        return config


@keras.saving.register_keras_serializable(package="cnnkit")
class LocalResponseNormalization(keras.layers.Layer):
    """Local response normalisation (局部响应归一化) across channels (AlexNet, 2012).

    Krizhevsky et al., section 3.3, with ``n = 2 * depth_radius + 1`` adjacent maps::

        b[x, y, i] = a[x, y, i] / (k + alpha * sum_{j=i-r}^{i+r} a[x, y, j]**2) ** beta

    The paper's values: ``k = 2, n = 5 (depth_radius = 2), alpha = 1e-4, beta = 0.75``.
    Same convention as ``tf.nn.local_response_normalization`` (alpha is *not* divided by n,
    unlike Caffe). No parameters.
    """

    def __init__(
        self,
        depth_radius: int = 2,
        bias: float = 2.0,
        alpha: float = 1e-4,
        beta: float = 0.75,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(depth_radius, int) or depth_radius < 0:
            raise ValueError(f"depth_radius must be an integer >= 0; got {depth_radius!r}")
        self.depth_radius = depth_radius
        self.bias = float(bias)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def call(self, inputs):
        r = self.depth_radius
        squared = ops.square(inputs)
        channels = inputs.shape[-1]
        padded = ops.pad(squared, [[0, 0], [0, 0], [0, 0], [r, r]])
        window = sum(padded[..., d : d + channels] for d in range(2 * r + 1))
        return inputs / ops.power(self.bias + self.alpha * window, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta
        )
        return config


@keras.saving.register_keras_serializable(package="cnnkit")
class EuclideanRBF(keras.layers.Layer):
    """LeNet-5's output layer (LeCun et al. 1998, section II.B): one Euclidean radial basis
    function unit per class, with a *fixed* parameter vector (prototype) ``w_i``::

        y_i = sum_j (x_j - w_ij) ** 2

    ``y_i`` is a penalty, the squared distance between F6's output and class ``i``'s
    prototype: the prediction is the class with the *smallest* ``y_i``. The paper's
    prototypes are 7x12 bitmaps of stylised characters with entries -1 and +1 (84 = 7 * 12
    numbers, hence F6's 84 units). ``prototypes``: array of shape ``(classes, features)``.
    No trainable parameters.
    """

    def __init__(self, prototypes, **kwargs):
        super().__init__(**kwargs)
        self.prototypes = np.asarray(prototypes, dtype="float32")
        if self.prototypes.ndim != 2:
            raise ValueError(
                f"EuclideanRBF needs prototypes of shape (classes, features); "
                f"got shape {self.prototypes.shape}"
            )

    def build(self, input_shape):
        if input_shape[-1] != self.prototypes.shape[1]:
            raise ValueError(
                f"EuclideanRBF: the input has {input_shape[-1]} features but the prototypes "
                f"have {self.prototypes.shape[1]}; they must match (F6 has 84 units)."
            )
        self.centres = self.add_weight(
            shape=self.prototypes.shape,
            initializer=keras.initializers.Constant(self.prototypes),
            trainable=False,
            name="prototypes",
        )

    def call(self, inputs):
        difference = ops.expand_dims(inputs, 1) - self.centres  # (batch, classes, features)
        return ops.sum(ops.square(difference), axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.prototypes.shape[0])

    def get_config(self):
        config = super().get_config()
        config.update(prototypes=self.prototypes.tolist())
        return config
