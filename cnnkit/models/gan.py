"""A DCGAN for 28×28×1 images and a ``GAN`` model whose training step alternates D and G.

The two-player game (生成对抗网络): the generator G maps noise z to a sample G(z); the
discriminator outputs a logit (逻辑值) s(x), and D(x) = sigmoid(s(x)) is the probability that x
is real. With binary cross-entropy::

    L_D = -[ log D(x) + log(1 - D(G(z))) ]      D: call real images 1 and generated ones 0
    L_G = -log D(G(z))                           G: make D call its samples real (1)

(L_G is the "non-saturating" loss of Goodfellow et al. 2014; minimising log(1 - D(G(z)))
instead gives G almost no gradient early on, when D easily spots its samples.)

D returns the logit, not the probability, and the losses use ``from_logits=True``: the
cross-entropy is then computed from the logit directly (log-sum-exp), which stays finite when D
is very sure, where log(sigmoid(s)) of a rounded probability would be log(0) (see
``cnnkit.scratch``'s stable cross-entropy).

``GAN.train_step`` follows Keras 3's recipe for overriding ``train_step``: first ``d_steps``
updates of D with G fixed, then ``g_steps`` updates of G with D fixed. The losses, the noise and
the metrics are written with ``keras.ops`` and ``keras.random``; taking the gradient is the one
backend-specific part of Keras 3, so the step itself is written three times, each in the pattern
Keras documents for its backend (:mod:`cnnkit.models.gan_steps`: ``tf.GradientTape``,
``jax.value_and_grad`` on a stateless step, ``torch.autograd``). It tracks ``d_loss``,
``g_loss`` and D's accuracy on real (``d_acc_real``) and on generated (``d_acc_fake``) images.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from cnnkit.models import gan_steps
from cnnkit.validation import check_int

__all__ = [
    "GAN",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_loss",
    "generator_loss",
]

_BCE = keras.losses.BinaryCrossentropy(from_logits=True)

# The builders' checks, under the name chapter 06 shows (ck.show_code prints the builders).
_check_positive_int = check_int


def dcgan_generator(
    input_shape: tuple[int] = (64,), *, filters: int = 64, name: str = "generator"
) -> keras.Model:
    """G: noise z of ``input_shape = (latent_dim,)`` -> image 28×28×1 in [-1, 1] (tanh), as in
    DCGAN (Radford et al. 2015).

    Dense -> 7×7×(2·filters) -> transposed convolution ×2 (stride 2) -> 14×14×filters -> 28×28×1,
    batch normalisation and ReLU in between.
    """
    if len(tuple(input_shape)) != 1:
        raise ValueError(
            f"dcgan_generator: input_shape is (latent_dim,), e.g. (64,); got {input_shape!r}"
        )
    _check_positive_int("input_shape[0] (latent_dim)", tuple(input_shape)[0])
    _check_positive_int("filters", filters)
    return keras.Sequential(
        [
            keras.Input(tuple(input_shape), name="z"),
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
    *,
    filters: int = 64,
    dropout: float = 0.3,
    name: str = "discriminator",
) -> keras.Model:
    """D: image 28×28×1 -> logit s(x) of "x is real" (D(x) = sigmoid(s)), a small strided-conv classifier.

    Conv 4×4 stride 2 (14×14×filters) -> LeakyReLU -> Conv 4×4 stride 2 (7×7×2·filters) ->
    LeakyReLU -> Flatten -> Dense(1), no activation: the losses take the logit
    (``from_logits=True``). Strided convolutions instead of pooling, as in DCGAN.
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
            layers.Dense(1, name="logit"),  # no sigmoid: the losses take logits
        ],
        name=name,
    )


def discriminator_loss(real_logits, fake_logits):
    """L_D = BCE(1, D(x)) + BCE(0, D(G(z))) = -mean log D(x) - mean log(1 - D(G(z))), D = sigmoid(logit)."""
    return _BCE(ops.ones_like(real_logits), real_logits) + _BCE(
        ops.zeros_like(fake_logits), fake_logits
    )


