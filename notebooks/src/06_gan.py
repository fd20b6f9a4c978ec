# %% [markdown]
# # 06 Generative adversarial networks (生成对抗网络)
#
# A generative adversarial network (GAN) learns to produce new samples that look like the
# training data, here new pieces of clothing in the style of Fashion-MNIST. Two networks play
# a game against each other:
#
# - the **generator** (生成器) G maps random noise z to a sample G(z);
# - the **discriminator** (判别器) D looks at an image x and outputs a score s(x), a logit
#   (逻辑值); D(x) = sigmoid(s(x)) is the probability that x is real (1 = surely a real
#   photo, 0 = surely made by G).
#
# 1. The two-player game and both losses, in formulas and in code
# 2. Transposed convolution: how the generator makes an image larger
# 3. The two networks and the training step that alternates between them
# 4. A DCGAN trained on Fashion-MNIST: samples over epochs, losses, D's accuracy
# 5. What did G learn? A classifier labels the samples; a distance measures their diversity
# 6. An unbalanced game: mode collapse, measured the same way

# %%
import time

import keras
import numpy as np

import cnnkit as ck
from cnnkit.formulas import conv_transpose_output_size
from cnnkit.models import gan_steps
from cnnkit.models.gan import (
    GAN,
    dcgan_discriminator,
    dcgan_generator,
    discriminator_loss,
    generator_loss,
)
from cnnkit.plots import convolution as conv_plots
from cnnkit.plots import gan as gan_plots
from cnnkit.scratch import conv_transpose2d_single, sigmoid
from cnnkit.training.gan import SampleGrid, class_census, mean_pairwise_distance

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
#
# D's last layer has **no sigmoid**: it outputs the logit s, and the losses are computed with
# `from_logits=True`. Keras then evaluates -log sigmoid(s) directly from s, which stays exact
# when D is very sure; taking log of a probability that has been rounded to 0 would give
# infinity. The kit's losses, the code that runs in this chapter:

# %%
ck.show_code(discriminator_loss, generator_loss)

# %% [markdown]
# Checked by hand: turn the logits into probabilities with the sigmoid and write the
# cross-entropies out.

# %%
real_logits = np.array([2.2, 1.4], dtype="float32")  # D's scores for two real images
fake_logits = np.array([-1.4, -2.2], dtype="float32")  # ... and for two generated ones
p_real, p_fake = sigmoid(real_logits), sigmoid(fake_logits)
print("D(x) =", p_real.round(3), "  D(G(z)) =", p_fake.round(3))
by_hand_d = -np.mean(np.log(p_real)) - np.mean(np.log(1 - p_fake))
by_hand_g = -np.mean(np.log(p_fake))
keras_d = float(discriminator_loss(real_logits, fake_logits))
keras_g = float(generator_loss(fake_logits))
print(f"L_D: Keras {keras_d:.4f}   by hand {by_hand_d:.4f}")
print(f"L_G: Keras {keras_g:.4f}   by hand {by_hand_g:.4f}")
ck.claim(
    abs(keras_d - by_hand_d) < 1e-4 and abs(keras_g - by_hand_g) < 1e-4,
    "the Keras losses from logits equal the cross-entropies written out with the sigmoid",
)
very_sure = float(generator_loss(np.array([-120.0], dtype="float32")))
print(
    f"D(G(z)) = sigmoid(-120) in float32: {sigmoid(np.float32(-120.0))}; L_G from the logit: {very_sure:.1f}"
)

