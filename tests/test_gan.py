"""The DCGAN builders, the alternating GAN step, the sample-grid callback (headless) and the GAN figures."""

import keras
import numpy as np
import pytest

from cnnkit.autodiff import loss_gradients
from cnnkit.models.gan import (
    GAN,
    dcgan_discriminator,
    dcgan_generator,
    discriminator_loss,
    generator_loss,
)
from cnnkit.models.gan_steps import train_step_for_backend
from cnnkit.plots import gan as plots
from cnnkit.training.gan import SampleGrid, class_census, mean_pairwise_distance


def tiny_pair(latent_dim=8):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    return dcgan_generator((latent_dim,), filters=4), dcgan_discriminator(filters=4, dropout=0.0)


def test_builders_shapes_and_ranges():
    generator, discriminator = tiny_pair()
    z = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(z))
    assert images.shape == (3, 28, 28, 1) and images.min() >= -1 and images.max() <= 1
    logits = keras.ops.convert_to_numpy(discriminator(images))
    assert logits.shape == (3, 1) and np.isfinite(logits).all()
    assert discriminator.layers[-1].get_config()["activation"] == "linear"  # a logit, no sigmoid
    with pytest.raises(ValueError, match="28×28"):
        dcgan_discriminator((32, 32, 1))
    with pytest.raises(ValueError, match="input_shape"):
        dcgan_generator((0,))


@pytest.mark.comparison
def test_losses_take_logits_and_are_the_binary_cross_entropies_written_out():
    real_logits = np.array([2.2, 0.4], "float32")
    fake_logits = np.array([-0.8, -3.0], "float32")
    p_real, p_fake = 1 / (1 + np.exp(-real_logits)), 1 / (1 + np.exp(-fake_logits))
    expected_d = -np.log(p_real).mean() - np.log(1 - p_fake).mean()
    assert float(discriminator_loss(real_logits, fake_logits)) == pytest.approx(
        expected_d, rel=1e-5
    )
    assert float(generator_loss(fake_logits)) == pytest.approx(-np.log(p_fake).mean(), rel=1e-5)


def test_logit_losses_stay_finite_where_probabilities_would_round_to_zero():
    # D very sure that a generated image is fake: sigmoid(-120) rounds to 0 in float32,
    # so -log D(G(z)) from the probability would be infinite; from the logit it is 120
    fake_logits = np.array([-120.0], "float32")
    assert 1 / (1 + np.exp(np.float32(120))) == 0
    assert float(generator_loss(fake_logits)) == pytest.approx(120.0, rel=1e-5)
    assert np.isfinite(float(discriminator_loss(np.array([120.0], "float32"), -fake_logits)))


class FixedNoiseGAN(GAN):
    """The same z every time, so a step can be recomputed by hand."""

    def __init__(self, *args, noise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_noise = np.asarray(noise, "float32")

    def sample_noise(self, batch_size):
        return keras.ops.convert_to_tensor(self.fixed_noise)


def sgd_step(model, gradients, lr):
    """w <- w - lr * g on the model's trainable weights (NumPy), the reference update."""
    for weight, gradient in zip(model.trainable_weights, gradients, strict=True):
        weight.assign(keras.ops.convert_to_numpy(weight) - lr * gradient)


def trainable_arrays(model):
    return [keras.ops.convert_to_numpy(weight) for weight in model.trainable_weights]


def test_one_train_step_updates_d_first_then_g_against_the_updated_d():
    generator, discriminator = tiny_pair()
    rng = np.random.default_rng(1)
    real = rng.uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    z = rng.normal(size=(4, 8)).astype("float32")
    # reference: the same two updates by hand, on clones
    g_ref = keras.models.clone_model(generator)
    d_ref = keras.models.clone_model(discriminator)
    g_ref.set_weights(generator.get_weights())
    d_ref.set_weights(discriminator.get_weights())
    d_before, g_before = trainable_arrays(discriminator), trainable_arrays(generator)
    lr = 0.05
    # D's step: L_D = BCE(1, D(x)) + BCE(0, D(G(z))) = 2 * BCE over [x, G(z)] with labels [1, 0]
    # (equal batch halves), so the kit's backend-agnostic gradient helper computes dL_D/dD
    fake = keras.ops.convert_to_numpy(g_ref(z, training=True))
    both = np.concatenate([real, fake])
    labels = np.concatenate([np.ones((4, 1)), np.zeros((4, 1))]).astype("float32")
    d_loss, d_grads = loss_gradients(
        d_ref,
        lambda y, p: 2.0 * keras.losses.BinaryCrossentropy(from_logits=True)(y, p),
        both,
        labels,
    )
    sgd_step(d_ref, d_grads, lr)
    # G's step through the updated D: dL_G/dG of the stacked model, D not trainable
    d_ref.trainable = False
    stacked = keras.Sequential([g_ref, d_ref])
    g_loss, g_grads = loss_gradients(stacked, lambda y, p: generator_loss(p), z, np.zeros((4, 1)))
    sgd_step(g_ref, g_grads, lr)
    d_ref.trainable = True  # only to list its weights below

    gan = FixedNoiseGAN(generator, discriminator, noise=z)
    gan.compile(d_optimizer=keras.optimizers.SGD(lr), g_optimizer=keras.optimizers.SGD(lr))
    logs = gan.train_on_batch(real, return_dict=True)
    logs = {key: float(value) for key, value in logs.items()}
    assert set(logs) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(value) for value in logs.values())
    assert logs["d_loss"] == pytest.approx(d_loss, rel=1e-4)
    assert logs["g_loss"] == pytest.approx(g_loss, rel=1e-4)
    # both players moved ...
    assert any(
        not np.allclose(a, b)
        for a, b in zip(d_before, trainable_arrays(discriminator), strict=True)
    )
    assert any(
        not np.allclose(a, b) for a, b in zip(g_before, trainable_arrays(generator), strict=True)
    )
    # ... exactly as D-then-G (G's gradient came through the updated D)
    for mine, reference in zip(
        trainable_arrays(discriminator), trainable_arrays(d_ref), strict=True
    ):
        np.testing.assert_allclose(mine, reference, atol=1e-5)
    for mine, reference in zip(trainable_arrays(generator), trainable_arrays(g_ref), strict=True):
        np.testing.assert_allclose(mine, reference, atol=1e-5)