def generator_loss(fake_logits):
    """L_G = BCE(1, D(G(z))) = -mean log D(G(z)) (the non-saturating generator loss), from logits."""
    return _BCE(ops.ones_like(fake_logits), fake_logits)


class GAN(keras.Model):
    """Generator and discriminator trained in turn: ``d_steps`` D updates, then ``g_steps`` G updates.

    ``gan.compile(d_optimizer=..., g_optimizer=...)`` then ``gan.fit(x_real, epochs=...)`` with
    images scaled to [-1, 1]. Logs ``d_loss``, ``g_loss``, ``d_acc_real`` and ``d_acc_fake``.
    ``d_steps=0`` freezes D: G then trains alone against a fixed judge (D is only measured).
    """

    def __init__(
        self, generator, discriminator, d_steps: int = 1, g_steps: int = 1, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.input_shape[-1])
        self.d_steps = check_int("d_steps", d_steps, 0)
        self.g_steps = check_int("g_steps", g_steps)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        # D outputs logits: logit > 0 means "real" (probability > 1/2)
        self.d_acc_real = keras.metrics.BinaryAccuracy(name="d_acc_real", threshold=0.0)
        self.d_acc_fake = keras.metrics.BinaryAccuracy(name="d_acc_fake", threshold=0.0)
        # both players are built models: without this, fit() on JAX would call the GAN on the
        # real images once to build it, but the GAN's input is noise z
        self.built = True

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Two optimizers, one per player (default: Adam(2e-4, beta_1=0.5) as in DCGAN)."""
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        # built now, outside any compiled step (JAX cannot create variables inside one)
        if not self.d_optimizer.built:
            self.d_optimizer.build(self.discriminator.trainable_variables)
        if not self.g_optimizer.built:
            self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_acc_real, self.d_acc_fake]

    @property
    def metrics_variables(self):
        """The metrics' variables and, on JAX, the two optimizers' variables after them.

        JAX's ``fit`` threads trainable, non-trainable, *one* optimizer's and the metrics'
        variables through the stateless step; the two players' optimizers ride with the metrics
        so that their moments survive from step to step (:func:`gan_steps.jax_train_step`).
        """
        variables = [v for metric in self.metrics for v in metric.variables]
        if keras.backend.backend() == "jax" and getattr(self, "d_optimizer", None) is not None:
            variables += list(self.d_optimizer.variables) + list(self.g_optimizer.variables)
        return variables

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def sample_noise(self, batch_size):
        """z ~ N(0, I), shape (batch_size, latent_dim)."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def discriminator_verdict(self, real_images, fake_images, training=False):
        """D's logits on both batches and L_D (no update). Returns (d_loss, real_logits, fake_logits)."""
        real_logits = self.discriminator(real_images, training=training)
        fake_logits = self.discriminator(fake_images, training=training)
        return discriminator_loss(real_logits, fake_logits), real_logits, fake_logits

    def generator_verdict(self, z):
        """L_G = -log D(G(z)) for noise z, D only judging (training=False). No update."""
        fake_logits = self.discriminator(self.generator(z, training=True), training=False)
        return generator_loss(fake_logits)

    def frozen_verdict(self, real_images):
        """With ``d_steps=0`` D does not learn: only measure how it judges the current G."""
        fake_images = self.generator(self.sample_noise(ops.shape(real_images)[0]), training=False)
        return self.discriminator_verdict(real_images, fake_images)

    def record(self, d_loss, g_loss, real_logits, fake_logits):
        """Update the four tracked metrics and return them as the step's logs."""
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_acc_real.update_state(ops.ones_like(real_logits), real_logits)
        self.d_acc_fake.update_state(ops.zeros_like(fake_logits), fake_logits)
        return {metric.name: metric.result() for metric in self.metrics}

    def train_step(self, *args):
        """One step of ``fit``: the active backend's step from :mod:`cnnkit.models.gan_steps`.

        TensorFlow and PyTorch call ``train_step(data)``, JAX ``train_step(state, data)``.
        """
        return gan_steps.train_step_for_backend()(self, *args)
