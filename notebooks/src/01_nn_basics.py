# %% [markdown]
# # Chapter 01: Neural-network basics (神经网络基础)
#
# From one neuron to a multilayer network that recognises clothing. Every idea is computed,
# checked against Keras or drawn:
#
# 1. Learning paradigms
# 2. The neuron and logistic regression
# 3. Forward and backward propagation
# 4. Activation functions
# 5. Why non-linearity
# 6. Saturation and vanishing gradients
# 7. Softmax
# 8. Loss functions
# 9. Gradient descent
# 10. Batch, iteration, epoch
# 11. Parameters of a dense layer
# 12. The two-layer network by hand
# 13. Deep learning in three steps, the nine-step workflow: an MLP on Fashion-MNIST
# 14. Students' question 1: must data be mapped into (0, 1) before cross-entropy?
# 15. Students' question 4: PyTorch's `F.nll_loss` in Keras terms
# 16. Recap

# %%
import time

import keras
import numpy as np
import pandas as pd

import cnnkit as ck
from cnnkit import scratch
from cnnkit.autodiff import loss_gradients, value_and_gradients
from cnnkit.plots import basics as plots

rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Learning paradigms
#
# | paradigm | the data | what is learned | example |
# |---|---|---|---|
# | supervised learning (监督学习) | inputs **with** labels | a map input → label | image → "sneaker" |
# | unsupervised learning (无监督学习) | inputs **without** labels | structure: clusters, densities | group customers |
# | reinforcement learning (强化学习) | actions and the rewards they earn | a policy that maximises reward | play a game |
#
# Three small examples: on the same 2-D points (two interleaved half-moons) a classifier that
# sees the labels and a clustering that never sees them, and, on a two-armed slot machine, an
# agent that only sees the rewards it earns. This course is almost entirely supervised.

# %%
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression

started = time.perf_counter()
X_moons, y_moons = ck.datasets.moons(n_samples=400, noise=0.2)
supervised = LogisticRegression().fit(X_moons, y_moons)  # learns from (x, label) pairs
clusters = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(X_moons)  # x only
agreement = max(np.mean(clusters == y_moons), np.mean(clusters != y_moons))

payout = np.array([0.3, 0.7])  # reinforcement: the agent only sees the rewards it earns
value, pulls = np.zeros(2), np.zeros(2)
for _ in range(500):
    arm = rng.integers(2) if rng.random() < 0.1 else int(np.argmax(value))  # ε-greedy
    reward = float(rng.random() < payout[arm])
    pulls[arm] += 1
    value[arm] += (reward - value[arm]) / pulls[arm]

print(f"supervised: training accuracy {supervised.score(X_moons, y_moons):.2f}")
print(f"unsupervised: clusters match the hidden labels for {agreement:.0%} of points")
print(f"reinforcement: arm pulls {pulls.astype(int)}, estimated payouts {value.round(2)}")
ck.claim(
    agreement > 0.73,
    f"clustering, which never saw a label, matches them for {agreement:.1%} of points (floor 73%;"
    " chance is 50%)",
)
better_share = pulls[1] / pulls.sum()
ck.claim(
    better_share > 0.9,
    f"the agent, told only rewards, pulls the better arm {better_share:.1%} of the time"
    " (floor 90%; a random agent gets 50%)",
)
print(f"time: {time.perf_counter() - started:.1f} s")

# %% [markdown]
# ## 2. The neuron and logistic regression
#
# A neuron (神经元) computes a weighted sum $z = \mathbf{w}\cdot\mathbf{x} + b$ of its inputs, with
# weights (权重) $\mathbf{w}$ and a bias (偏置) $b$, then applies an activation function. With the
# sigmoid
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}}$$
#
# the output lies in $(0, 1)$ and can be read as a probability: that is logistic regression
# (逻辑回归), the smallest neural network.

# %%
# NBVAL_CHECK_OUTPUT
x = np.array([0.5, -1.0, 2.0])
w = np.array([0.8, 0.2, -0.5])
b = 0.1
z = w @ x + b
print(f"z = w·x + b = {z:.2f},  σ(z) = {scratch.sigmoid(z):.4f}")

# %% [markdown]
# The classic example asks "is this a cat?". Fashion-MNIST has no cats, so our neuron asks
# "is this an ankle boot (rather than a sneaker)?". Each $28\times 28$ image becomes 784 inputs
# $\mathbf{x}$, scaled to $[0, 1]$; one `Dense(1, activation="sigmoid")` gives
# $P(\text{ankle boot})$.
# This cell is **step 1 of the workflow** (get data): the whole chapter uses this data.