def test_the_step_for_each_backend_is_chosen_by_name():
    assert train_step_for_backend().__name__.startswith(keras.backend.backend())
    assert train_step_for_backend("jax").__name__ == "jax_train_step"
    with pytest.raises(ValueError, match="no GAN training step for the 'numpy' backend"):
        train_step_for_backend("numpy")


def test_fit_logs_the_four_metrics_and_callback_keeps_grids_headless(capsys):
    generator, discriminator = tiny_pair()
    gan = GAN(generator, discriminator, d_steps=2, seed=0)
    gan.compile()
    grid = SampleGrid(samples=4, every=2, live=None)
    real = np.random.default_rng(2).uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    history = gan.fit(real, batch_size=16, epochs=3, callbacks=[grid], verbose=0)
    assert set(history.history) >= {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(history.history["d_loss"]))
    assert [epoch for epoch, _ in grid.grids] == [0, 2, 3]  # before training, every 2, the last
    assert grid.grids[0][1].shape == (4, 28, 28, 1)
    assert capsys.readouterr().out == ""  # headless: silent
    fig = grid.figure(samples=3)
    assert len(fig.axes) == 3 * 3
    with pytest.raises(ValueError, match="every"):
        SampleGrid(every=0)
    with pytest.raises(ValueError, match="d_steps must be at least 0"):
        GAN(generator, discriminator, d_steps=-1)
    with pytest.raises(ValueError, match="g_steps must be positive"):
        GAN(generator, discriminator, g_steps=0)


def test_d_steps_zero_freezes_the_discriminator_and_trains_g_alone():
    generator, discriminator = tiny_pair()
    gan = GAN(generator, discriminator, d_steps=0, g_steps=2, seed=0)
    gan.compile()
    d_before, g_before = discriminator.get_weights(), generator.get_weights()
    real = np.random.default_rng(4).uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    history = gan.fit(real, batch_size=16, epochs=1, verbose=0)
    for before, after in zip(d_before, discriminator.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    assert any(
        not np.allclose(a, b) for a, b in zip(g_before, generator.get_weights(), strict=True)
    )
    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])


def test_class_census_counts_and_effective_classes():
    class Fixed:
        def predict(self, images, batch_size=None, verbose=0):
            out = np.zeros((len(images), 10), "float32")
            out[:, 3] = 0.9
            out[:, 0] = 0.1
            return out

    census = class_census(Fixed(), np.zeros((50, 28, 28)) - 1)
    assert census["counts"][3] == 50 and census["classes_covered"] == 1
    assert census["effective_classes"] == pytest.approx(1.0)
    assert census["mean_confidence"] == pytest.approx(0.9)


def test_mean_pairwise_distance_is_scipys_and_zero_for_identical_samples():
    from scipy.spatial.distance import pdist

    images = np.random.default_rng(5).uniform(0, 1, (40, 28, 28, 1))
    expected = pdist(images.reshape(40, -1)).mean()
    assert mean_pairwise_distance(images) == pytest.approx(expected, rel=1e-9)
    assert mean_pairwise_distance(np.repeat(images[:1], 10, axis=0)) == pytest.approx(0, abs=1e-6)
    assert mean_pairwise_distance([[0.0, 0.0], [3.0, 4.0]]) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="at least 2 samples"):
        mean_pairwise_distance(images[:1])


def test_gan_figures():
    logs = {
        "d_loss": [1.3, 1.2],
        "g_loss": [0.8, 0.9],
        "d_acc_real": [0.7, 0.6],
        "d_acc_fake": [0.6, 0.7],
    }
    fig = plots.gan_losses(logs)
    assert [line.get_label() for line in fig.axes[0].lines][:2] != ["", ""]
    assert len(fig.axes[0].lines) == 4  # two curves, two equilibrium lines
    fig = plots.discriminator_accuracy(logs)
    assert fig.axes[0].get_ylim()[1] > 1
    fig = plots.sample_grid(np.zeros((10, 28, 28, 1)) - 1, columns=5)
    assert len(fig.axes) == 10
    probabilities = np.eye(10)[np.array([1, 1, 2, 3])]
    fig = plots.class_histogram(
        {"a": probabilities, "b": probabilities}, [str(i) for i in range(10)]
    )
    assert len(fig.axes) == 2 and "3/10 classes" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="no grids"):
        plots.progress_over_epochs([])
