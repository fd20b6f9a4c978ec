"""The GAN's training step on each Keras backend: TensorFlow, JAX and PyTorch.

Keras 3 runs the same model code on three backends, but a custom ``train_step`` has to take
gradients, and each backend does that its own way. Keras documents one pattern per backend
(keras.io guides "Customizing what happens in fit()" with TensorFlow, JAX and PyTorch); this
module writes the GAN's step in each of them. The algorithm is the same everywhere::

    repeat d_steps:  z ~ N(0, I);  D <- D - lr * dL_D/dD     (G fixed: only D's weights move)
    repeat g_steps:  z ~ N(0, I);  G <- G - lr * dL_G/dG     (through the updated D; D fixed)

with L_D = BCE(1, D(x)) + BCE(0, D(G(z))) and L_G = BCE(1, D(G(z))) (see :mod:`cnnkit.models.gan`).
``train_step_for_backend()`` returns the step that ``GAN.train_step`` runs on the active
backend (``KERAS_BACKEND``), so a chapter can show exactly that one.
"""

from __future__ import annotations

import keras
from keras import ops

from cnnkit.autodiff import regroup

__all__ = ["jax_train_step", "tensorflow_train_step", "torch_train_step", "train_step_for_backend"]


def _real_images(data):
    return data[0] if isinstance(data, (tuple, list)) else data


def tensorflow_train_step(gan, data):
    """GAN step on TensorFlow: ``tf.GradientTape`` records the forward pass, then D, then G."""
    import tensorflow as tf

    real_images = _real_images(data)
    batch_size = ops.shape(real_images)[0]
    if gan.d_steps == 0:  # D frozen: only measure how it judges the current G
        d_loss, real_logits, fake_logits = gan.frozen_verdict(real_images)
    for _ in range(gan.d_steps):  # 1) the discriminator learns, the generator is fixed
        fake_images = gan.generator(gan.sample_noise(batch_size), training=True)
        with tf.GradientTape() as tape:  # record for the gradient
            d_loss, real_logits, fake_logits = gan.discriminator_verdict(
                real_images, fake_images, training=True
            )
        weights = gan.discriminator.trainable_weights
        gan.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights, strict=True))
    for _ in range(gan.g_steps):  # 2) the generator learns against the updated D
        z = gan.sample_noise(batch_size)
        with tf.GradientTape() as tape:
            g_loss = gan.generator_verdict(z)
        weights = gan.generator.trainable_weights  # only G's weights change
        gan.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights, strict=True))
    return gan.record(d_loss, g_loss, real_logits, fake_logits)


def torch_train_step(gan, data):
    """GAN step on PyTorch: ``torch.autograd.grad`` of each loss w.r.t. one player's weights."""
    import torch

    real_images = _real_images(data)
    batch_size = ops.shape(real_images)[0]
    if gan.d_steps == 0:  # D frozen: only measure how it judges the current G
        with torch.no_grad():
            d_loss, real_logits, fake_logits = gan.frozen_verdict(real_images)
    for _ in range(gan.d_steps):  # 1) the discriminator learns, the generator is fixed
        with torch.no_grad():  # G fixed: no graph through G is needed
            fake_images = gan.generator(gan.sample_noise(batch_size), training=True)
        d_loss, real_logits, fake_logits = gan.discriminator_verdict(
            real_images, fake_images, training=True
        )
        weights = gan.discriminator.trainable_weights
        gradients = torch.autograd.grad(d_loss, [weight.value for weight in weights])
        with torch.no_grad():
            gan.d_optimizer.apply(gradients, weights)
    for _ in range(gan.g_steps):  # 2) the generator learns against the updated D
        g_loss = gan.generator_verdict(gan.sample_noise(batch_size))
        weights = gan.generator.trainable_weights  # only G's weights change
        gradients = torch.autograd.grad(g_loss, [weight.value for weight in weights])
        with torch.no_grad():
            gan.g_optimizer.apply(gradients, weights)
    return gan.record(d_loss.detach(), g_loss.detach(), real_logits.detach(), fake_logits.detach())