# %%
(x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
class_names = ck.datasets.FASHION_MNIST_CLASS_NAMES
print(f"train {x_train.shape} {x_train.dtype}, test {x_test.shape}, classes: {len(class_names)}")

SNEAKER, BOOT = class_names.index("Sneaker"), class_names.index("Ankle boot")


def boots_vs_sneakers(images, labels):
    keep = (labels == SNEAKER) | (labels == BOOT)
    return images[keep].reshape(-1, 784).astype("float32") / 255, (labels[keep] == BOOT) * 1.0


xb_train, yb_train = boots_vs_sneakers(x_train, y_train)
xb_test, yb_test = boots_vs_sneakers(x_test, y_test)

neuron = keras.Sequential([keras.Input((784,)), keras.layers.Dense(1, activation="sigmoid")])
neuron.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
started = time.perf_counter()
neuron.fit(xb_train, yb_train, epochs=5, batch_size=64, verbose=0)
boot_accuracy = neuron.evaluate(xb_test, yb_test, verbose=0)[1]
print(f"one neuron, {neuron.count_params()} parameters: test accuracy {boot_accuracy:.3f}")
assert neuron.count_params() == 784 + 1
floor = 0.85 if ck.QUICK else 0.93  # the quick-mode sample has 12 times fewer training images
ck.claim(
    boot_accuracy > floor,
    f"one neuron tells ankle boots from sneakers with {boot_accuracy:.3f} test accuracy"
    f" (floor {floor:.2f}; guessing gets 0.50)",
)
print(f"training time: {time.perf_counter() - started:.1f} s")

# %% [markdown]
# The neuron is nothing but $z = \mathbf{x}\cdot\mathbf{w} + b$ and a sigmoid: computing it by
# hand with its trained weights gives what Keras predicts, to rounding (the cell asserts
# agreement to a relative $10^{-4}$).
# Below the probabilities, the 8 test images with their true class and the neuron's prediction.

# %%
w_boot, b_boot = neuron.get_weights()
p_by_hand = scratch.sigmoid(xb_test[:8] @ w_boot + b_boot)[:, 0]
p_keras = neuron.predict(xb_test[:8], verbose=0)[:, 0]
np.testing.assert_allclose(p_by_hand, p_keras, rtol=1e-4, atol=1e-6)
print("P(ankle boot):", p_keras.round(3))
plots.sample_grid(
    xb_test[:8].reshape(-1, 28, 28),
    yb_test[:8].astype(int),
    ("sneaker", "ankle boot"),
    (p_keras > 0.5).astype(int),
    columns=8,
)

# %% [markdown]
# ## 3. Forward and backward propagation
#
# **Forward propagation (前向传播)** runs from the input to the loss:
#
# $$\mathbf{z} = X\mathbf{w} + b \;\to\; \mathbf{p} = \sigma(\mathbf{z}) \;\to\;
# J = -\frac{1}{N}\sum_{n=1}^{N} \big[y_n \ln p_n + (1 - y_n) \ln(1 - p_n)\big].$$
#
# **Backpropagation (反向传播)** sends the error back with the chain rule (链式法则). For sigmoid plus
# binary cross-entropy the product of the local derivatives is simply
#
# $$\frac{\partial J}{\partial \mathbf{z}} = \frac{\mathbf{p} - \mathbf{y}}{N}, \qquad
# \frac{\partial J}{\partial \mathbf{w}} = \frac{X^\top(\mathbf{p} - \mathbf{y})}{N}, \qquad
# \frac{\partial J}{\partial b} = \frac{1}{N}\sum_{n} (p_n - y_n).$$
#
# We compute both by hand on a batch of 8 images and compare with automatic differentiation,
# then take one gradient step. The kit's `loss_gradients(model, loss, x, y)` returns the loss and
# $\partial L/\partial W$ for every weight, using the active Keras backend's own mechanism
# (`tf.GradientTape` on TensorFlow, `jax.value_and_grad` on JAX, `torch.autograd` on PyTorch).

# %%
X8, y8 = xb_train[:8].astype("float64"), yb_train[:8]
p8 = scratch.sigmoid(X8 @ w_boot[:, 0] + b_boot[0])  # forward
loss_by_hand = scratch.binary_cross_entropy(y8, p8)
dz = (p8 - y8) / len(y8)  # backward
grad_w, grad_b = X8.T @ dz, dz.sum()

keras_loss, (keras_grad_w, keras_grad_b) = loss_gradients(
    neuron, keras.losses.BinaryCrossentropy(), X8, y8[:, None]
)
np.testing.assert_allclose(loss_by_hand, keras_loss, rtol=1e-4)
np.testing.assert_allclose(grad_w, keras_grad_w[:, 0], rtol=1e-3, atol=1e-6)
np.testing.assert_allclose(grad_b, keras_grad_b[0], rtol=1e-3, atol=1e-6)

alpha = 0.1  # learning rate
w_new, b_new = w_boot[:, 0] - alpha * grad_w, b_boot[0] - alpha * grad_b  # one step
loss_after = scratch.binary_cross_entropy(y8, scratch.sigmoid(X8 @ w_new + b_new))
print(f"loss {loss_by_hand:.4f} (Keras {float(keras_loss):.4f}); after one step: {loss_after:.4f}")
ck.claim(
    loss_after < loss_by_hand,
    f"one gradient step with α = 0.1 lowers the loss on this batch ({loss_by_hand:.4f} →"
    f" {loss_after:.4f})",
)
print(f"the step moved no weight by more than {np.abs(w_new - w_boot[:, 0]).max():.1e}")

# %% [markdown]
# ## 4. Activation functions (激活函数)
#
# | activation | *f*(*z*) | range | derivative $f'(z)$ |
# |---|---|---|---|
# | step (阶跃函数) | $1$ if $z \ge 0$ else $0$ | $\{0, 1\}$ | $0$ (undefined at 0): nothing for gradient descent to follow |
# | sigmoid (S型函数) | $\frac{1}{1 + e^{-z}}$ | $(0, 1)$ | $\sigma(z)\,(1 - \sigma(z)) \le 0.25$ |
# | tanh (双曲正切函数) | $\frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$ | $(-1, 1)$ | $1 - \tanh^2(z) \le 1$: zero-centred, and 4 times steeper at 0 than sigmoid (1 vs 0.25) |
# | ReLU (线性整流函数) | $\max(0, z)$ | $[0, \infty)$ | $1$ for $z > 0$, else $0$: cheap and constant |
# | leaky ReLU (带泄露线性整流函数) | $z$ if $z > 0$ else $\alpha z$ | $(-\infty, \infty)$ | $1$ or $\alpha$ (0.2 in the figure, Keras's `leaky_relu` default): negative inputs still learn |
# | linear (线性激活函数) | $z$ | $(-\infty, \infty)$ | $1$ |
#
# Solid lines are $f$, dashed lines $f'$. The course defines the step once,
# $\mathrm{step}(z) = 1$ if $z \ge 0$ else $0$ (at exactly $z = 0$ it outputs 1);
# `ck.scratch.step`, the exercises and the formula sheet all use this definition.

# %%
plots.activation_functions()

# %% [markdown]
# The worked example of the course: the pre-activation $H = (1, -2, 3, -4, 7)$ after a step
# function and after ReLU (and, for comparison, after sigmoid and tanh).

# %%
# NBVAL_CHECK_OUTPUT
H = np.array([1, -2, 3, -4, 7], dtype=float)
print("step(H)    =", scratch.step(H).astype(int))
print("ReLU(H)    =", scratch.relu(H).astype(int))
print("sigmoid(H) =", scratch.sigmoid(H).round(3))
print("tanh(H)    =", scratch.tanh(H).round(3))
assert scratch.step(H).tolist() == [1, 0, 1, 0, 1]
assert scratch.relu(H).tolist() == [1, 0, 3, 0, 7]
np.testing.assert_allclose(keras.ops.convert_to_numpy(keras.activations.relu(H)), scratch.relu(H))

# %% [markdown]
# ## 5. Why non-linearity
#
# Two dense layers without activation compute
#
# $$(XW_1 + b_1)W_2 + b_2 = X(W_1W_2) + (b_1W_2 + b_2),$$
#
# one linear map $W = W_1W_2$, $b = b_1W_2 + b_2$. However deep, a stack of linear layers
# collapses into one. We check it on a Keras model with two linear `Dense` layers.

# %%
# NBVAL_CHECK_OUTPUT
linear_stack = keras.Sequential(
    [keras.Input((4,)), keras.layers.Dense(6), keras.layers.Dense(3)]  # activation=None: linear
)
(W1, b1), (W2, b2) = (layer.get_weights() for layer in linear_stack.layers)
W, b = W1 @ W2, b1 @ W2 + b2
X4 = rng.normal(size=(5, 4)).astype("float32")
np.testing.assert_allclose(linear_stack.predict(X4, verbose=0), X4 @ W + b, rtol=1e-4, atol=1e-5)
print(f"W1 {W1.shape} then W2 {W2.shape} == one linear map W {W.shape} plus bias {b.shape}")

# %% [markdown]
# Random networks of 5 layers with a single input: with linear activations every one of them
# is a straight line; with ReLU between the layers they bend.

# %%
plots.linear_collapse(depth=5)

# %% [markdown]
# So a linear model can only draw straight decision boundaries (决策边界): with three classes,
# the regions are separated by straight lines. On three interleaved spirals we train (a) a
# linear model (softmax regression), (b) an MLP with two hidden layers of 64 units but
# *linear* activations, (c) the same MLP with ReLU. Each is trained from 3 random seeds in full
# mode (1 in quick mode): a comparison of two set-ups is a comparison of their seeds.
# `ck.compare_seeds` prints each arm's mean, spread and seeds, and says "A beats B" only when
# every seed of A is better than every seed of B. The metric is the share of the 600 points a
# trained model classifies right; the figure draws the decision regions of each arm's seed-0
# model, with that share (to 2 decimals) in its title (so the ReLU arm's 0.997 shows as 1.00).

# %%
X_spiral, y_spiral = ck.datasets.spirals(n_samples=600, classes=3, noise=0.2)
SEEDS = [0] if ck.QUICK else [0, 1, 2]


def spiral_model(hidden_layers, activation, seed):
    keras.utils.set_random_seed(seed)  # the initial weights and the batch order
    hidden = [keras.layers.Dense(64, activation=activation) for _ in range(hidden_layers)]
    model = keras.Sequential([keras.Input((2,)), *hidden, keras.layers.Dense(3, "softmax")])
    model.compile(
        optimizer=keras.optimizers.Adam(0.02),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(X_spiral, y_spiral, epochs=20, batch_size=128, verbose=0)
    return model, model.evaluate(X_spiral, y_spiral, verbose=0)[1]  # after the last update


started = time.perf_counter()
spiral_models, spiral_accuracy = {}, {}  # the seed-0 model of each arm, for the figure
for name, hidden_layers, activation in [
    ("linear model", 0, None),
    ("2 linear layers", 2, "linear"),
    ("2 ReLU layers", 2, "relu"),
]:
    runs = [spiral_model(hidden_layers, activation, seed) for seed in SEEDS]
    spiral_models[name] = runs[0][0]
    spiral_accuracy[name] = [accuracy for _, accuracy in runs]
spirals_comparison = ck.compare_seeds(spiral_accuracy, metric="training accuracy")
print(spirals_comparison)
print(spirals_comparison.verdict("2 ReLU layers", "2 linear layers"))
print(spirals_comparison.verdict("2 linear layers", "linear model"))
ck.claim(
    spirals_comparison.beats("2 ReLU layers", "2 linear layers"),
    "the ReLU MLP beats the same MLP with linear layers on every seed",
    full_only=True,
)
ck.claim(
    spirals_comparison.within_noise("2 linear layers", "linear model"),
    "two linear hidden layers tie with the linear model: the stack collapses into one map",
    full_only=True,
)
worst_relu, best_linear = (
    min(spiral_accuracy["2 ReLU layers"]),
    max(spiral_accuracy["2 linear layers"]),
)
ck.claim(
    worst_relu > 0.97 and best_linear < 0.6,
    f"the ReLU MLP fits {worst_relu:.3f} of the points on its worst seed (floor 0.97); with"
    f" linear layers at best {best_linear:.3f} (ceiling 0.60)",
)
print(f"time: {time.perf_counter() - started:.0f} s")
plots.decision_boundary(spiral_models, X_spiral, y_spiral)

# %% [markdown]
# ## 6. Saturation and vanishing gradients
#
# For large $\lvert z\rvert$ sigmoid and tanh flatten out: they saturate (饱和) and their
# derivative is nearly 0. Backpropagation multiplies one such factor per layer, so through many
# sigmoid layers the gradient vanishes (梯度消失): the sigmoid's factor
# $\sigma'(z) = \sigma(z)(1 - \sigma(z))$ is at most $0.25$ per layer, so through 10 layers
# the activations' share of the product is at most $0.25^{10} \approx 9.5 \times 10^{-7}$ (the
# weight matrices multiply in too and can shrink or enlarge it; the network below measures the
# whole product). ReLU's derivative is exactly 1 for every $z > 0$, and cheap to compute.

# %%
# NBVAL_CHECK_OUTPUT
z_values = np.array([0.0, 2.0, 5.0, 10.0])
derivatives = pd.DataFrame(
    {
        "sigmoid'(z)": scratch.sigmoid_derivative(z_values),
        "tanh'(z)": scratch.tanh_derivative(z_values),
        "ReLU'(z)": scratch.relu_derivative(z_values),
    },
    index=pd.Index(z_values, name="z"),
)
print(derivatives.to_string(float_format=lambda v: f"{v:.2e}"))
print(f"best case through 10 sigmoid layers: 0.25**10 = {0.25**10:.1e}; ReLU: 1**10 = 1")

# %% [markdown]
# The same effect in a real network: the gradient that reaches the first layer of a stack of
# 10 hidden layers, relative to the gradient of the last hidden layer, for sigmoid and for ReLU
# (for each seed both networks start from the same random weights and inputs; nothing is
# trained).


# %%
def gradient_ratio(activation, seed, depth=10):
    keras.utils.set_random_seed(seed)
    layers = [keras.layers.Dense(32, activation=activation) for _ in range(depth)]
    model = keras.Sequential([keras.Input((32,)), *layers, keras.layers.Dense(1)])
    X = np.random.default_rng(seed).normal(size=(64, 32)).astype("float32")
    # L = mean(output²); dL/dW for every weight, on any backend
    _, grads = loss_gradients(model, lambda y, p: keras.ops.mean(p**2), X, np.zeros((64, 1)))
    paths = [weight.path for weight in model.trainable_variables]
    first = grads[paths.index(layers[0].kernel.path)]
    last = grads[paths.index(layers[-1].kernel.path)]
    return float(np.linalg.norm(first) / np.linalg.norm(last))


ratios = {
    activation: [gradient_ratio(activation, seed) for seed in SEEDS]
    for activation in ("sigmoid", "relu")
}
print("ratio = size of the first layer's kernel gradient / size of the last hidden layer's")
for name, values in ratios.items():
    print(f"{name:>7}: " + ", ".join(f"{value:.1e}" for value in values))
ratio_comparison = ck.compare_seeds(
    {name: np.log10(values) for name, values in ratios.items()}, metric="log10(ratio)"
)
print(ratio_comparison)
print(ratio_comparison.verdict("relu", "sigmoid"))
ck.claim(
    ratio_comparison.beats("relu", "sigmoid"),
    "the first layer keeps more of the gradient with ReLU than with sigmoid, on every seed",
    full_only=True,
)
ck.claim(
    max(ratios["sigmoid"]) < 0.01 < min(ratios["relu"]),
    f"through 10 sigmoid layers the first layer's gradient is at most {max(ratios['sigmoid']):.1e}"
    f" of the last's; with ReLU at least {min(ratios['relu']):.1e} (the line between: 1%)",
)

# %% [markdown]
# ## 7. Softmax (归一化指数函数)
#
# Softmax turns a vector of scores (logits, 未归一化概率) $z$ into probabilities in three steps:
# exponentiate, sum, divide,
#
# $$\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}.$$
#
# The outputs are positive and sum to 1.

# %%
# NBVAL_CHECK_OUTPUT
logits = np.array([2.0, 1.0, 0.1])
exps = np.exp(logits)  # 1. exponentiate
total = exps.sum()  # 2. sum
probabilities = exps / total  # 3. divide
print("exp(z)      =", exps.round(3))
print(f"sum         = {total:.3f}")
print("softmax(z)  =", probabilities.round(3), " sum =", probabilities.sum().round(6))
np.testing.assert_allclose(probabilities, keras.activations.softmax(logits[None])[0], rtol=1e-6)

# %%
plots.softmax_bars(logits, class_names=("cat", "dog", "bird"))

# %% [markdown]
# Large logits overflow: $e^{1000}$ is `inf` in floating point (float64 overflows above about
# 709, float32 above about 88), and $\infty / \infty$ is `nan`. Subtracting the largest logit
# first changes nothing mathematically ($e^{-\max_j z_j}$ cancels between numerator and
# denominator) and keeps every exponent $\le 0$. Keras does this for you.

# %%
# NBVAL_CHECK_OUTPUT
big = np.array([1000.0, 1001.0, 1002.0])
print("naive softmax:", scratch.naive_softmax(big))
print("stable       :", scratch.softmax(big).round(3), "(the same as softmax([0, 1, 2]))")
print(
    "Keras        :", keras.ops.convert_to_numpy(keras.activations.softmax(big[None]))[0].round(3)
)

# %% [markdown]
# **Softmax and maximum entropy (最大熵原理), briefly.** Fix the expected score
# $\sum_i p_i z_i = s$. Among all distributions $p$ over the $K$ classes with that expected
# score, the one with the largest entropy (熵) $H(p) = -\sum_i p_i \ln p_i$ (the one that assumes
# least beyond the constraint) is **$\mathrm{softmax}(\lambda z)$**, where the single number
# $\lambda$ is fixed by the constraint (Lagrange multipliers give
# $p_i \propto e^{\lambda z_i}$; $\lambda$ is the multiplier). For $s$ equal to the expected
# score of $\mathrm{softmax}(z)$ itself, $\lambda = 1$: $\mathrm{softmax}(z)$ is the
# maximum-entropy distribution for its own expected score (an identity, printed as a check
# below). `scratch.max_entropy_distribution` finds $\lambda$ by bisection.
#
# We check the maximum by computation rather than take it on trust: 20,000 random distributions
# with exactly the same expected score as $\mathrm{softmax}(z)$, for $z = (2, 1, 0.1, 0)$, and
# their entropies.

# %%
z_scores = np.array([2.0, 1.0, 0.1, 0.0])
target_score = float(scratch.softmax(z_scores) @ z_scores)
best, lam = scratch.max_entropy_distribution(z_scores, target_score)
competitors = scratch.random_distributions_with_expected_score(z_scores, target_score, 20_000)
competitor_entropy = scratch.entropy(competitors)
print(
    f"expected score s = {target_score:.4f}; λ fixed by s: {lam:.6f}; softmax(λz) = {best.round(4)}"
)
print(f"entropy of softmax(λz): {scratch.entropy(best):.8f}")
print(f"largest entropy of the 20,000 random p with Σ p·z = s: {competitor_entropy.max():.8f}")
print(f"gap (softmax minus best rival): {scratch.entropy(best) - competitor_entropy.max():.2e}")
assert abs(lam - 1) < 1e-6  # the identity: softmax(z)'s own expected score fixes λ = 1
print(f"check: λ = {lam:.6f} = 1, so softmax(λz) = softmax(z)")
ck.claim(
    competitor_entropy.max() < scratch.entropy(best),
    f"softmax(z) has entropy {scratch.entropy(best):.8f}, above each of 20,000 random p with the"
    f" same expected score (their largest: {competitor_entropy.max():.8f})",
)
lower_best, lower_lam = scratch.max_entropy_distribution(z_scores, 0.5)
lower_competitors = scratch.random_distributions_with_expected_score(z_scores, 0.5, 20_000, seed=1)
lower_rival = scratch.entropy(lower_competitors).max()
print(f"for s = 0.5: λ = {lower_lam:.3f}, softmax(λz) = {lower_best.round(4)}")
ck.claim(
    lower_rival < scratch.entropy(lower_best),
    f"for s = 0.5 the winner is softmax(λz) with its own λ = {lower_lam:.3f}: entropy"
    f" {scratch.entropy(lower_best):.8f}, above all 20,000 rivals (their largest: {lower_rival:.8f})",
)
plots.max_entropy(competitor_entropy, scratch.entropy(best), target_score, lam)

# %% [markdown]
# No bar lies to the right of the red line, but the best random rivals come very close: the
# largest of their entropies is only slightly below softmax's (the printed gap), because among
# 20,000 random p some land near the maximum. The claim checks the strict inequality.
# Equal logits give the uniform distribution, the largest possible entropy $\ln K$; sharper
# logits (a larger $\lambda$), less entropy:

# %%
# NBVAL_CHECK_OUTPUT
for z_example in ([0.0, 0.0, 0.0, 0.0], [2.0, 1.0, 0.1, 0.0], [10.0, 0.0, 0.0, 0.0]):
    p = scratch.softmax(z_example)
    print(f"logits {z_example}: entropy {scratch.entropy(p):.3f}  (ln 4 = {np.log(4):.3f})")

# %% [markdown]
# ## 8. Loss functions (损失函数)
#
# A loss measures how far the prediction is from the truth.
#
# * Mean squared error (均方误差), for regression:
#   $\mathrm{MSE} = \frac{1}{N}\sum_{n} (y_n - \hat{y}_n)^2$.
# * Cross-entropy (交叉熵) for classification. Binary, for two classes with
#   $p = P(\text{class } 1)$: $-[y \ln p + (1 - y) \ln(1 - p)]$. Categorical, for $M$ classes:
#   $-\sum_{i=1}^{M} y_i \ln p_i$; with a one-hot (独热编码) label only the true class's term
#   survives,
#   $-\ln p_{\text{true}}$.
#
# The worked example: the true class is predicted with $p = 0.9$. The students' notes use
# log base 10 and get $-\log_{10} 0.9 = 0.046$; Keras (and PyTorch, and the mathematics) use the
# natural log: $-\ln 0.9 = 0.105$.

# %%
# NBVAL_CHECK_OUTPUT
y_onehot = np.array([0.0, 1.0, 0.0])
p_pred = np.array([0.05, 0.9, 0.05])
terms = -y_onehot * np.log(p_pred)
print("terms -y_i ln p_i:", terms.round(4), "-> only the true class survives")
print(
    f"-log10(0.9) = {scratch.categorical_cross_entropy(y_onehot, p_pred, log_base=10):.3f}  (students' notes)"
)
print(f"-ln(0.9)    = {scratch.categorical_cross_entropy(y_onehot, p_pred):.3f}  (natural log)")
keras_cce = float(keras.losses.CategoricalCrossentropy()(y_onehot[None], p_pred[None]))
print(f"Keras CategoricalCrossentropy: {keras_cce:.3f}  <- Keras uses the natural log")
keras_bce = float(keras.losses.BinaryCrossentropy()(np.array([[1.0]]), np.array([[0.9]])))
keras_mse = float(keras.losses.MeanSquaredError()(y_onehot[None], p_pred[None]))
print(
    f"binary cross-entropy, y = 1, p = 0.9: {keras_bce:.3f};  MSE of the same example: {keras_mse:.4f}"
)
assert abs(keras_cce - 0.105) < 1e-3 and abs(keras_bce - 0.105) < 1e-3

# %% [markdown]
# **Cross-entropy and KL divergence (KL散度).** For a true distribution $p$ and a prediction
# $q$, cross-entropy is
#
# $$H(p, q) = -\sum_i p_i \ln q_i = H(p) + \mathrm{KL}(p\,\|\,q),$$
#
# where $H(p)$ is the entropy of $p$ and
# $\mathrm{KL}(p\,\|\,q) = \sum_i p_i \ln(p_i / q_i) \ge 0$ is 0 only when $q = p$. The true
# labels fix $H(p)$, so minimising cross-entropy minimises the KL divergence; with one-hot labels
# $H(p) = 0$ and the two are equal.

# %%
# NBVAL_CHECK_OUTPUT
p_true = np.array([0.1, 0.7, 0.2])
q_pred = np.array([0.2, 0.6, 0.2])
entropy = -(p_true * np.log(p_true)).sum()
kl = (p_true * np.log(p_true / q_pred)).sum()
cross_entropy = -(p_true * np.log(q_pred)).sum()
keras_kl = float(keras.losses.KLDivergence()(p_true[None], q_pred[None]))
print(
    f"H(p) = {entropy:.4f}, KL(p||q) = {kl:.4f} (Keras {keras_kl:.4f}), H(p, q) = {cross_entropy:.4f}"
)
print(f"H(p) + KL(p||q) = {entropy + kl:.4f} = H(p, q)")
assert abs(entropy + kl - cross_entropy) < 1e-12 and abs(keras_kl - kl) < 1e-5

# %% [markdown]
# The loss falls as the predicted probability of the true class nears 1 (the truth), and grows
# without bound as it nears 0: a confident wrong answer is punished hard. The figure also draws
# the students' $-\log_{10} p$ (the same curve divided by $\ln 10 \approx 2.3$) and, for
# comparison, the squared error $(1 - p)^2$ of the true class alone, which never exceeds 1: it
# punishes a confident wrong answer far less. (The MSE of 0.0050 printed above averages such
# squared errors over all 3 classes, not only the true one.)

# %%
plots.loss_vs_probability(marks=(0.9, 0.5))

# %% [markdown]
# ## 9. Gradient descent (梯度下降)
#
# Training moves each weight against its gradient:
#
# $$w \leftarrow w - \alpha \frac{\partial J}{\partial w},$$
#
# where the learning rate (学习率) $\alpha$ is the step size. Picture a ball rolling to the
# bottom of the valley $J(w)$: here $J(w) = w^2$, $\partial J/\partial w = 2w$, starting at
# $w = -4$. One step gives $w \leftarrow w - 2\alpha w = (1 - 2\alpha)w$, so every step
# multiplies $w$ by $(1 - 2\alpha)$: too small an $\alpha$ (0.05, factor 0.9) crawls,
# $\alpha = 0.3$ (factor 0.4) arrives quickly, $\alpha$ between 0.5 and 1 (0.9, factor $-0.8$)
# zig-zags across the valley but still converges, and $\alpha > 1$ (1.05, factor $-1.1$)
# overshoots more every step. Each panel's title gives $w$ after 12 steps; in the last panel the
# path leaves the plotted range after two steps, and the title says where it ends.

# %%
# NBVAL_CHECK_OUTPUT
path = plots.gradient_descent_path(lambda w: 2 * w, w0=-4.0, learning_rate=0.3, steps=5)
print("α = 0.3, w over steps:", path.round(4))

# %%
plots.gradient_descent(learning_rates=(0.05, 0.3, 0.9, 1.05))

# %% [markdown]
# ## 10. Batch, iteration, epoch (批大小, 迭代, 轮)
#
# A batch is the group of samples used for one update; an iteration is one update (one
# batch); an epoch is one pass over the whole training set. Worked example: 1,840 training
# samples with batch size 8 give $1840 / 8 = 230$ iterations per epoch, so 4,000 iterations are
# $4000 / 230 \approx 17$ epochs. Keras agrees: its optimizer counts 230 updates in one epoch.

# %%
# NBVAL_CHECK_OUTPUT
per_epoch = ck.formulas.iterations_per_epoch(1840, batch_size=8)
epochs_4000 = ck.formulas.epochs_for_iterations(4000, samples=1840, batch_size=8)
print(f"iterations per epoch: {per_epoch};  4,000 iterations = {epochs_4000:.2f} epochs")

counter = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
counter.compile(optimizer="sgd", loss="mse")
counter.fit(np.zeros((1840, 3)), np.zeros(1840), batch_size=8, epochs=1, verbose=0)
print(
    f"Keras, one epoch of 1,840 samples with batch size 8: {int(counter.optimizer.iterations)} iterations"
)
assert int(counter.optimizer.iterations) == per_epoch == 230

# %% [markdown]
# ## 11. Parameters of a dense layer (全连接层)
#
# Every one of the `units` neurons has one weight per input and one bias:
#
# $$\text{parameters} = \text{inputs} \times \text{units} + \text{units}.$$
#
# A flattened $28\times 28$ image into `Dense(128)`: $784 \times 128 + 128 = 100{,}480$.

# %%
# NBVAL_CHECK_OUTPUT
dense = keras.Sequential([keras.Input((784,)), keras.layers.Dense(128)])
print(f"formula: 784 × 128 + 128 = {ck.formulas.dense_params(784, 128):,}")
print(f"Keras count_params():     {dense.count_params():,}")
assert dense.count_params() == ck.formulas.dense_params(784, 128)

# %% [markdown]
# ## 12. The two-layer network by hand
#
# `ck.scratch.TwoLayerNetwork` is written in NumPy: the forward pass
#
# $$H = f(XW_1 + b_1), \quad Y = HW_2 + b_2,$$
#
# $$P = \mathrm{softmax}(Y), \quad J = \text{cross-entropy}(P, T),$$
#
# then backpropagation
#
# $$\frac{\partial J}{\partial Y} = \frac{P - T}{N}, \quad
# \frac{\partial J}{\partial W_2} = H^\top \frac{\partial J}{\partial Y}, \quad
# \frac{\partial J}{\partial H} = \frac{\partial J}{\partial Y} W_2^\top, \quad \dots$$
#
# and gradient descent.
# `to_keras()` builds the same network in Keras with the same weights. We train both with
# plain SGD on the same batches (no shuffling) and compare the loss of every epoch.

# %%
net = scratch.TwoLayerNetwork(n_inputs=2, n_hidden=32, n_outputs=3, activation="relu", seed=0)
twin = net.to_keras(dtype="float64")  # the same network and weights, in Keras
twin.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
keras_losses = twin.fit(X_spiral, y_spiral, epochs=5, batch_size=32, shuffle=False, verbose=0)
numpy_losses = net.fit(X_spiral, y_spiral, epochs=5, batch_size=32, learning_rate=0.5)

print(pd.DataFrame({"NumPy": numpy_losses["loss"], "Keras": keras_losses.history["loss"]}))
np.testing.assert_allclose(numpy_losses["loss"], keras_losses.history["loss"], rtol=1e-5)
for ours, theirs in zip(net.params.values(), twin.get_weights(), strict=True):
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-8)

# %% [markdown]
# Same loss to $10^{-5}$ and the same weights. Now NumPy trains 60 more epochs; the first claim
# checks that the loss falls below half its first-epoch value, the second that the network
# classifies more than 94% of the training points of the spiral correctly, and the figure shows
# the decision regions the hand-made network draws (its title gives that training accuracy).

# %%
more = net.fit(X_spiral, y_spiral, epochs=60, batch_size=32, learning_rate=0.5)
print(f"loss after {5 + 60} epochs: {more['loss'][-1]:.3f}")
ck.claim(
    more["loss"][-1] < 0.5 * numpy_losses["loss"][0],
    f"after 65 epochs the NumPy network's loss, {more['loss'][-1]:.3f}, is less than half its"
    f" first-epoch loss ({numpy_losses['loss'][0]:.3f} / 2 = {numpy_losses['loss'][0] / 2:.3f})",
)
net_accuracy = float(np.mean(net.predict(X_spiral) == y_spiral))
print(f"training accuracy after {5 + 60} epochs: {net_accuracy:.3f}")
ck.claim(
    net_accuracy > 0.94,
    f"after 65 epochs the NumPy network classifies {net_accuracy:.3f} of the training points"
    " correctly (floor 0.94)",
)
keras_probabilities = net.to_keras().predict(X_spiral, verbose=0)  # trained weights, in Keras
keras_loss = float(keras.losses.SparseCategoricalCrossentropy()(y_spiral, keras_probabilities))
assert abs(net.loss(X_spiral, y_spiral) - keras_loss) < 1e-5
plots.decision_boundary({"NumPy two-layer network": net.forward}, X_spiral, y_spiral)

# %% [markdown]
# ## 13. Deep learning in three steps, and the nine-step workflow
#
# Deep learning in three steps: **build the network, choose the loss, choose the optimizer**;
# then let the data train it. A full project follows nine steps; each is a cell below (step 1
# is the data cell of section 2):
#
# 1. Get data: `ck.datasets.load("fashion_mnist")` in section 2.
# 2. Load it into arrays: scale to float32 in $[0, 1]$, carve validation data out of the
#    training data; `fit` batches and shuffles NumPy arrays itself, on every backend.
# 3. Look at samples: a grid of images with their class names.
# 4. Define the network: Flatten → Dense(256, ReLU) → Dropout → Dense(128, ReLU) → Dropout → Dense(10, softmax).
# 5. Define the loss: sparse categorical cross-entropy (integer labels).
# 6. Define the optimizer: Adam with a learning rate that decays over training.
# 7. Train on batches: `model.fit` with the `LiveHistory` callback drawing the curves.
# 8. Visualise results: training curves, predictions on test images, the confusion matrix.
# 9. Analyse and tune: compare training and validation curves (overfitting?) and what to try next.
#
# This multilayer perceptron (MLP, 多层感知机) must reach more than 88% test accuracy in full
# mode (a claim below checks it). The data follow the course's rule: the validation set (验证集)
# is carved out of the training set (训练集), the curves of step 7 watch it, and the test set
# (测试集) is evaluated once, for the final model, in step 8.

# %% [markdown]
# ### Step 2: load the data into arrays
#
# NumPy arrays are the one data format every Keras backend takes: `fit` cuts them into batches
# of `batch_size` and reshuffles the training set every epoch (`shuffle=True`). (A `tf.data`
# pipeline does the same on TensorFlow only; `keras.utils.PyDataset` is the backend-agnostic
# way when the data do not fit in memory.) `ck.datasets.train_validation_split` sets 10% of the
# training images aside for validation, the same share of every class; the test set is never
# split.

# %%
x_train01 = x_train.astype("float32") / 255  # pixels 0..255 -> 0..1
x_test01 = x_test.astype("float32") / 255
(x_fit, y_fit), (x_val, y_val) = ck.datasets.train_validation_split(
    x_train01, y_train, validation=0.1, seed=0
)
BATCH_SIZE = 128
batches_per_epoch = ck.formulas.iterations_per_epoch(len(x_fit), BATCH_SIZE)
print(f"training: {x_fit.shape} {x_fit.dtype.name}, validation: {x_val.shape}")
print(f"one epoch = {batches_per_epoch} batches of {BATCH_SIZE} (the last one smaller)")

# %% [markdown]
# ### Step 3: look at samples

# %%
plots.sample_grid(x_train[:20], y_train[:20], class_names)

# %% [markdown]
# ### Steps 4 to 6: the network, the loss, the optimizer

# %%
EPOCHS = 8 if ck.QUICK else 15
steps = EPOCHS * batches_per_epoch
mlp = keras.Sequential(
    [
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
mlp.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(),  # step 5
    optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(1e-3, steps)),  # 6
    metrics=["accuracy"],
)
ck.explain(mlp)

# %%
# NBVAL_CHECK_OUTPUT
by_formula = sum(ck.formulas.dense_params(i, u) for i, u in [(784, 256), (256, 128), (128, 10)])
print(f"formula: {by_formula:,} parameters; Keras: {mlp.count_params():,}")
assert mlp.count_params() == by_formula

# %% [markdown]
# ### Step 7: train on batches
#
# `ck.training.LiveHistory()` redraws the loss and accuracy curves in place after every epoch
# while you watch. Only if one redraw costs more than 5% of an epoch's time (short epochs, or a
# busy machine) does it space the redraws out, waiting until the training time since the last
# redraw is at least 20 times a redraw's cost; the first two redraws always happen (the first
# pays one-time costs, the second measures a redraw's real cost) and so does the last. Headless
# (for example under CI or nbval) it draws nothing during training and the figure once at the
# end. The line under the figure says what it did in this run.

# %%
started = time.perf_counter()
live = ck.training.LiveHistory()
history = mlp.fit(
    x_fit,
    y_fit,
    batch_size=BATCH_SIZE,
    validation_data=(x_val, y_val),
    epochs=EPOCHS,
    shuffle=True,  # a new order every epoch (step 2)
    verbose=0,
    callbacks=[live],
)
print(live.summary())
print(f"training time: {time.perf_counter() - started:.0f} s")

# %% [markdown]
# ### Step 8: visualise the results
#
# The training curves are above (`plots.training_curves(history)` redraws them from any
# `History` later). Now the test set: accuracy, predictions on test images (red when wrong)
# and the confusion matrix (混淆矩阵), which counts, for every true class (row), what the
# model predicted (column).

# %%
test_loss, test_accuracy = mlp.evaluate(x_test01, y_test, verbose=0)
print(f"test accuracy: {test_accuracy:.4f}  (test loss {test_loss:.3f})")
assert test_accuracy > 0.70  # quick mode too: a broken training would not get here
ck.claim(
    test_accuracy > 0.88,
    f"the MLP reaches {test_accuracy:.4f} test accuracy on Fashion-MNIST (floor 0.88)",
    full_only=True,
)
wrong = int(round((1 - test_accuracy) * len(y_test)))
print(f"{wrong:,} of the {len(y_test):,} test images are classified wrongly")

# %%
test_probabilities = mlp.predict(x_test01, verbose=0)
test_predictions = test_probabilities.argmax(axis=1)
plots.sample_grid(x_test[:20], y_test[:20], class_names, test_predictions[:20])

# %%
plots.confusion_matrix(y_test, test_predictions, class_names)

# %% [markdown]
# ### Step 9: analyse and tune
#
# Read the curves: while validation loss falls with training loss the model still learns; when
# training loss keeps falling and validation loss rises, it overfits (过拟合, chapter 07). In
# this run the validation loss flattens over the last epochs but does not rise (figure above);
# the cell below prints the gap between training and validation accuracy at the end. The
# training curve reads low for two reasons: each point is an average over an epoch in which the
# weights still change, and it is measured with dropout switched on. That is why validation
# accuracy lies above training accuracy in the first epochs.
# The confusion matrix shows where it fails: the claim below checks that the hardest class (the
# lowest share of its test images classified right) is one of the upper-body garments (shirt,
# T-shirt, pullover, coat), which look alike at 28×28; the cell prints the three hardest. To
# tune (more epochs, wider layers, more dropout, or a convolutional network, chapter 02, which
# uses the fact that neighbouring pixels belong together), judge every candidate on the
# validation set, for example with a confusion matrix of the validation images. The test
# numbers above are the final report: choosing with them would make them optimistic.

# %%
gap = live.history["accuracy"][-1] - live.history["val_accuracy"][-1]
print(f"train accuracy - validation accuracy at the end: {gap:+.3f}")
per_class = pd.Series(
    np.diag(ck.plots.basics.confusion_counts(y_test, test_predictions)) / np.bincount(y_test),
    index=class_names,
)
ck.claim(
    per_class.idxmin() in {"Shirt", "T-shirt/top", "Pullover", "Coat"},
    "the hardest class is one of the look-alike upper-body garments (shirt, T-shirt, pullover, coat)",
    full_only=True,
)
print("hardest classes:", per_class.sort_values().head(3).round(3).to_dict())

# %% [markdown]
# ## 14. Students' question 1: must data be mapped into (0, 1) before cross-entropy?
#
# Two different things are "mapped into $(0, 1)$" and the answer differs:
#
# * **The inputs: no.** Cross-entropy never sees the inputs, only the predictions. We scale
#   pixels from 0..255 to 0..1 for the *optimiser*: large inputs make large pre-activations and
#   gradients, so a learning rate that suits scaled data is far too big for raw data.
# * **The predictions: yes.** Cross-entropy takes $\ln$ of probabilities: the predictions must be
#   probabilities (softmax or sigmoid output), or you tell the loss it gets raw scores with
#   `from_logits=True` and it applies the softmax itself.
#
# Experiment 1: the same small network on raw and on scaled pixels, 3 epochs each, on the
# 5,000-image sample in both modes (4,000 to train, 1,000 carved out for validation, which
# judges the set-ups), from 3 seeds in full mode (1 in quick mode).

# %%
(x_small, y_small), _ = ck.datasets.load("fashion_mnist", sample=True)
(x_small_fit, y_small_fit), (x_small_val, y_small_val) = ck.datasets.train_validation_split(
    x_small, y_small, validation=1000, seed=0
)
print(
    f"sample: {len(x_small):,} images: {len(x_small_fit):,} to train, {len(x_small_val):,} to validate"
)


def small_mlp(seed, output_activation="softmax", loss=None, scale=255.0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation=output_activation),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=loss or keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    x_fit, x_val = x_small_fit.astype("float32") / scale, x_small_val.astype("float32") / scale
    history = model.fit(x_fit, y_small_fit, epochs=3, batch_size=128, verbose=0)
    return {
        "first-epoch loss": history.history["loss"][0],
        "validation accuracy": model.evaluate(x_val, y_small_val, verbose=0)[1],
    }


started = time.perf_counter()
inputs_runs = {
    "raw 0..255": [small_mlp(seed, scale=1.0) for seed in SEEDS],
    "scaled 0..1": [small_mlp(seed, scale=255.0) for seed in SEEDS],
}
inputs_comparison = ck.compare_seeds(
    {arm: [run["validation accuracy"] for run in runs] for arm, runs in inputs_runs.items()},
    metric="validation accuracy after 3 epochs",
)
print(inputs_comparison)
print(inputs_comparison.verdict("scaled 0..1", "raw 0..255"))
loss_ratios = [
    raw["first-epoch loss"] / scaled["first-epoch loss"]
    for raw, scaled in zip(inputs_runs["raw 0..255"], inputs_runs["scaled 0..1"], strict=True)
]
print("first-epoch loss, raw / scaled, per seed:", np.round(loss_ratios, 1))
print(f"experiment time: {time.perf_counter() - started:.0f} s")
ck.claim(
    inputs_comparison.beats("scaled 0..1", "raw 0..255"),
    "scaled pixels beat raw pixels on validation accuracy, on every seed",
    full_only=True,
)
ck.claim(
    min(loss_ratios) > 15,
    f"on raw pixels the first epoch's loss is at least {min(loss_ratios):.1f} times that on"
    " scaled pixels (floor 15)",
    full_only=True,  # quick mode's one seed differs by backend (7.5 on JAX, 10.2 on PyTorch)
)
pd.DataFrame(
    inputs_runs["raw 0..255"] + inputs_runs["scaled 0..1"],
    index=pd.MultiIndex.from_product([list(inputs_runs), SEEDS], names=["inputs", "seed"]),
).round(3)

# %% [markdown]
# Raw inputs still train (cross-entropy is perfectly defined), but the first epoch's loss is
# many times larger (the claim gives the smallest ratio over the seeds) and after 3 epochs the
# raw-pixel model is behind on validation accuracy (the table above). Now the predictions.
# What does cross-entropy make of scores that are not probabilities?

# %%
scores = np.array([[2.0, -1.0, 0.5]])  # raw scores (logits) for 3 classes; the true class is 0
label = np.array([0])
as_probabilities = float(keras.losses.SparseCategoricalCrossentropy()(label, scores))
from_logits = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(label, scores))
softmax_first = float(
    keras.losses.SparseCategoricalCrossentropy()(label, keras.activations.softmax(scores))
)
print(f"scores passed as if probabilities: {as_probabilities:.4g}   <- meaningless")
print(f"from_logits=True:                  {from_logits:.4f}")
print(f"softmax, then cross-entropy:       {softmax_first:.4f}")
print(f"by hand, -ln softmax(z)[0]:        {-scratch.log_softmax(scores)[0, 0]:.4f}")
assert abs(from_logits - softmax_first) < 1e-5  # the two right ways agree (on every backend)
assert abs(from_logits + scratch.log_softmax(scores)[0, 0]) < 1e-5
assert abs(as_probabilities - from_logits) > 0.1  # the wrong way does not

