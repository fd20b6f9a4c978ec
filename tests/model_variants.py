"""Wrong (and right) answers to the Keras model problems of chapter 04, as source code.

Each wrong variant keeps the output shape and, where it can, the parameter count of the right
answer, so only a checker that looks at the architecture and the computation refuses it. The
tests run each variant's code with ``keras`` in scope and check ``vgg_block`` / ``residual_block``.
"""

VGG_RIGHT = {
    "functional": """
def vgg_block(input_shape):
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(64, 3, padding='same', activation='relu')(inputs)
    x = keras.layers.Conv2D(64, 3, padding='same', activation='relu')(x)
    return keras.Model(inputs, keras.layers.MaxPooling2D(2)(x))
""",
    "sequential with ReLU layers": """
def vgg_block(input_shape):
    return keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Conv2D(64, (3, 3), padding='same'),
        keras.layers.ReLU(),
        keras.layers.Conv2D(64, 3, padding='same'),
        keras.layers.Activation('relu'),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
    ])
""",
}


def _vgg(layers, input_line="keras.Input(input_shape)"):
    body = "\n".join(f"        {layer}," for layer in layers)
    return f"""
def vgg_block(input_shape):
    return keras.Sequential([
        {input_line},
{body}
    ])
"""


_C = "keras.layers.Conv2D(64, 3, padding='same', activation='relu')"
_P = "keras.layers.MaxPooling2D(2)"

#: (code, a word the message must contain)
VGG_WRONG = {
    "pooling first": (_vgg([_P, _C, _C]), "order"),
    "no ReLU": (_vgg(["keras.layers.Conv2D(64, 3, padding='same')"] * 2 + [_P]), "no ReLU"),
    "no ReLU on the second": (
        _vgg([_C, "keras.layers.Conv2D(64, 3, padding='same')", _P]),
        "Convolution 2 has no ReLU",
    ),
    "sigmoid": (
        _vgg(["keras.layers.Conv2D(64, 3, padding='same', activation='sigmoid')", _C, _P]),
        "sigmoid",
    ),
    "tanh": (
        _vgg([_C, "keras.layers.Conv2D(64, 3, padding='same', activation='tanh')", _P]),
        "tanh",
    ),
    "stride-2 conv instead of pooling": (
        _vgg([_C, "keras.layers.Conv2D(64, 3, strides=2, padding='same', activation='relu')"]),
        "no max pooling",
    ),
    "average pooling": (_vgg([_C, _C, "keras.layers.AveragePooling2D(2)"]), "MAX pooling"),
    "input_shape ignored": (
        _vgg([_C, _C, _P], "keras.Input((16, 16, 32))"),
        "ignores its input_shape",
    ),
    "pooling between the convolutions": (_vgg([_C, _P, _C]), "order"),
    "leaky ReLU": (
        _vgg(["keras.layers.Conv2D(64, 3, padding='same')", "keras.layers.LeakyReLU()", _C, _P]),
        "LeakyReLU",
    ),
    "dilated convolution": (
        _vgg(
            [
                _C,
                "keras.layers.Conv2D(64, 3, padding='same', dilation_rate=2, activation='relu')",
                _P,
            ]
        ),
        "dilation",
    ),
    "pooling with padding='same'": (
        _vgg([_C, _C, "keras.layers.MaxPooling2D(2, strides=2, padding='same')"]),
        "padding",
    ),
    "a Lambda that scales": (
        _vgg([_C, _C, _P, "keras.layers.Lambda(lambda t: 2.0 * t)"]),
        "Lambda",
    ),
    "a conv subclass computing something else": (
        """
class Conv2D(keras.layers.Conv2D):  # named like Keras's, computes twice its output
    def call(self, inputs):
        return 2.0 * super().call(inputs)

def vgg_block(input_shape):
    return keras.Sequential([
        keras.Input(input_shape),
        Conv2D(64, 3, padding='same', activation='relu'),
        keras.layers.Conv2D(64, 3, padding='same', activation='relu'),
        keras.layers.MaxPooling2D(2),
    ])
""",
        "output differs",
    ),
}

RESIDUAL_RIGHT = {
    "functional": """
def residual_block(x):
    L = keras.layers
    y = L.Conv2D(64, 3, strides=2, padding='same', use_bias=False)(x)
    y = L.ReLU()(L.BatchNormalization()(y))
    y = L.BatchNormalization()(L.Conv2D(64, 3, padding='same', use_bias=False)(y))
    shortcut = L.BatchNormalization()(L.Conv2D(64, 1, strides=2, use_bias=False)(x))
    return L.ReLU()(L.Add()([y, shortcut]))
""",
    "shortcut first, Activation layers": """
def residual_block(x):
    L = keras.layers
    s = L.Conv2D(64, (1, 1), strides=(2, 2), padding='same', use_bias=False)(x)
    s = L.BatchNormalization()(s)
    y = L.Conv2D(64, (3, 3), strides=(2, 2), padding='same', use_bias=False)(x)
    y = L.Activation('relu')(L.BatchNormalization()(y))
    y = L.Conv2D(64, 3, padding='same', use_bias=False)(y)
    y = L.BatchNormalization()(y)
    return L.Activation('relu')(L.Add()([s, y]))
""",
}