# %% [markdown]
# Here D is doing well (L_D is small) and G badly (L_G is large). The last line shows why the
# logit matters: in float32 sigmoid(-120) rounds to 0, and -log 0 is infinite, while the loss
# computed from the logit is the exact 120. At the game's equilibrium G's samples are
# indistinguishable from real ones, and the best D can do is D(x) = 1/2 everywhere: then
# L_D = 2·ln 2 = ln 4 ≈ 1.386 and L_G = ln 2 ≈ 0.693.
#
# In theory G and D could be any functions; in practice both are neural networks, and for
# images, convolutional ones: the DCGAN (deep convolutional GAN, Radford et al. 2015). D
# downsamples with strided convolutions, as in chapter 02. G must do the opposite, from a
# small 7×7 map to a 28×28 image: with **transposed convolutions**.
#
# ## 2. Transposed convolution (转置卷积)
#
# A convolution reads an F×F window of the input for each output cell. A transposed
# convolution goes the other way round: **each input cell paints a copy of the kernel, scaled
# by the cell's value, into the output**, S cells after the previous cell's copy; where copies
# overlap, they add up. The painted strip is (W1 - 1)S + F wide (the last copy starts (W1 - 1)S
# cells after the first and is F wide); P cells are then cropped from each side and
# output_padding A cells added at the end:
#
# $$W_2 = (W_1 - 1)\,S - 2P + F + A$$
#
# Keras's `Conv2DTranspose` names the cropping by its padding: `padding="same"` gives
# W2 = W1·S (it exactly undoes the size change of a 'same' convolution with stride S) and
# `padding="valid"` gives (W1 - 1)S + max(F, S) (nothing cropped). Step by step, a 2×2 input,
# a 3×3 kernel, stride 2, P = 1:

# %%
small_input = np.array([[1, 2], [3, 4]])
cross_kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
conv_plots.transposed_convolution_step(
    small_input, cross_kernel, position=(0, 1), stride=2, padding=1
)

# %%
conv_plots.transposed_convolution_step(
    small_input, cross_kernel, position=(1, 1), stride=2, padding=1
)

# %% [markdown]
# The centre cell of the 5×5 strip gets 1 + 2 + 3 + 4 = 10: all four copies overlap there.
# Cropping P = 1 from each side leaves (2 - 1)·2 - 2·1 + 3 = 3 cells per side. The same
# computation in NumPy (`cnnkit.scratch.conv_transpose2d_single`) against Keras: a
# `Conv2DTranspose` with our kernel (padding 'valid', nothing cropped), then `Cropping2D(1)`:

# %%
ours, painted_strip = conv_transpose2d_single(small_input, cross_kernel, stride=2, padding=1)
transposed = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="valid", use_bias=False)
transposed.build((None, 2, 2, 1))
transposed.set_weights([cross_kernel[:, :, None, None].astype("float32")])
keras_strip = transposed(small_input[None, :, :, None].astype("float32"))
keras_output = keras.ops.convert_to_numpy(keras.layers.Cropping2D(1)(keras_strip))[0, :, :, 0]
print("NumPy, cropped:\n", ours)
print("Keras Conv2DTranspose + Cropping2D(1):\n", keras_output)
ck.claim(
    np.allclose(ours, keras_output),
    "the painted-and-added kernel copies are exactly what Keras's Conv2DTranspose computes",
)
ck.claim(
    ours.shape[0] == conv_transpose_output_size(2, 3, stride=2, padding=1) == 3,
    "W2 = (W1 - 1)S - 2P + F gives the 3×3 output: (2 - 1)·2 - 2·1 + 3 = 3",
)

# %% [markdown]
# The size formula against Keras for the paddings Keras offers, including the generator's own
# layers (7 → 14 → 28 with F = 4, S = 2, 'same'):

# %%
size_checks = []
for width, kernel, stride, padding in [
    (7, 4, 2, "same"),
    (14, 4, 2, "same"),
    (7, 3, 2, "valid"),
    (5, 2, 3, "valid"),
    (4, 5, 1, "valid"),
]:
    layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
    keras_width = int(layer(np.zeros((1, width, width, 1), dtype="float32")).shape[1])
    formula_width = conv_transpose_output_size(width, kernel, stride, padding)
    size_checks.append(keras_width == formula_width)
    print(
        f"W1={width:2d} F={kernel} S={stride} {padding:5s}: Keras {keras_width:2d}, formula {formula_width:2d}"
    )
ck.claim(
    all(size_checks), "the transposed-convolution size formula matches Keras in every case above"
)

# %% [markdown]
# ## 3. The two networks and the alternating training step
#
# The generator: a Dense layer projects z to a 7×7 map with 64 channels, and two transposed
# convolutions with stride 2 double the size twice, to the 28×28 image (tanh: pixels in
# [-1, 1]). Batch normalisation and ReLU in between, as in DCGAN.

