"""A DCGAN for 28×28×1 images and a ``GAN`` model whose training step alternates D and G.

The two-player game (生成对抗网络): the generator G maps noise z to a sample G(z); the
discriminator D(x) is the probability that x is real. With binary cross-entropy::

    L_D = -[ log D(x) + log(1 - D(G(z))) ]      D: call real images 1 and generated ones 0
    L_G = -log D(G(z))                           G: make D call its samples real (1)

(L_G is the "non-saturating" loss of Goodfellow et al. 2014; minimising log(1 - D(G(z)))
instead gives G almost no gradient early on, when D easily spots its samples.)

``GAN.train_step`` follows Keras 3's recipe for the TensorFlow backend (override
``train_step``, compute gradients with ``tf.GradientTape``): first ``d_steps`` updates of D with
G fixed, then ``g_steps`` updates of G with D fixed. It tracks ``d_loss``, ``g_loss`` and D's
accuracy on real (``d_acc_real``) and on generated (``d_acc_fake``) images.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

__all__ = [
    "GAN",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_loss",
    "generator_loss",
]

_BCE = keras.losses.BinaryCrossentropy()


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return value


def dcgan_generator(
    latent_dim: int = 64, filters: int = 64, name: str = "generator"
) -> keras.Model:
    """G: noise z (latent_dim,) -> image 28×28×1 in [-1, 1] (tanh), as in DCGAN (Radford et al. 2015).

    Dense -> 7×7×(2·filters) -> transposed convolution ×2 (stride 2) -> 14×14×filters -> 28×28×1,
    batch normalisation and ReLU in between.
    """
    _check_positive_int("latent_dim", latent_dim)
    _check_positive_int("filters", filters)
    return keras.Sequential(
        [
            keras.Input((latent_dim,), name="z"),
            layers.Dense(7 * 7 * 2 * filters, use_bias=False, name="project"),
            layers.BatchNormalization(name="project_bn"),
            layers.ReLU(name="project_relu"),
            layers.Reshape((7, 7, 2 * filters), name="to_7x7"),
            layers.Conv2DTranspose(
                filters, 4, strides=2, padding="same", use_bias=False, name="up_14x14"
            ),
            layers.BatchNormalization(name="up_14x14_bn"),
            layers.ReLU(name="up_14x14_relu"),
            layers.Conv2DTranspose(
                1, 4, strides=2, padding="same", activation="tanh", name="image"
            ),
        ],
        name=name,
    )


def dcgan_discriminator(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    filters: int = 64,
    dropout: float = 0.3,
    name: str = "discriminator",
) -> keras.Model:
    """D: image 28×28×1 -> probability that it is real (sigmoid), a small strided-conv classifier.

    Conv 4×4 stride 2 (14×14×filters) -> LeakyReLU -> Conv 4×4 stride 2 (7×7×2·filters) ->
    LeakyReLU -> Flatten -> Dense(1, sigmoid). Strided convolutions instead of pooling, as in DCGAN.
    """
    if tuple(input_shape)[:2] != (28, 28):
        raise ValueError(f"dcgan_discriminator is sized for 28×28 images, got {input_shape}.")
    _check_positive_int("filters", filters)
    return keras.Sequential(
        [
            keras.Input(input_shape, name="image"),
            layers.Conv2D(filters, 4, strides=2, padding="same", name="conv_14x14"),
            layers.LeakyReLU(0.2, name="conv_14x14_lrelu"),
            layers.Conv2D(2 * filters, 4, strides=2, padding="same", name="conv_7x7"),
            layers.LeakyReLU(0.2, name="conv_7x7_lrelu"),
            layers.Flatten(name="flatten"),
            layers.Dropout(dropout, name="dropout"),
            layers.Dense(1, activation="sigmoid", name="p_real"),
        ],
        name=name,
    )


def discriminator_loss(p_real, p_fake):
    """L_D = BCE(1, D(x)) + BCE(0, D(G(z))) = -mean log D(x) - mean log(1 - D(G(z)))."""
    return _BCE(tf.ones_like(p_real), p_real) + _BCE(tf.zeros_like(p_fake), p_fake)


def generator_loss(p_fake):
    """L_G = BCE(1, D(G(z))) = -mean log D(G(z)) (the non-saturating generator loss)."""
    return _BCE(tf.ones_like(p_fake), p_fake)


class GAN(keras.Model):
    """Generator and discriminator trained in turn: ``d_steps`` D updates, then ``g_steps`` G updates.

    ``gan.compile(d_optimizer=..., g_optimizer=...)`` then ``gan.fit(x_real, epochs=...)`` with
    images scaled to [-1, 1]. Logs ``d_loss``, ``g_loss``, ``d_acc_real`` and ``d_acc_fake``.
    """

    def __init__(
        self, generator, discriminator, d_steps: int = 1, g_steps: int = 1, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.input_shape[-1])
        self.d_steps = _check_positive_int("d_steps", d_steps)
        self.g_steps = _check_positive_int("g_steps", g_steps)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_acc_real = keras.metrics.BinaryAccuracy(name="d_acc_real")
        self.d_acc_fake = keras.metrics.BinaryAccuracy(name="d_acc_fake")

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Two optimizers, one per player (default: Adam(2e-4, beta_1=0.5) as in DCGAN)."""
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_acc_real, self.d_acc_fake]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def sample_noise(self, batch_size):
        """z ~ N(0, I), shape (batch_size, latent_dim)."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def discriminator_step(self, real_images):
        """One update of D with G fixed: minimise L_D. Returns (d_loss, D(x), D(G(z)))."""
        fake_images = self.generator(self.sample_noise(tf.shape(real_images)[0]), training=True)
        with tf.GradientTape() as tape:
            p_real = self.discriminator(real_images, training=True)
            p_fake = self.discriminator(fake_images, training=True)
            d_loss = discriminator_loss(p_real, p_fake)
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights, strict=True))
        return d_loss, p_real, p_fake

    def generator_step(self, batch_size):
        """One update of G with D fixed: minimise L_G = -log D(G(z)). Returns g_loss."""
        z = self.sample_noise(batch_size)
        with tf.GradientTape() as tape:
            p_fake = self.discriminator(self.generator(z, training=True), training=False)
            g_loss = generator_loss(p_fake)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights, strict=True))
        return g_loss

    def train_step(self, data):
        real_images = data[0] if isinstance(data, (tuple, list)) else data
        for _ in range(self.d_steps):  # 1) the discriminator learns, the generator is fixed
            d_loss, p_real, p_fake = self.discriminator_step(real_images)
        for _ in range(self.g_steps):  # 2) the generator learns against the updated D
            g_loss = self.generator_step(tf.shape(real_images)[0])
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_acc_real.update_state(tf.ones_like(p_real), p_real)
        self.d_acc_fake.update_state(tf.zeros_like(p_fake), p_fake)
        return {metric.name: metric.result() for metric in self.metrics}