def _residual(main, shortcut, combine="L.ReLU()(L.Add()([y, s]))", extra=""):
    return f"""
def residual_block(x):
    L = keras.layers
{extra}    y = x
{chr(10).join("    y = " + step + "(y)" for step in main)}
    s = x
{chr(10).join("    s = " + step + "(s)" for step in shortcut)}
    return {combine}
"""


_C1 = "L.Conv2D(64, 3, strides=2, padding='same', use_bias=False)"
_C2 = "L.Conv2D(64, 3, padding='same', use_bias=False)"
_PR = "L.Conv2D(64, 1, strides=2, use_bias=False)"
_BN = "L.BatchNormalization()"
_R = "L.ReLU()"
_MAIN = [_C1, _BN, _R, _C2, _BN]
_SHORT = [_PR, _BN]

RESIDUAL_WRONG = {
    "no ReLU inside F": (_residual([_C1, _BN, _C2, _BN], _SHORT, extra=""), "ReLU"),
    "no ReLU after the addition": (
        _residual(_MAIN, _SHORT, combine="L.Add()([y, s])"),
        "right after the addition",
    ),
    "stride on the second convolution": (
        _residual(
            [
                "L.Conv2D(64, 3, padding='same', use_bias=False)",
                _BN,
                _R,
                "L.Conv2D(64, 3, strides=2, padding='same', use_bias=False)",
                _BN,
            ],
            _SHORT,
        ),
        "stride",
    ),
    "1x1 and 3x3 paths swapped": (
        _residual(
            ["L.Conv2D(64, 1, strides=2, use_bias=False)", _BN, _R, _C2, _BN],
            ["L.Conv2D(64, 3, strides=2, padding='same', use_bias=False)", _BN],
        ),
        "swapped",
    ),
    "Multiply dressed with a zero-weighted Add": (
        _residual(
            _MAIN,
            _SHORT,
            combine="L.ReLU()(L.Add()([L.Multiply()([y, s]), L.Multiply()([y, L.Lambda(lambda t: 0.0 * t)(s)])]))",
        ),
        "Multiply",
    ),
    "Subtract dressed with a zero-weighted Add": (
        _residual(
            _MAIN,
            _SHORT,
            combine="L.ReLU()(L.Add()([L.Subtract()([y, s]), L.Lambda(lambda t: 0.0 * t)(s)]))",
        ),
        "Subtract",
    ),
    "sigmoid instead of ReLU": (
        _residual([_C1, _BN, "L.Activation('sigmoid')", _C2, _BN], _SHORT),
        "sigmoid",
    ),
    "ReLU before BN": (
        _residual(
            [
                "L.Conv2D(64, 3, strides=2, padding='same', use_bias=False, activation='relu')",
                _BN,
                _C2,
                _BN,
            ],
            _SHORT,
        ),
        "ReLU",
    ),
    "BN missing on the shortcut, extra BN in F": (
        _residual([_C1, _BN, _R, _C2, _BN, _BN], [_PR]),
        "shortcut",
    ),
    "shortcut from F's middle": (
        """
def residual_block(x):
    L = keras.layers
    h = L.ReLU()(L.BatchNormalization()(L.Conv2D(64, 3, strides=2, padding='same', use_bias=False)(x)))
    y = L.BatchNormalization()(L.Conv2D(64, 3, padding='same', use_bias=False)(h))
    s = L.BatchNormalization()(L.Conv2D(64, 1, use_bias=False)(h))
    return L.ReLU()(L.Add()([y, s]))
""",
        "trainable",
    ),
    "max pooling instead of stride": (
        _residual(
            [
                "L.Conv2D(64, 3, padding='same', use_bias=False)",
                "L.MaxPooling2D(2)",
                _BN,
                _R,
                _C2,
                _BN,
            ],
            _SHORT,
        ),
        "MaxPooling2D",
    ),
    "a 5x5 second convolution": (
        _residual([_C1, _BN, _R, "L.Conv2D(64, 5, padding='same', use_bias=False)", _BN], _SHORT),
        "trainable",
    ),
    "BN subclass computing something else": (
        """
class BatchNormalization(keras.layers.BatchNormalization):  # named like Keras's
    def call(self, inputs, training=None):
        return 2.0 * super().call(inputs, training=training)

def residual_block(x):
    L = keras.layers
    y = L.ReLU()(BatchNormalization()(L.Conv2D(64, 3, strides=2, padding='same', use_bias=False)(x)))
    y = L.BatchNormalization()(L.Conv2D(64, 3, padding='same', use_bias=False)(y))
    s = L.BatchNormalization()(L.Conv2D(64, 1, strides=2, use_bias=False)(x))
    return L.ReLU()(L.Add()([y, s]))
""",
        "output differs",
    ),
}


