# %% [markdown]
# # 06 Generative adversarial networks (生成对抗网络)
#
# A generative adversarial network (GAN) learns to produce new samples that look like the
# training data, here new pieces of clothing in the style of Fashion-MNIST. Two networks play
# a game against each other:
#
# - the **generator** (生成器) G maps random noise z to a sample G(z);
# - the **discriminator** (判别器) D looks at an image x and outputs D(x), the probability that
#   x is real (1 = surely a real photo, 0 = surely made by G).
#
# 1. The two-player game and both losses, in formulas and in code
# 2. Why training alternates between D and G
# 3. A DCGAN trained on Fashion-MNIST: samples over epochs, losses, D's accuracy
# 4. What did G learn? A classifier labels the generated clothes: diversity and mode collapse
# 5. An unbalanced game: collapse happening

# %%
import keras
import numpy as np
import tensorflow as tf

import cnnkit as ck
from cnnkit.models.gan import (
    GAN,
    dcgan_discriminator,
    dcgan_generator,
    discriminator_loss,
    generator_loss,
)
from cnnkit.plots import gan as gan_plots
from cnnkit.training.gan import SampleGrid, class_census

# %% [markdown]
# ## 1. The two-player game (博弈)
#
# D is a binary classifier: real images should get D(x) → 1, generated ones D(G(z)) → 0. Its
# loss is the binary cross-entropy of those two targets:
#
# $$L_D = -\big[\log D(x) + \log\big(1 - D(G(z))\big)\big]$$
#
# G wants the opposite: it wants D to call its samples real. In theory G minimises
# log(1 - D(G(z))) (the minimax game min_G max_D V(D, G) of Goodfellow et al., 2014); in
# practice everyone uses the "non-saturating" form, the cross-entropy with target 1:
#
# $$L_G = -\log D(G(z))$$
#
# Both have the same goal for G, but early in training D rejects G's samples easily
# (D(G(z)) ≈ 0), where log(1 - D) is flat and gives G almost no gradient, while -log D is steep.
# Both losses in code (`cnnkit.models.gan`) and by hand:

# %%
p_real = np.array([0.9, 0.8], dtype="float32")  # D's verdicts on two real images
p_fake = np.array([0.2, 0.1], dtype="float32")  # ... and on two generated ones
by_hand_d = -np.mean(np.log(p_real)) - np.mean(np.log(1 - p_fake))
by_hand_g = -np.mean(np.log(p_fake))
print(f"L_D: Keras {float(discriminator_loss(p_real, p_fake)):.4f}   by hand {by_hand_d:.4f}")
print(f"L_G: Keras {float(generator_loss(p_fake)):.4f}   by hand {by_hand_g:.4f}")
assert np.isclose(float(discriminator_loss(p_real, p_fake)), by_hand_d, atol=1e-4)
assert np.isclose(float(generator_loss(p_fake)), by_hand_g, atol=1e-4)

# %% [markdown]
# Here D is doing well (L_D is small) and G badly (L_G is large). At the game's equilibrium G's
# samples are indistinguishable from real ones, and the best D can do is D(x) = 1/2 everywhere:
# then L_D = 2·ln 2 = ln 4 ≈ 1.386 and L_G = ln 2 ≈ 0.693.
#
# In theory G and D could be any functions; in practice both are neural networks, and for
# images, convolutional ones: the DCGAN (deep convolutional GAN, Radford et al. 2015). G
# upsamples with transposed convolutions, D downsamples with strided convolutions.

# %%
latent_dim = 64
generator = dcgan_generator(latent_dim, filters=32)
discriminator = dcgan_discriminator(filters=32)
ck.explain(generator)

# %%
ck.explain(discriminator)

# %% [markdown]
# ## 2. Why training alternates
#
# The two players have opposite goals, so there is no single loss that both gradients can
# descend. Each training step is therefore two steps (`GAN.train_step` in `cnnkit.models.gan`,
# overriding Keras's `train_step` with `tf.GradientTape`, as Keras 3 recommends):
#
# 1. **update D** with G fixed: a batch of real images (target 1) and of G(z) (target 0),
#    gradient of L_D with respect to **D's weights only**;
# 2. **update G** with D fixed: new noise z, gradient of L_G through D into **G's weights only**
#    (D's weights are not changed, otherwise D would learn to be fooled).
#
# ```python
# with tf.GradientTape() as tape:                    # 1) discriminator step
#     d_loss = discriminator_loss(D(x_real), D(G(z)))
# d_optimizer.apply_gradients(zip(tape.gradient(d_loss, D.trainable_weights), D.trainable_weights))
# with tf.GradientTape() as tape:                    # 2) generator step
#     g_loss = generator_loss(D(G(z)))
# g_optimizer.apply_gradients(zip(tape.gradient(g_loss, G.trainable_weights), G.trainable_weights))
# ```
#
# If one player gets far ahead, the other stops learning: a perfect D gives G vanishing
# gradients; a D that learns too slowly can be fooled by one single output, and G stops
# producing anything else (mode collapse, 模式崩溃). Balance is the delicate part of GANs.
#
# ## 3. Training the DCGAN on Fashion-MNIST
#
# Pixels are scaled to [-1, 1] to match G's tanh output. The `SampleGrid` callback draws
# G(z) for the **same 16 noise vectors** after every epoch (live in Jupyter) and keeps them.