def _jax_value_and_grad(scope, variables, weights, compute):
    """(loss, aux, d loss / d weights) of ``compute() -> (loss, aux)`` on JAX, inside ``scope``.

    JAX differentiates functions of arrays, not stateful objects: the weights' current values
    become the argument of a function that runs ``compute`` in a StatelessScope of its own; what
    ``compute`` changed on the way (batch-norm statistics, the noise seed) is written back.
    """
    import jax

    current = {id(variable): scope.get_current_value(variable) for variable in variables}

    def loss_of(weight_values):
        values = dict(current)
        values.update({id(w): value for w, value in zip(weights, weight_values, strict=True)})
        mapping = [(variable, values[id(variable)]) for variable in variables]
        with keras.StatelessScope(state_mapping=mapping) as inner:
            loss, aux = compute()
        return loss, (aux, [inner.get_current_value(variable) for variable in variables])

    weight_values = [current[id(weight)] for weight in weights]
    (loss, (aux, updated)), gradients = jax.value_and_grad(loss_of, has_aux=True)(weight_values)
    for variable, value in zip(variables, updated, strict=True):
        if not any(variable is weight for weight in weights):  # the weights move by the optimizer
            variable.assign(value)
    return loss, aux, gradients


def jax_train_step(gan, state, data):
    """GAN step on JAX: stateless; all variables come in as ``state`` and go out updated.

    ``state`` = (trainable, non-trainable, optimizer, metrics values); the two players'
    optimizers travel with the metrics (``GAN.metrics_variables``). The step runs in a
    ``keras.StatelessScope`` holding every value, so the code reads like the other backends'.
    """
    trainable, non_trainable, optimizer_values, metric_values = state
    groups = [
        gan.trainable_variables,
        gan.non_trainable_variables,
        gan.optimizer.variables,
        gan.metrics_variables,
    ]
    variables = [variable for group in groups for variable in group]
    values = [*trainable, *non_trainable, *optimizer_values, *metric_values]
    real_images = _real_images(data)
    batch_size = ops.shape(real_images)[0]
    with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))) as scope:
        if gan.d_steps == 0:  # D frozen: only measure how it judges the current G
            d_loss, real_logits, fake_logits = gan.frozen_verdict(real_images)
        for _ in range(gan.d_steps):  # 1) the discriminator learns, the generator is fixed
            fake_images = gan.generator(gan.sample_noise(batch_size), training=True)

            def d_verdict(fake_images=fake_images):
                d_loss, real_logits, fake_logits = gan.discriminator_verdict(
                    real_images, fake_images, training=True
                )
                return d_loss, (real_logits, fake_logits)

            weights = gan.discriminator.trainable_weights
            d_loss, (real_logits, fake_logits), gradients = _jax_value_and_grad(
                scope, variables, weights, d_verdict
            )
            gan.d_optimizer.apply(gradients, weights)
        for _ in range(gan.g_steps):  # 2) the generator learns against the updated D
            z = gan.sample_noise(batch_size)
            weights = gan.generator.trainable_weights  # only G's weights change
            g_loss, _, gradients = _jax_value_and_grad(
                scope, variables, weights, lambda z=z: (gan.generator_verdict(z), None)
            )
            gan.g_optimizer.apply(gradients, weights)
        logs = gan.record(d_loss, g_loss, real_logits, fake_logits)
    return logs, regroup([scope.get_current_value(variable) for variable in variables], groups)


_STEPS = {
    "tensorflow": tensorflow_train_step,
    "jax": jax_train_step,
    "torch": torch_train_step,
}


def train_step_for_backend(backend: str | None = None):
    """The GAN step function of ``backend`` (default: the active Keras backend)."""
    backend = backend or keras.backend.backend()
    try:
        return _STEPS[backend]
    except KeyError:
        raise ValueError(
            f"no GAN training step for the {backend!r} backend; use one of {', '.join(_STEPS)} "
            "(set KERAS_BACKEND before the first import of keras)."
        ) from None