# %%
ck.show_code(dcgan_generator)

# %%
latent_dim = 64
keras.utils.set_random_seed(42)
generator = dcgan_generator((latent_dim,), filters=32)
ck.explain(generator)

# %% [markdown]
# The discriminator: two strided convolutions (28 → 14 → 7), LeakyReLU, dropout and one
# output unit without activation, the logit.

# %%
ck.show_code(dcgan_discriminator)

# %%
discriminator = dcgan_discriminator(filters=32)
ck.explain(discriminator)

# %% [markdown]
# The two players have opposite goals, so there is no single loss that both gradients can
# descend. Each training step is therefore two steps, in `GAN.train_step` (Keras 3's way of
# customising `fit`: override `train_step`):
#
# 1. **update D** with G fixed: a batch of real images (target 1) and
#    of G(z) (target 0), gradient of L_D with respect to **D's weights only**;
# 2. **update G** with D fixed: new noise z, gradient of L_G *through* D
#    into **G's weights only** (D's weights are not changed, otherwise D would learn to be
#    fooled).
#
# `d_steps` and `g_steps` say how many updates of each player one step makes (1 and 1 in
# DCGAN). The losses, the noise and the metrics are written with `keras.ops` and
# `keras.random`; taking the gradient is the one part each Keras backend does its own way, so the
# kit writes the step three times, in the pattern Keras documents for each backend
# (`cnnkit/models/gan_steps.py`: `tf.GradientTape` on TensorFlow, `jax.value_and_grad` on a
# stateless step on JAX, `torch.autograd` on PyTorch). Below is the one that runs on the active
# backend (the setup line above names it):

# %%
ck.show_code(
    GAN.train_step,
    gan_steps.train_step_for_backend(),
    GAN.discriminator_verdict,
    GAN.generator_verdict,
)

# %% [markdown]
# If one player gets far ahead, the other stops learning: a perfect D gives G vanishing
# gradients; a G that is updated much more than D can overfit to D's current weak spot
# (section 6). Balance is the delicate part of GANs.
#
# ## 4. Training the DCGAN on Fashion-MNIST
#
# Pixels are scaled to [-1, 1] to match G's tanh output. The `SampleGrid` callback draws
# G(z) for the **same 16 noise vectors** after every epoch (live in Jupyter) and keeps them.

# %%
(x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
gan_images = x_train[:1_000] if ck.QUICK else x_train
real = (gan_images.astype("float32") / 127.5 - 1.0)[..., None]
print("real images for the GAN:", real.shape, f"in [{real.min():.0f}, {real.max():.0f}]")

started = time.perf_counter()
gan = GAN(generator, discriminator, seed=42)
gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
)
grids = SampleGrid(samples=16, every=1)
gan_epochs = 2 if ck.QUICK else 3
history = gan.fit(real, batch_size=128, epochs=gan_epochs, callbacks=[grids], verbose=2)
print(f"DCGAN training: {time.perf_counter() - started:.0f} s")

# %% [markdown]
# The same noise vectors, epoch after epoch: a near-uniform grey before training (epoch 0), then
# dark speckled blobs (the grids draw ink dark on white). After three epochs on a CPU a few have
# the outline of a pullover or a bag, but most are not garments a reader would recognise; this
# run does not show what longer training would give.

# %%
grids.figure(samples=10)

# %%
gan_plots.gan_losses(history)

# %%
gan_plots.discriminator_accuracy(history)

# %%
fake_accuracy = np.array(history.history["d_acc_fake"])
print("D's accuracy on generated images per epoch:", fake_accuracy.round(3))
ck.claim(
    bool(((fake_accuracy > 0.3) & (fake_accuracy < 0.95)).all()),
    "the game stays balanced: D's accuracy on generated images stays between 30% and 95% in every epoch",
    full_only=True,
)