# What Keras does with "probabilities" that are not (keras/src/backend/*/nn.py), by hand:
eps = keras.config.epsilon()  # 1e-7
clipped_then_rescaled = np.clip(scores, eps, 1 - eps)
clipped_then_rescaled /= clipped_then_rescaled.sum()  # TensorFlow: clip, then rescale
rescaled_then_clipped = np.clip(scores / scores.sum(), eps, 1 - eps)  # JAX, PyTorch
by_rule = {
    "tensorflow": -np.log(clipped_then_rescaled[0, 0]),
    "jax": -np.log(rescaled_then_clipped[0, 0]),
    "torch": -np.log(rescaled_then_clipped[0, 0]),
}
print(
    f"clip, then rescale to sum 1 (TensorFlow):   {by_rule['tensorflow']:.4g}  (ln 1.5 = {np.log(1.5):.4f})"
)
print(f"divide by the sum, then clip (JAX, PyTorch): {by_rule['jax']:.4g}")
print(f"check: Keras on {keras.backend.backend()} gave {as_probabilities:.4g}, its backend's rule")
assert np.isclose(as_probabilities, by_rule[keras.backend.backend()], rtol=1e-3, atol=1e-6)

# %% [markdown]
# Keras turns such "probabilities" into something it can take the log of, and the backends do
# it in a different order (the cell computes both rules by hand and checks the one of this run's
# backend against Keras). On TensorFlow, Keras clips them into $[10^{-7}, 1 - 10^{-7}]$ and then
# rescales them to sum to 1: the score 2.0 becomes $1 - 10^{-7}$, the negative score $-1.0$
# silently becomes $10^{-7}$, 0.5 stays; the true class then gets
# $(1 - 10^{-7}) / 1.5 \approx 2/3$ and the "loss" is $\ln 1.5 = 0.4055$. On JAX and PyTorch,
# Keras divides by the sum first and then clips: $2 / 1.5 \approx 1.33$ clips to $1 - 10^{-7}$,
# and the "loss" is $-\ln(1 - 10^{-7}) \approx 10^{-7}$, a perfect score for a wrong input.
# Either way a number comes out, but not the cross-entropy.
#
# Experiment 2: a network whose last layer has *no* softmax, trained with the default
# `from_logits=False`, against the same network told `from_logits=True`, and the softmax network
# of experiment 1; the same seeds.