# --- random wrong models ----------------------------------------------------------------------
# Chains of layers drawn at random: never the right block, since the pool has no separate ReLU
# layer (Conv2D + ReLU() would be the right block written differently) and only one way of
# writing each layer.

_VGG_POOL = [
    "keras.layers.Conv2D(64, {k}, strides={s}, padding='{p}', activation={a})",
    "keras.layers.MaxPooling2D(2)",
    "keras.layers.AveragePooling2D(2)",
    "keras.layers.MaxPooling2D(3, strides=2, padding='same')",
    "keras.layers.BatchNormalization()",
]
_VGG_RIGHT_LAYERS = [
    "keras.layers.Conv2D(64, 3, strides=1, padding='same', activation='relu')",
    "keras.layers.Conv2D(64, 3, strides=1, padding='same', activation='relu')",
    "keras.layers.MaxPooling2D(2)",
]


def _random_vgg_layer(rng) -> str:
    template = rng.choice(_VGG_POOL[:1] * 3 + _VGG_POOL[1:])
    return template.format(
        k=rng.choice([1, 3, 5]),
        s=rng.choice([1, 1, 2]),
        p=rng.choice(["same", "same", "valid"]),
        a=rng.choice(["'relu'", "'relu'", "None", "'sigmoid'", "'tanh'"]),
    )


def random_wrong_vgg(rng) -> str:
    """The code of a random VGG-like block that is not the right one: mostly the right layers
    with one or two random changes (a layer replaced, two swapped, one inserted or removed),
    sometimes a random chain."""
    while True:
        if rng.random() < 0.3:
            layers = [_random_vgg_layer(rng) for _ in range(rng.randrange(1, 5))]
        else:
            layers = list(_VGG_RIGHT_LAYERS)
            for _ in range(rng.randrange(1, 3)):
                change = rng.randrange(4)
                index = rng.randrange(len(layers))
                if change == 0:
                    layers[index] = _random_vgg_layer(rng)
                elif change == 1 and len(layers) > 1:
                    other = (index + 1) % len(layers)
                    layers[index], layers[other] = layers[other], layers[index]
                elif change == 2:
                    layers.insert(index, _random_vgg_layer(rng))
                elif len(layers) > 1:
                    del layers[index]
        if layers != _VGG_RIGHT_LAYERS:
            return _vgg(layers)


_RESIDUAL_MUTATIONS = [
    ("main", 0, _C1.replace("3, strides=2", "5, strides=2")),
    ("main", 0, _C1.replace("strides=2", "strides=1")),
    ("main", 0, _C1.replace("use_bias=False", "use_bias=False, activation='relu'")),
    ("main", 1, "L.LayerNormalization()"),
    ("main", 2, "L.Activation('sigmoid')"),
    ("main", 2, "L.Activation('tanh')"),
    ("main", 2, "L.LeakyReLU()"),
    ("main", 2, "L.BatchNormalization()"),
    ("main", 3, _C2.replace("64, 3", "64, 1")),
    ("main", 3, _C2.replace("padding='same'", "padding='same', strides=1, dilation_rate=2")),
    ("main", 4, "L.ReLU()"),
    ("short", 0, _PR.replace("64, 1", "64, 3").replace("use_bias", "padding='same', use_bias")),
    ("short", 0, "L.AveragePooling2D(2)"),
    ("short", 1, "L.ReLU()"),
    ("short", 1, "L.LayerNormalization()"),
]
_COMBINES = [
    "L.ReLU()(L.Subtract()([y, s]))",
    "L.ReLU()(L.Multiply()([y, s]))",
    "L.ReLU()(L.Maximum()([y, s]))",
    "L.ReLU()(L.Average()([y, s]))",
    "L.Add()([y, s])",
    "L.Activation('sigmoid')(L.Add()([y, s]))",
    "L.ReLU()(L.Add()([y, y]))",
]


def random_wrong_residual(rng) -> str:
    """The code of the right residual block with one or two random wrong changes."""
    main, short, combine = list(_MAIN), list(_SHORT), "L.ReLU()(L.Add()([y, s]))"
    for _ in range(rng.randrange(1, 3)):
        if rng.random() < 0.25:
            combine = rng.choice(_COMBINES)
            continue
        path, index, layer = rng.choice(_RESIDUAL_MUTATIONS)
        (main if path == "main" else short)[index] = layer
    if main == _MAIN and short == _SHORT and combine == "L.ReLU()(L.Add()([y, s]))":
        combine = rng.choice(_COMBINES)
    return _residual(main, short, combine=combine)