# %% [markdown]
# Neither loss goes to zero, and over three epochs (three points per curve) the losses move
# little. The claim above only rules out the two extremes of D's accuracy on generated images:
# near 100% (D wins, G learns nothing) and near 0% (G fools D completely). The 30-95% band is
# wide, and it says nothing about the samples. The greedy game of section 6 ends at 0.304,
# which is also inside the band. Unlike a classifier, a GAN's losses do not tell you how good
# the samples are: look at them, and measure them.

# %%
samples = gan.generator(np.random.default_rng(1).normal(size=(64, latent_dim)).astype("float32"))
gan_plots.sample_grid(samples, columns=16, size=0.7, title="64 new samples G(z)")

# %% [markdown]
# ## 5. What did the generator learn? Two measures
#
# - The **class histogram**: a small CNN classifier trained on real Fashion-MNIST labels 1,000
#   generated images. A generator that learned the whole data set produces every class (the
#   dotted line is the real data's even share); one that collapsed produces one or two. The
#   classifier's mean confidence is printed too. This run does not measure it on real test
#   images, so it has no yardstick. A softmax can also be confident on a shape that is not a
#   garment (section 6).
# - The **diversity** (多样性): the mean pixel distance between two different samples,
#   (1/(N(N-1))) Σ_{i≠j} ||x_i - x_j|| (`mean_pairwise_distance`), next to the same number for
#   real images. A generator that draws nearly the same image for every z scores far lower.

# %%
started = time.perf_counter()
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
    x_train[..., None] / 255.0, y_train, batch_size=128, epochs=1 if ck.QUICK else 2, verbose=0
)
judge_accuracy = classifier.evaluate(x_test[..., None] / 255.0, y_test, verbose=0)[1]
print(
    f"classifier test accuracy on real images: {judge_accuracy:.3f}   ({time.perf_counter() - started:.0f} s)"
)
ck.claim(
    judge_accuracy > 0.82,
    "the judging classifier labels real test images with more than 82% accuracy",
    full_only=True,
)

# %%
noise = np.random.default_rng(2).normal(size=(1_000, latent_dim)).astype("float32")
class_names = ck.datasets.class_names("fashion_mnist")
real_diversity = mean_pairwise_distance(x_test[:500] / 255.0)


def measure(generator_model):
    """Class census of 1,000 samples and their diversity (500 of them, pixels in [0, 1])."""
    images = np.asarray(generator_model.predict(noise, verbose=0))
    census = class_census(classifier, images)
    census["diversity"] = mean_pairwise_distance((images[:500] + 1) / 2)
    return census


def report(name, census):
    shares = ", ".join(
        f"{class_names[k]} {census['share'][k]:.0%}" for k in np.argsort(census["share"])[::-1][:3]
    )
    print(
        f"{name}: {census['classes_covered']}/10 classes with ≥ 2% of the samples (largest: {shares}); "
        f"mean confidence {census['mean_confidence']:.2f}; diversity {census['diversity']:.2f} "
        f"(real images {real_diversity:.2f}, ratio {census['diversity'] / real_diversity:.2f})"
    )


balanced = measure(gan.generator)
report("balanced DCGAN", balanced)
ck.claim(
    balanced["classes_covered"] >= 8,
    "the balanced DCGAN produces at least 8 of the 10 classes (each ≥ 2% of the samples)",
    full_only=True,
)
ck.claim(
    balanced["diversity"] > 0.8 * real_diversity,
    "the balanced DCGAN's samples differ from each other almost as much as real images do (diversity above 80% of theirs)",
    full_only=True,
)
gan_plots.class_histogram(
    {"balanced DCGAN": balanced["probabilities"]}, class_names, reference=np.full(10, 0.1)
)

# %% [markdown]
# ## 6. An unbalanced game: mode collapse (模式崩溃)
#
# Same networks, same data, but now G takes **5 steps per D step with a learning rate 10×
# D's** (`GAN(..., g_steps=5)`, Adam 2e-3 for G, 2e-4 for D). We start from the balanced
# pair above and train 100 more steps. Between two updates of D, G can move far towards
# whatever image the current D scores highest, and since that image is best for every z, G
# maps every z there: **mode collapse**. (In longer runs D learns to reject that image and G
# jumps to the next favourite, so the samples hop from mode to mode instead of covering the
# data.)