# %%
started = time.perf_counter()
outputs_runs = {
    "softmax output": inputs_runs["scaled 0..1"],  # trained above
    "raw scores, from_logits=False": [small_mlp(seed, None) for seed in SEEDS],
    "raw scores, from_logits=True": [
        small_mlp(seed, None, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        for seed in SEEDS
    ],
}
accuracy_of = {
    arm: [run["validation accuracy"] for run in runs] for arm, runs in outputs_runs.items()
}
outputs_comparison = ck.compare_seeds(accuracy_of, metric="validation accuracy after 3 epochs")
print(outputs_comparison)
print(outputs_comparison.verdict("raw scores, from_logits=True", "raw scores, from_logits=False"))
print(f"experiment time: {time.perf_counter() - started:.0f} s")
ck.claim(
    outputs_comparison.beats("raw scores, from_logits=True", "raw scores, from_logits=False"),
    "from_logits=True beats from_logits=False on raw scores, on every seed",
    full_only=True,
)
logits_lead = min(accuracy_of["raw scores, from_logits=True"]) - max(
    accuracy_of["raw scores, from_logits=False"]
)
ck.claim(
    logits_lead > 0.3,
    f"from_logits=True's worst seed is {logits_lead:.3f} ahead of from_logits=False's best"
    " (floor 0.30)",
    full_only=True,  # quick mode's one seed on 1,000 images is no place for this floor
)
# Softmax in the model or softmax in the loss is one computation split two ways: a check.
split_difference = max(
    abs(a - b)
    for a, b in zip(
        accuracy_of["softmax output"], accuracy_of["raw scores, from_logits=True"], strict=True
    )
)
assert split_difference < 0.01
print(
    f"check: softmax output and from_logits=True differ by at most {split_difference:.4f}"
    " validation accuracy on the same seed (the same computation)"
)

# %% [markdown]
# With raw scores and `from_logits=False` the network ends far behind on every seed. With
# `from_logits=True` it learns as the softmax network does: that is no experimental finding but
# the same computation split differently between model and loss, so the cell checks it rather
# than claims it. What `from_logits=True` does buy is numerical stability. Take a confident
# mistake: the true class is 0, but the network gives class 2 a logit $g$ higher. The exact
# loss is $\ln(2 + e^{g}) \approx g$ and its gradient with respect to the logits is
# $\mathrm{softmax}(z) - \text{onehot} \approx (-1, 0, 1)$: a strong push to correct the mistake.
# Three routes to the loss, for $g = 20$ and $g = 100$: the logits with `from_logits=True`; the
# output of Keras's softmax, then cross-entropy (CE); probabilities computed naively,
# $e^{z} / \sum_j e^{z_j}$, then cross-entropy. The table gives each route's loss and its
# gradient $\partial L/\partial z$.


# %%
def loss_routes(gap):
    logits = keras.Variable(np.array([[0.0, 0.0, gap]], dtype="float32"))
    true_class = np.array([0])
    cross_entropy = keras.losses.SparseCategoricalCrossentropy
    routes = {
        "from_logits=True": lambda: cross_entropy(from_logits=True)(true_class, logits),
        "Keras softmax -> CE": lambda: cross_entropy()(
            true_class, keras.activations.softmax(logits)
        ),
        "naive e^z/sum(e^z) -> CE": lambda: cross_entropy()(
            true_class,
            keras.ops.exp(logits) / keras.ops.sum(keras.ops.exp(logits), axis=-1, keepdims=True),
        ),
    }
    rows = {}
    for name, loss in routes.items():
        value, (gradient,) = value_and_gradients(loss, [logits])
        rows[(gap, name)] = {
            "loss": round(float(value), 4),
            "dL/dz": keras.ops.convert_to_numpy(gradient)[0].round(3).tolist(),
        }
    return rows


with np.errstate(over="ignore"):
    exact = {gap: float(np.logaddexp.reduce([0.0, 0.0, gap])) for gap in (20.0, 100.0)}
stability = pd.DataFrame({**loss_routes(20.0), **loss_routes(100.0)}).T
stability.index.names = ["g", "route (CE = cross-entropy)"]
print(f"exact loss ln(2 + e^g): g = 20: {exact[20.0]:.4f}, g = 100: {exact[100.0]:.4f}")
print(f"backend: {keras.backend.backend()}; -ln(1e-7) = {-np.log(1e-7):.4f}")
logits_row = {gap: stability.loc[(gap, "from_logits=True")] for gap in exact}
naive_row = {gap: stability.loc[(gap, "naive e^z/sum(e^z) -> CE")] for gap in exact}
ck.claim(
    all(abs(logits_row[gap]["loss"] - exact[gap]) < 1e-3 for gap in exact)
    and np.allclose(logits_row[20.0]["dL/dz"], [-1, 0, 1], atol=1e-3)
    and abs(naive_row[20.0]["loss"] + np.log(1e-7)) < 1e-3
    and not np.any(naive_row[20.0]["dL/dz"])
    and np.isnan(naive_row[100.0]["loss"]),
    f"from_logits=True gives the exact loss ({logits_row[20.0]['loss']:.3f} and"
    f" {logits_row[100.0]['loss']:.3f}) and the gradient (−1, 0, 1); naive probabilities stop at"
    f" {naive_row[20.0]['loss']:.3f} = −ln(1e-7) with gradient 0 for g = 20, and give"
    f" {naive_row[100.0]['loss']} for g = 100",
)
stability

# %% [markdown]
# `from_logits=True` computes $\ln \sum_j e^{z_j} - z_{\text{true}}$ directly (the maximum is
# subtracted first, as in the stable softmax), so the loss stays exact and the gradient stays
# $(-1, 0, 1)$. The naive probabilities fail twice. For $g = 20$ the true class's probability,
# $1 / (2 + e^{20}) \approx 2 \times 10^{-9}$, is below the clip $10^{-7}$: the loss stops at
# $-\ln 10^{-7} = 16.118$ and, since clipping has no slope, the gradient is exactly 0, so the
# network learns nothing from its most confident mistakes. For $g = 100$, $e^{100}$ overflows
# float32 and the loss is `nan`. The middle route, `Keras softmax -> CE`, matched
# `from_logits=True` in this run (backend printed above): on TensorFlow, Keras recognises the
# output of its own softmax and computes the loss from the logits behind it. Its JAX and PyTorch
# backends have no such shortcut and clip (so the Keras source reads; this TensorFlow run cannot
# show it), so there, too, pass logits with `from_logits=True`.
#
# **Answer:** inputs need not be in $(0, 1)$, though scaling them makes training much easier;
# what enters cross-entropy must be probabilities, or you must say `from_logits=True`, which is
# also the numerically safe choice.

# %% [markdown]
# ## 15. Students' question 4: PyTorch's `F.nll_loss` in Keras terms
#
# PyTorch's `F.nll_loss(log_probs, target)` expects **log-probabilities** (from
# `F.log_softmax`) and **class indices**, and returns the negative log-likelihood
# $-\frac{1}{N}\sum_{n} \text{log\_probs}[n, \text{target}[n]]$. It applies no softmax itself. `F.cross_entropy(logits, target)`
# is `log_softmax` followed by `nll_loss`. In Keras:
#
# | PyTorch | Keras |
# |---|---|
# | `F.cross_entropy(logits, y)` | `SparseCategoricalCrossentropy(from_logits=True)(y, logits)` |
# | `F.nll_loss(F.log_softmax(logits, dim=1), y)` | the same number |
# | softmax in the model, then NLL of its log | `SparseCategoricalCrossentropy()(y, softmax(logits))` |
# | one-hot targets | `CategoricalCrossentropy(...)` instead of `Sparse...` |
#
# *Sparse* means integer labels, *categorical* one-hot labels; *from_logits* says whether the
# softmax is still to be applied. All variants on the same logits:

# %%
# NBVAL_CHECK_OUTPUT
batch_logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0], [1.2, 0.2, 3.0], [0.0, 0.0, 0.0]])
targets = np.array([0, 1, 2, 1])
onehot = np.eye(3)[targets]
softmax_probs = keras.activations.softmax(batch_logits)
nll = -scratch.log_softmax(batch_logits)[np.arange(len(targets)), targets].mean()
variants = {
    "Sparse CE, from_logits=True": keras.losses.SparseCategoricalCrossentropy(from_logits=True)(
        targets, batch_logits
    ),
    "Categorical CE (one-hot), from_logits=True": keras.losses.CategoricalCrossentropy(
        from_logits=True
    )(onehot, batch_logits),
    "softmax, then Sparse CE": keras.losses.SparseCategoricalCrossentropy()(targets, softmax_probs),
    "softmax, then Categorical CE": keras.losses.CategoricalCrossentropy()(onehot, softmax_probs),
    "nll = -log_softmax picked at the label (NumPy)": nll,
    "ck.scratch sparse CE from logits": scratch.sparse_categorical_cross_entropy_from_logits(
        targets, batch_logits
    ),
}
variants = pd.Series({name: round(float(value), 4) for name, value in variants.items()})
print(variants.to_string())
assert np.allclose(variants.to_numpy(), nll, atol=1e-4)
print(
    f"\nmistake: nll on raw logits, -mean(logit at label) = {-batch_logits[np.arange(4), targets].mean():.4f}"
)