# %%
(x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
gan_images = x_train[:1_000] if ck.QUICK else x_train
real = (gan_images.astype("float32") / 127.5 - 1.0)[..., None]
print("real images for the GAN:", real.shape, f"in [{real.min():.0f}, {real.max():.0f}]")

gan = GAN(generator, discriminator, seed=42)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
grids = SampleGrid(samples=16, every=1)
gan_epochs = 2 if ck.QUICK else 5
history = gan.fit(real, batch_size=128, epochs=gan_epochs, callbacks=[grids], verbose=2)

# %% [markdown]
# The same noise vectors, epoch after epoch: blobs become garments.

# %%
grids.figure(samples=10)

# %%
gan_plots.gan_losses(history)

# %%
gan_plots.discriminator_accuracy(history)

# %% [markdown]
# Neither loss goes to zero: when one player improves, the other's loss rises. A healthy run
# keeps both near the dotted equilibrium lines and D's accuracy well away from 100% (D wins,
# G learns nothing) and from 0% on generated images (G fools D completely, usually with
# garbage). Unlike a classifier, a GAN's losses do not tell you how good the samples are:
# look at them, and measure them.

# %%
samples = gan.generator(np.random.default_rng(1).normal(size=(64, latent_dim)).astype("float32"))
gan_plots.sample_grid(samples, columns=16, size=0.7, title="64 new samples G(z)")

# %% [markdown]
# ## 4. What did the generator learn? Labelling its samples
#
# A small CNN classifier trained on real Fashion-MNIST labels 1,000 generated images. Two
# numbers summarise them:
#
# - the **class histogram**: a generator that learned the whole data set produces every class
#   (the dotted line is the real data's even share); one that collapsed produces one or two;
# - the **mean confidence** of the classifier: recognisable garments get confident labels.

# %%
classifier = keras.Sequential(
    [
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ],
    name="judge",
)
classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
classifier.fit(
    x_train[..., None] / 255.0, y_train, batch_size=128, epochs=1 if ck.QUICK else 3, verbose=0
)
judge_accuracy = classifier.evaluate(x_test[..., None] / 255.0, y_test, verbose=0)[1]
print(f"classifier test accuracy on real images: {judge_accuracy:.3f}")
assert judge_accuracy > (0.6 if ck.QUICK else 0.82)

# %%
noise = np.random.default_rng(2).normal(size=(1_000, latent_dim)).astype("float32")
balanced = class_census(classifier, gan.generator.predict(noise, verbose=0))
class_names = ck.datasets.class_names("fashion_mnist")
print(
    f"classes with ≥ 2% of the samples: {balanced['classes_covered']}/10, "
    f"effective number of classes {balanced['effective_classes']:.1f}, "
    f"mean confidence {balanced['mean_confidence']:.2f}"
)
if not ck.QUICK:
    assert balanced["classes_covered"] >= 6, "the balanced GAN should produce many classes"
gan_plots.class_histogram(
    {"balanced DCGAN": balanced["probabilities"]}, class_names, reference=np.full(10, 0.1)
)

# %% [markdown]
# ## 5. An unbalanced game: mode collapse
#
# Same networks, same data, but the discriminator learns 20× too slowly (learning rate 1e-5)
# while the generator learns 10× faster (2e-3). D hardly changes, so G can chase whatever
# output D currently scores highest. Soon G maps **every** z to (almost) the same image: mode
# collapse. Measured exactly the same way:

# %%
keras.utils.set_random_seed(42)
weak_gan = GAN(dcgan_generator(latent_dim, filters=32), dcgan_discriminator(filters=32), seed=42)
weak_gan.compile(
    d_optimizer=keras.optimizers.Adam(1e-5, beta_1=0.5),  # D far too slow
    g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),  # G far too fast
)
weak_images = real[:500] if ck.QUICK else real[:15_000]
weak_history = weak_gan.fit(weak_images, batch_size=128, epochs=1 if ck.QUICK else 2, verbose=2)
collapsed = class_census(classifier, weak_gan.generator.predict(noise, verbose=0))
print(
    f"classes with ≥ 2% of the samples: {collapsed['classes_covered']}/10, "
    f"effective number of classes {collapsed['effective_classes']:.1f}, "
    f"mean confidence {collapsed['mean_confidence']:.2f}"
)
if not ck.QUICK:
    assert collapsed["effective_classes"] < balanced["effective_classes"] / 2

# %%
gan_plots.class_histogram(
    {
        "balanced DCGAN": balanced["probabilities"],
        "D too slow, G too fast": collapsed["probabilities"],
    },
    class_names,
    reference=np.full(10, 0.1),
)

# %%
gan_plots.sample_grid(
    weak_gan.generator(noise[:32]), columns=16, size=0.7, title="the unbalanced GAN's samples"
)

# %% [markdown]
# The histogram says it before the pictures do: (almost) one class, and samples that are
# nearly identical whatever the noise. D's accuracy on generated images is near 0: D is fooled
# by an image that is not clothing at all, because it never learned what clothing is.

# %%
print({name: round(values[-1], 3) for name, values in weak_history.history.items()})

# %% [markdown]
# ## Recap
#
# - G maps noise z to a sample G(z); D(x) is the probability that x is real.
# - L_D = -[log D(x) + log(1 - D(G(z)))], L_G = -log D(G(z)) (non-saturating).
# - Training alternates: a D step with G fixed, then a G step through D with D fixed.
# - Watch the samples for a fixed z over epochs; losses alone do not measure quality.
# - A classifier trained on real data turns "diversity" into numbers: the class histogram and
#   the mean confidence. Mode collapse shows as one or two classes taking every sample.
# - Balance matters: a D that learns too slowly (or too fast) breaks the game.
#
# Practice: `exercises/06_gan.ipynb` (the discriminator loss, the generator's training step,
# diagnosing mode collapse from a histogram).