# %%
started = time.perf_counter()
keras.utils.set_random_seed(7)
greedy_generator = keras.models.clone_model(gan.generator)
greedy_generator.set_weights(gan.generator.get_weights())
greedy_discriminator = keras.models.clone_model(gan.discriminator)
greedy_discriminator.set_weights(gan.discriminator.get_weights())
greedy_gan = GAN(greedy_generator, greedy_discriminator, g_steps=5, seed=1)
greedy_gan.compile(
    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),  # 10× D's, and 5 steps each time
)
greedy_steps = 5 if ck.QUICK else 100
greedy_history = greedy_gan.fit(real[: 128 * greedy_steps], batch_size=128, epochs=1, verbose=0)
print(
    f"{greedy_steps} steps of D + 5 × {greedy_steps} steps of G: {time.perf_counter() - started:.0f} s"
)
collapsed = measure(greedy_gan.generator)
report("balanced DCGAN", balanced)
report("G 5 steps at 10× the rate", collapsed)
top_two = np.sort(collapsed["share"])[-2:].sum()
ck.claim(
    top_two >= 0.7,
    f"after the greedy steps two classes take {top_two:.0%} of the samples (at least 70%)",
    full_only=True,
)
ck.claim(
    collapsed["diversity"] < 0.75 * balanced["diversity"],
    "the collapsed generator's samples are closer to each other: diversity below 75% of the balanced DCGAN's",
    full_only=True,
)

# %%
gan_plots.class_histogram(
    {
        "balanced DCGAN": balanced["probabilities"],
        "G: 5 steps at 10× the rate": collapsed["probabilities"],
    },
    class_names,
    reference=np.full(10, 0.1),
)

# %%
gan_plots.sample_grid(
    greedy_gan.generator(noise[:32]),
    columns=16,
    size=0.7,
    title="32 different z, the greedy generator",
)

# %% [markdown]
# Two measures, the same verdict, as the claims check: the greedy generator's samples fall
# into two classes where the balanced one spreads over all ten, and its samples are closer to
# each other (lower diversity). The picture shows what that means: 32 different noise vectors,
# one dark striped shape. It is not a recognisable garment: the judge splits it between Trouser
# (58%) and Shirt (41%) with mean confidence 0.86, higher than on the balanced samples (0.66).
# So the two classes say "one shape", not "two garments", and the confidence does not measure
# quality. The balanced samples' 10/10 classes and diversity ratio 0.97 likewise describe
# speckled blobs, not garments. The diversity does not fall to 0 because the pixel distance
# counts every speckle that differs; the shape is the same. The dotted column at the right edge
# is an artefact too. D's accuracies and losses averaged over the 100 steps (Keras's trackers
# are running means over the epoch):

# %%
print({name: round(values[-1], 3) for name, values in greedy_history.history.items()})

# %% [markdown]
# ## Recap
#
# - G maps noise z to a sample G(z); D outputs a logit s(x), D(x) = sigmoid(s(x)) is the
#   probability that x is real; the losses take the logit (`from_logits=True`), which stays
#   exact when D is very sure.
# - L_D = -[log D(x) + log(1 - D(G(z)))], L_G = -log D(G(z)) (non-saturating).
# - Transposed convolution: each input cell paints a scaled copy of the kernel, S cells apart;
#   W2 = (W1 - 1)S - 2P + F + A; Keras 'same' gives W1·S.
# - Training alternates: a D step with G fixed, then a G step through D with D fixed
#   (`GAN.train_step`).
# - Watch the samples for a fixed z over epochs; losses alone do not measure quality.
# - A classifier trained on real data and a pairwise distance turn "diverse samples" into
#   numbers: mode collapse shows as one or two classes taking the samples and a diversity far
#   below that of real images. These numbers mean something only when the samples are
#   recognisable. Here they also scored speckled blobs (10/10 classes, diversity 0.97 of real
#   images), so look at the grid as well.
# - Balance matters: a G that is updated much more than D collapses onto D's current favourite.
#
# Practice: `exercises/06_gan.ipynb` (the discriminator loss, the generator's training step,
# diagnosing mode collapse, the size of a transposed convolution, the diversity measure).