# %% [markdown]
# Every correct variant gives the same number. The last line is the classic PyTorch bug:
# `F.nll_loss` on raw logits (without `log_softmax`) just averages $-z_{\text{label}}$, which
# is not a loss at all (it can go negative and falls forever by inflating logits).
#
# ## 16. Recap
#
# * A neuron computes $z = \mathbf{w}\cdot\mathbf{x} + b$ and an activation; logistic
#   regression is one neuron with a sigmoid, whose output is a probability.
# * Forward propagation computes the loss; backpropagation applies the chain rule backwards
#   (for sigmoid/softmax with cross-entropy, $\partial J/\partial z = p - y$ per sample,
#   $(p - y)/N$ for the mean over $N$ samples) and gradient descent updates
#   $w \leftarrow w - \alpha\,\partial J/\partial w$, with the learning rate $\alpha$ as the
#   step size.
# * Without a non-linear activation any stack of layers is one linear map (on the spirals, two
#   linear hidden layers did no better than the linear model); ReLU is cheap and does not
#   saturate for $z > 0$, while sigmoid/tanh saturate and their gradients vanish.
#   $H = (1, -2, 3, -4, 7)$ → step $(1, 0, 1, 0, 1)$, ReLU $(1, 0, 3, 0, 7)$.
# * Softmax: exponentiate, sum, divide; subtract the maximum first to avoid overflow. Among all
#   distributions with a given expected score, $\mathrm{softmax}(\lambda z)$ ($\lambda$ fixed by
#   that score) has the largest entropy: computed above against 20,000 random rivals.
# * Cross-entropy with a one-hot label is $-\ln p_{\text{true}}$: $-\ln 0.9 = 0.105$ in Keras
#   ($0.046$ with $\log_{10}$, as in the notes); it equals $H(p) + \mathrm{KL}(p\,\|\,q)$.
# * 1,840 samples, batch 8 → 230 iterations per epoch; 4,000 iterations ≈ 17 epochs.
#   Dense parameters $=$ inputs $\times$ units $+$ units.
# * The workflow: data → tensors → look → network → loss → optimizer → train → visualise →
#   analyse. Validation data come out of the training data; the test set is evaluated once, for
#   the final model. The MLP reached 0.8909 test accuracy on Fashion-MNIST (its claim: above
#   0.88).
# * A comparison of two set-ups is a comparison over seeds: `ck.compare_seeds` says "A beats B"
#   only when every seed of A is better than every seed of B.
# * Scale inputs for the optimiser's sake; feed cross-entropy probabilities or use
#   `from_logits=True`, which also keeps the loss exact and its gradient alive for confident
#   mistakes. `F.nll_loss` = sparse cross-entropy on log-probabilities.
#
# **Practice:** open `exercises/01_nn_basics.ipynb` (parameters, iterations and epochs, step
# and ReLU, a stable softmax, cross-entropy, a gradient-descent step, the two-layer network's
# shapes), with hints and checked answers.
