# %% [markdown]
# # 05 Recurrent networks (循环神经网络)
#
# Sequence data (序列数据) and time series (时间序列) have an order: later items depend on earlier
# ones. A word in a review depends on the words before it; tomorrow's temperature on today's.
# This chapter builds the recurrent neural network (RNN) from its one equation, checks it
# against Keras number for number, and then asks what it can and cannot remember.
#
# 1. The recurrence in NumPy and in Keras, on the same weights; the gated cells LSTM and GRU
# 2. The network unrolled in time (按时间展开) and backpropagation through time (BPTT) by hand
# 3. Fashion-MNIST read row by row: the hidden state (隐藏状态) along a real image
# 4. Parameter counts of SimpleRNN, LSTM and GRU
# 5. Feed-forward vs recurrent on a forecasting task
# 6. Word order: reviews where "good, not bad" and "bad, not good" use the same words
# 7. Long memory: the adding problem, vanishing gradients (梯度消失) at initialisation, the gates
# 8. Exploding gradients (梯度爆炸) and gradient clipping (梯度裁剪)
# 9. State across batches: `stateful=True` and resetting the state

# %%
import time

import keras
import numpy as np

import cnnkit as ck
from cnnkit.datasets import reviews
from cnnkit.datasets.sequences import (
    ADDING_BASELINE_MSE,
    adding_problem,
    forecasting_windows,
    image_rows,
    time_series,
)
from cnnkit.models.rnn import (
    bag_of_words_classifier,
    dense_sequence_regressor,
    exploding_rnn,
    input_gradient_norms,
    read_chunk,
    reset_recurrent_states,
    review_reader,
    row_classifier,
    sequence_regressor,
    set_gate_bias,
    stateful_reader,
)
from cnnkit.plots import sequences as sequence_plots
from cnnkit.scratch import (
    gru_forward,
    gru_step,
    lstm_forward,
    lstm_step,
    simple_rnn_bptt,
    simple_rnn_forward,
)
from cnnkit.training.gradients import gradients_by_sgd_step

# %% [markdown]
# ## 1. The recurrence
#
# A feed-forward network (dense or convolutional) has no memory: to read a sequence it must
# be given the whole sequence at once, flattened into one big vector. A recurrent network reads
# one item x_t per time step and carries a **state** (状态) s_t from step to step:
#
# $$s_t = f(U\,x_t + W\,s_{t-1} + b), \qquad o_t = g(V\,s_t)$$
#
# - U: input weights (input → state), W: recurrent weights (state → next state), V: output weights;
# - f is usually tanh, g whatever the task needs (softmax for classes, identity for a number);
# - **the same U, W, b, V at every step**: weight sharing through time, so the parameter count
#   does not depend on the length of the sequence;
# - s_0 = 0, and the state is reset for every new, independent sequence.
#
# Keras stores U as `kernel` with shape (inputs, units) and W as `recurrent_kernel`
# (units, units) and multiplies row vectors: s_t = f(x_t·kernel + s_{t-1}·recurrent_kernel + b).
# `cnnkit.scratch.simple_rnn_forward` is the loop written in NumPy. We run both on the **same
# weights**:

# %%
rng = np.random.default_rng(0)
x_seq = rng.normal(size=(2, 5, 3)).astype("float32")  # 2 sequences, 5 steps, 3 features per step

rnn_layer = keras.layers.SimpleRNN(4, return_sequences=True)  # 4 units, tanh
output_layer = keras.layers.Dense(2, activation="softmax")  # o_t = softmax(V s_t + c)
keras_states = keras.ops.convert_to_numpy(rnn_layer(x_seq))
keras_outputs = keras.ops.convert_to_numpy(output_layer(keras_states))

U, W, b = rnn_layer.get_weights()  # kernel, recurrent_kernel, bias
V, c = output_layer.get_weights()
numpy_states = simple_rnn_forward(x_seq, U, W, b)  # the for-loop over t in NumPy
logits = numpy_states @ V + c
numpy_outputs = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)

print("U", U.shape, " W", W.shape, " b", b.shape, " V", V.shape)
print(
    "states s_t:",
    numpy_states.shape,
    " max |NumPy - Keras| =",
    np.abs(numpy_states - keras_states).max(),
)
print(
    "outputs o_t:",
    numpy_outputs.shape,
    " max |NumPy - Keras| =",
    np.abs(numpy_outputs - keras_outputs).max(),
)
# ck.claim returns True; `_ =` keeps that True out of the cell's output
_ = ck.claim(
    max(np.abs(numpy_states - keras_states).max(), np.abs(numpy_outputs - keras_outputs).max())
    < 1e-5,
    "the NumPy recurrence gives Keras's SimpleRNN states and outputs to 1e-5 on the same weights",
)

# %% [markdown]
# The loop is the whole idea. Here it is without any helper, for the first sequence:

# %%
s = np.zeros(4)  # s_0 = 0
for t in range(5):
    s = np.tanh(x_seq[0, t] @ U + s @ W + b)  # the same U, W, b at every step
print("s_5 by hand:", np.round(s, 5))
assert np.allclose(s, keras_states[0, -1], atol=1e-5)

# %% [markdown]
# ### The gated cells: LSTM and GRU
#
# A SimpleRNN overwrites its whole state at every step. The gated cells compute, from the same
# x_t and previous state, numbers between 0 and 1 (gates, 门) that decide how much of the old
# state to keep and how much new content to write. In the chapter's notation (U reads x_t,
# W reads the previous state, row vectors as Keras stores them, σ the sigmoid, ⊙ element-wise):
#
# **LSTM** (long short-term memory, 长短期记忆网络), Keras's `LSTM`: a hidden state h_t and a
# cell state (细胞状态) c_t,
#
# $$\begin{aligned}
# i_t &= \sigma(x_t U_i + h_{t-1} W_i + b_i) && \text{input gate (输入门)}\\
# f_t &= \sigma(x_t U_f + h_{t-1} W_f + b_f) && \text{forget gate (遗忘门)}\\
# \tilde c_t &= \tanh(x_t U_c + h_{t-1} W_c + b_c) && \text{candidate cell state}\\
# o_t &= \sigma(x_t U_o + h_{t-1} W_o + b_o) && \text{output gate (输出门)}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t, \qquad h_t = o_t \odot \tanh(c_t)
# \end{aligned}$$
#
# Keras keeps the four blocks side by side in one `kernel` (inputs, 4n), one `recurrent_kernel`
# (n, 4n) and one `bias` (4n), in the order i, f, c, o. `cnnkit.scratch.lstm_step` is these six
# lines in NumPy:

# %%
ck.show_code(lstm_step)

# %%
lstm_layer = keras.layers.LSTM(4, return_sequences=True)
keras_lstm = keras.ops.convert_to_numpy(lstm_layer(x_seq))
numpy_lstm = lstm_forward(x_seq, *lstm_layer.get_weights())  # lstm_step for t = 1..5
print("LSTM weights:", [w.shape for w in lstm_layer.get_weights()])
lstm_difference = np.abs(numpy_lstm - keras_lstm).max()
print("max |NumPy - Keras| =", lstm_difference)
_ = ck.claim(lstm_difference < 1e-5, "the NumPy LSTM equations give Keras's LSTM outputs to 1e-5")

# %% [markdown]
# **GRU** (gated recurrent unit, 门控循环单元), Keras's `GRU` with its default
# `reset_after=True`: one state h_t, two gates,
#
# $$\begin{aligned}
# z_t &= \sigma(x_t U_z + h_{t-1} W_z + b_z) && \text{update gate (更新门)}\\
# r_t &= \sigma(x_t U_r + h_{t-1} W_r + b_r) && \text{reset gate (重置门)}\\
# \tilde h_t &= \tanh\big(x_t U_h + b_h + r_t \odot (h_{t-1} W_h + b'_h)\big) && \text{candidate state}\\
# h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
# \end{aligned}$$
#
# With z_t near 1 the state is kept, with z_t near 0 it is replaced by the candidate. (Some books
# swap z_t and 1 - z_t; the 2014 paper's form, Keras's `reset_after=False`, applies the reset
# before the product: h̃_t = tanh(x_t U_h + (r_t ⊙ h_{t-1}) W_h + b_h).) The blocks are stored
# in the order z, r, h; `bias` has two rows, b for the input part and b' for the recurrent part.

# %%
ck.show_code(gru_step)

# %%
gru_layer = keras.layers.GRU(4, return_sequences=True)
keras_gru = keras.ops.convert_to_numpy(gru_layer(x_seq))
numpy_gru = gru_forward(x_seq, *gru_layer.get_weights())  # gru_step for t = 1..5
print("GRU weights:", [w.shape for w in gru_layer.get_weights()])
gru_difference = np.abs(numpy_gru - keras_gru).max()
print("max |NumPy - Keras| =", gru_difference)
_ = ck.claim(gru_difference < 1e-5, "the NumPy GRU equations give Keras's GRU outputs to 1e-5")

# %% [markdown]
# ## 2. Unrolled in time, and backpropagation through time
#
# Drawn with its loop, an RNN is three boxes. Unrolled (展开) over T steps it looks like a
# T-layer feed-forward network in which **every layer has the same weights**.

# %%
sequence_plots.unrolled_rnn(steps=4)

# %% [markdown]
# Training applies the chain rule to this unrolled graph: backpropagation through time (BPTT,
# 随时间反向传播). Take a SimpleRNN, a Dense(1) on the last state o = s_T V + c and the loss
# L = (o - y)², averaged over the sequences. Write a_t = x_t U + s_{t-1} W + b, so s_t = tanh(a_t).
# Going backwards from the loss:
#
# $$\delta s_T = \frac{\partial L}{\partial o} V^\top, \qquad
# \delta a_t = \delta s_t \odot (1 - s_t^2), \qquad
# \delta s_{t-1} = \delta a_t\, W^\top$$
#
# and, because **the same W is used at every step**, its gradient is a **sum over the time steps**:
#
# $$\frac{\partial L}{\partial W} = \sum_{t=1}^{T} s_{t-1}^\top\, \delta a_t, \qquad
# \frac{\partial L}{\partial U} = \sum_{t=1}^{T} x_t^\top\, \delta a_t, \qquad
# \frac{\partial L}{\partial b} = \sum_{t=1}^{T} \delta a_t .$$
#
# `cnnkit.scratch.simple_rnn_bptt` is the loop from t = T down to 1:

# %%
ck.show_code(simple_rnn_bptt)

# %% [markdown]
# Keras's gradient of the same network, on any backend: one plain SGD step with learning rate 1
# moves every weight by exactly its gradient (w_new = w - 1·∂L/∂w), so ∂L/∂w = w - w_new.

# %%
ck.show_code(gradients_by_sgd_step)

# %% [markdown]
# A tiny case: 4 sequences of T = 3 steps with 2 features, a SimpleRNN of 3 units.

# %%
rng = np.random.default_rng(1)
x_small = rng.normal(size=(4, 3, 2)).astype("float32")
y_small = rng.normal(size=4).astype("float32")
keras.utils.set_random_seed(1)
small_rnn = sequence_regressor((3, 2), kind="rnn", units=3)
U, W, b = small_rnn.get_layer("rnn").get_weights()
V, c = small_rnn.get_layer("prediction").get_weights()

bptt_loss, numpy_gradients, dW_per_step = simple_rnn_bptt(x_small, y_small, U, W, b, V, c)
for t, term in enumerate(dW_per_step, start=1):
    print(f"step t = {t}: term s_{t - 1}^T δa_{t} of dL/dW has norm {np.linalg.norm(term):.4f}")
print("dL/dW = the sum of the three terms:")
print(np.round(numpy_gradients["W"], 4))

keras_gradients = gradients_by_sgd_step(small_rnn, x_small, y_small, loss="mse")
bptt_difference = 0.0
for name, (path, gradient) in zip(["U", "W", "b", "V", "c"], keras_gradients.items(), strict=True):
    difference = np.abs(numpy_gradients[name].reshape(gradient.shape) - gradient).max()
    bptt_difference = max(bptt_difference, difference)
    print(f"dL/d{name}  ({path}): max |NumPy BPTT - Keras| = {difference:.1e}")
_ = ck.claim(
    bptt_difference < 1e-5,
    "the gradient summed over the time steps by hand equals Keras's gradient to 1e-5 "
    "for all five weights",
)

# %% [markdown]
# One term per time step, added up: that is the "through time" in BPTT. The term of step 1 is
# zero here because s_0 = 0. Each step further back multiplies δ by one more Jacobian
# W^T·diag(1 - s_t²): section 7 measures what that product does over 100 steps.

# %% [markdown]
# ## 3. Fashion-MNIST read row by row
#
# An image is a sequence too: read it top to bottom, one row of 28 pixels per time step. The
# network sees row 1, updates its state, sees row 2, ... and after row 28 classifies the image
# from its last state s_28 alone. We use a GRU with 128 units (32 in quick mode); section 7
# shows why a gated cell rather than a SimpleRNN. The model, as the package builds it:

# %%
ck.show_code(row_classifier)

# %%
(x_train_img, y_train), (x_test_img, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
x_train_rows, x_test_rows = image_rows(x_train_img), image_rows(x_test_img)
print("training sequences:", x_train_rows.shape, "= (images, 28 steps, 28 features per step)")

units = 32 if ck.QUICK else 128
row_model = row_classifier(kind="gru", units=units)
ck.explain(row_model)

# %%
started = time.perf_counter()
row_model.compile(
    optimizer=keras.optimizers.Adam(2e-3),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
row_history = row_model.fit(
    x_train_rows,
    y_train,
    batch_size=128,
    epochs=2 if ck.QUICK else 4,
    validation_split=0.1,
    verbose=2,
)
row_loss, row_accuracy = row_model.evaluate(x_test_rows, y_test, verbose=0)
print(f"test accuracy of the row-by-row GRU: {row_accuracy:.3f}")
print(f"time: {time.perf_counter() - started:.0f} s")
_ = ck.claim(
    row_accuracy > 0.85,
    "a GRU that reads Fashion-MNIST one row per step classifies above 85% of the test images",
    full_only=True,
)

# %% [markdown]
# ### The hidden state along a real image
#
# What does the state do while the network reads? We feed one test image, the one with the most
# empty rows, to the NumPy GRU (`cnnkit.scratch.gru_forward`) with the **trained** weights and
# keep every s_t. The last one, passed through the trained output layer, must give the same
# prediction as Keras. The heat map shows the first 32 of the state's units (all of them in
# quick mode), one column per step.

# %%
image_index = int(np.argmax((x_test_rows.max(axis=2) == 0).sum(axis=1)))  # most empty rows
image = x_test_rows[image_index]
states = gru_forward(image, *row_model.get_layer("gru").get_weights())  # (28 steps, units)
V_out, c_out = row_model.get_layer("classes").get_weights()
logits = states[-1] @ V_out + c_out
numpy_probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
keras_probabilities = row_model.predict(image[None], verbose=0)[0]
names = ck.datasets.class_names("fashion_mnist")
print(f"true class: {names[y_test[image_index]]}, predicted: {names[keras_probabilities.argmax()]}")
ck.claim(
    np.abs(numpy_probabilities - keras_probabilities).max() < 1e-4,
    "the NumPy GRU with the trained weights gives Keras's class probabilities to 1e-4",
)
sequence_plots.hidden_state(states, image=image)

# %% [markdown]
# In the picture the pixel value 0 (empty background) is white. How much does the state move at
# each step? We measure ||s_t - s_{t-1}|| on the empty rows and on the rows that contain the
# garment:

# %%
state_change = np.linalg.norm(
    np.diff(np.vstack([np.zeros(states.shape[1]), states]), axis=0), axis=1
)
empty_rows = image.max(axis=1) == 0
print(f"empty rows: {empty_rows.sum()} of 28, garment rows: {(~empty_rows).sum()}")
print(f"mean ||s_t - s_(t-1)|| on empty rows   {state_change[empty_rows].mean():.3f}")
print(f"mean ||s_t - s_(t-1)|| on garment rows {state_change[~empty_rows].mean():.3f}")
_ = ck.claim(
    state_change[empty_rows].mean() < state_change[~empty_rows].mean(),
    "on this image the state moves less, on average, on empty rows than on rows with the garment",
)

# %% [markdown]
# On this one image the state moves less, on average, on the empty rows than on the rows with
# the garment (the claim above). Empty rows do not freeze the state: a row of zeros still
# passes through the biases and the recurrent weights W, so s_t can still change. Each unit is
# a feature computed over everything read so far.
#
# ## 4. Parameter counts: SimpleRNN, LSTM, GRU
#
# With m inputs per step and n units, one block of U (m × n), W (n × n) and a bias (n):
#
# | layer | parameters | for m = 28, n = 128 |
# |---|---|---|
# | SimpleRNN | n(m + n) + n | 20,096 |
# | LSTM (4 gates) | 4 · (n(m + n) + n) | 80,384 |
# | GRU, Keras `reset_after=True` (default) | 3 · (n(m + n) + 2n) | 60,672 |
# | GRU, `reset_after=False` (textbook) | 3 · (n(m + n) + n) | 60,288 |
#
# The length of the sequence appears nowhere: the same weights serve step 1 and step 1,000.
# Keras's default GRU keeps a second bias per gate because it applies the reset gate *after*
# the recurrent product (the cuDNN form). Formulas against Keras:

# %%
# NBVAL_CHECK_OUTPUT
m, n = 28, 128
cases = [
    ("SimpleRNN", ck.formulas.simple_rnn_params(m, n), keras.layers.SimpleRNN(n)),
    ("LSTM", ck.formulas.lstm_params(m, n), keras.layers.LSTM(n)),
    ("GRU", ck.formulas.gru_params(m, n), keras.layers.GRU(n)),
    (
        "GRU reset_after=False",
        ck.formulas.gru_params(m, n, reset_after=False),
        keras.layers.GRU(n, reset_after=False),
    ),
]
for name, formula, layer in cases:
    layer.build((None, 30, m))
    print(f"{name:22s} formula {formula:7,d}   Keras {layer.count_params():7,d}")
    assert formula == layer.count_params()

# %% [markdown]
# ## 5. Feed-forward vs recurrent on the same sequence task
#
# A generated signal with a trend, a seasonality (季节性, period 50) and noise. The task:
# from the last 48 values, predict the next one (forecasting, 预测).
#
# - the **dense** network sees the 48 values flattened into one vector, all at once;
# - the **recurrent** network (SimpleRNN, 16 units) reads them one per step.

# %%
ck.show_code(dense_sequence_regressor, sequence_regressor)

# %%
started = time.perf_counter()
t, series = time_series(1200, seed=0)
window, split = 48, 1000
x_fc_train, y_fc_train = forecasting_windows(series[:split], window)
x_fc_test, y_fc_test = forecasting_windows(series[split - window :], window)

keras.utils.set_random_seed(0)
dense_fc = dense_sequence_regressor((window, 1), hidden=32)
rnn_fc = sequence_regressor(
    (None, 1), kind="rnn", units=16
)  # any length: weights shared through time
forecasts, errors = {}, {}
for name, model in [("dense (flattened)", dense_fc), ("SimpleRNN (step by step)", rnn_fc)]:
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    model.fit(x_fc_train, y_fc_train, batch_size=32, epochs=3 if ck.QUICK else 30, verbose=0)
    forecasts[name] = model.predict(x_fc_test, verbose=0)
    errors[name] = float(np.abs(forecasts[name][:, 0] - y_fc_test).mean())
    print(f"{name:26s} parameters {model.count_params():5,d}   test MAE {errors[name]:.3f}")
naive_mae = float(np.abs(x_fc_test[:, -1, 0] - y_fc_test).mean())
print(f"{'repeat the last value':26s} parameters     0   test MAE {naive_mae:.3f}")
print(f"time: {time.perf_counter() - started:.0f} s")
ck.claim(
    rnn_fc.count_params() < dense_fc.count_params() / 4,
    "the SimpleRNN has less than a quarter of the dense network's parameters",
)
ck.claim(
    errors["dense (flattened)"] < 0.95 * naive_mae,
    "the dense network's test MAE is more than 5% below that of repeating the last value",
    full_only=True,
)
_ = ck.claim(
    abs(errors["SimpleRNN (step by step)"] - naive_mae) < 0.05 * naive_mae,
    "the SimpleRNN's test MAE is within 5% of that of repeating the last value",
    full_only=True,
)

# %%
sequence_plots.forecast(t, series, split, forecasts)

# %% [markdown]
# The dense network, which sees all 48 values at once, forecasts better than repeating the last
# value (its test MAE is more than 5% lower, the claim above). The SimpleRNN, with less than a
# quarter of the parameters, ends within 5% of that baseline in this training budget: on a short
# window, reading step by step is not by itself an advantage. What the recurrent network gains
# is a size that does not grow with the window, while the dense network's first layer does:

# %%
# NBVAL_CHECK_OUTPUT
for length in (12, 48, 200, 1000):
    dense_count = ck.formulas.dense_params(length, 32) + ck.formulas.dense_params(32, 1)
    rnn_count = ck.formulas.simple_rnn_params(1, 16) + ck.formulas.dense_params(16, 1)
    print(f"window {length:5d}: dense {dense_count:7,d} parameters   SimpleRNN {rnn_count:4,d}")

# %% [markdown]
# ## 6. Word order: "good, not bad" and "bad, not good"
#
# The syllabus's example is the IMDB movie reviews: a feed-forward network must turn a review
# into one fixed vector, for instance "multi-hot" (which of the vocabulary's words occur), and
# that vector has lost the order of the words; a recurrent network reads the words in order.
# IMDB is a 17 MB download, so this chapter makes its own small corpus (语料) where the order
# is **everything**: every review asserts one word and negates another with "not".
# A positive review asserts a positive word and negates a negative one ("the movie was good ,
# not bad"), a negative review the opposite ("the movie was bad , not good"). Both classes draw
# their words from the same lists with the same templates (`cnnkit.datasets.reviews`).

# %%
review_train, label_train = reviews.negation_reviews(600 if ck.QUICK else 3000, seed=1)
review_test, label_test = reviews.negation_reviews(500 if ck.QUICK else 1000, seed=2)
print(
    f"{len(reviews.VOCABULARY)} words in the vocabulary; reviews padded to {review_train.shape[1]} ids"
)
for ids, label in zip(review_train[:4], label_train[:4], strict=True):
    print(f"{'positive' if label else 'negative'}: {reviews.decode(ids)}")

# %% [markdown]
# The multi-hot vectors of two reviews with opposite meanings:

# %%
praise = reviews.encode("the movie was good , not bad")
pan = reviews.encode("the movie was bad , not good")
praise_vector, pan_vector = reviews.multi_hot(praise), reviews.multi_hot(pan)
print("word ids, praise:", praise, "  pan:", pan)
_ = ck.claim(
    np.array_equal(praise_vector, pan_vector),
    "'good , not bad' and 'bad , not good' have the same multi-hot vector",
)

# %% [markdown]
# The two networks: a dense network on the multi-hot vector, and an Embedding (词嵌入: one
# learned vector per word) followed by a GRU that reads the words in order.

# %%
ck.show_code(bag_of_words_classifier, review_reader)

# %%
started = time.perf_counter()
keras.utils.set_random_seed(0)
review_models = {
    "dense on multi-hot": (
        bag_of_words_classifier((len(reviews.VOCABULARY),)),
        reviews.multi_hot(review_train),
        reviews.multi_hot(review_test),
    ),
    "Embedding + GRU": (
        review_reader(kind="gru", vocabulary_size=len(reviews.VOCABULARY)),
        review_train,
        review_test,
    ),
}
review_accuracy = {}
for name, (model, inputs, test_inputs) in review_models.items():
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"]
    )
    model.fit(inputs, label_train, batch_size=64, epochs=2 if ck.QUICK else 6, verbose=0)
    review_accuracy[name] = model.evaluate(test_inputs, label_test, verbose=0)[1]
    print(
        f"{name:20s} parameters {model.count_params():6,d}   test accuracy {review_accuracy[name]:.3f}"
    )
print(f"time: {time.perf_counter() - started:.0f} s")
ck.claim(
    review_accuracy["dense on multi-hot"] < 0.6,
    "the dense network on multi-hot vectors stays below 60% test accuracy (chance is 50%)",
)
_ = ck.claim(
    review_accuracy["Embedding + GRU"] > 0.95,
    "the GRU reading the words in order classifies above 95% of the test reviews",
    full_only=True,
)

# %% [markdown]
# The multi-hot vector cannot separate the classes, whatever the network after it: by
# construction both classes produce the same vectors ("good , not bad" and "bad , not good"
# share theirs), and the dense network stays below 60% (the claim above; chance is 50%).
# Reading in order, the GRU can learn that the word after "not" counts the other way: it
# classifies above 95% of the test reviews (the second claim).
#
# With IMDB on the machine (`ck.datasets.load("imdb", num_words=10_000)`, see the README for the
# file and mirrors) the same two builders apply: `reviews.multi_hot(ids, 10_000)` for the dense
# network, `keras.utils.pad_sequences(ids, maxlen=200)` for `review_reader(kind="lstm", vocabulary_size=10_000)`.
#
# ## 7. Long memory: the adding problem
#
# Each step carries a random number in [0, 1] and a marker; exactly two steps are marked, one
# in each half. The target is the **sum of the two marked numbers**. To answer, the network
# must keep the first marked number in its state for up to T steps. Always answering 1.0 gives
# a mean squared error of 1/6 ≈ 0.167: anything at that level has learned nothing.

# %%
x_add, y_add = adding_problem(3, 10, seed=0)
print("values :", np.round(x_add[0, :, 0], 2))
print("markers:", x_add[0, :, 1])
print("target :", round(float(y_add[0]), 3))

# %% [markdown]
# We train a SimpleRNN, an LSTM and a GRU (32 units each, the same data, the same budget) for
# a short (T = 10) and a longer (T = 30) sequence (quick mode: only T = 30).

# %%
started = time.perf_counter()
lengths = (30,) if ck.QUICK else (10, 30)  # quick mode: only the longer sequence
train_count, epochs = (500, 1) if ck.QUICK else (4000, 10)
adding_results = {"SimpleRNN": {}, "LSTM": {}, "GRU": {}}
for length in lengths:
    x_add, y_add = adding_problem(train_count, length, seed=1)
    x_add_test, y_add_test = adding_problem(1000, length, seed=2)
    for name, kind in [("SimpleRNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru")]:
        keras.utils.set_random_seed(0)
        model = sequence_regressor((length, 2), kind=kind, units=32)
        model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
        model.fit(x_add, y_add, batch_size=64, epochs=epochs, verbose=0)
        adding_results[name][length] = model.evaluate(x_add_test, y_add_test, verbose=0)
        print(f"T = {length:3d}  {name:9s} test MSE {adding_results[name][length]:.4f}")
print(f"time: {time.perf_counter() - started:.0f} s")
ck.claim(
    adding_results["SimpleRNN"][30] > 0.1,
    "with T = 30 the SimpleRNN's test MSE stays above 0.1, near the baseline 0.167",
    full_only=True,
)
ck.claim(
    adding_results["LSTM"][30] < 0.05 and adding_results["GRU"][30] < 0.05,
    "with T = 30 the LSTM and the GRU reach a test MSE below 0.05",
    full_only=True,
)
sequence_plots.adding_results(adding_results, ADDING_BASELINE_MSE)

# %% [markdown]
# ### Vanishing gradients, measured at initialisation
#
# Why does the SimpleRNN fail at T = 30? Training needs a gradient that reaches the early
# steps. In a SimpleRNN the gradient reaching step t of T is a product of T - t Jacobians
# W^T·diag(1 - s²) (section 2); when they shrink it, it shrinks geometrically: the
# **vanishing gradient** (梯度消失).
#
# We measure it on **freshly initialised** networks (no training) over a long sequence,
# T = 100: ||∂L/∂x_t||, the gradient of the loss (computed after step 100) with respect to the
# input of step t, divided by its value at t = 100, for 3 random initialisations (1 in quick
# mode): the median of the ratio at step 1 is printed with its range over the
# initialisations, and the figure shows the geometric mean
# over the initialisations at every step. Five networks: the three cells with Keras's default
# initialisation, and the LSTM and the GRU with their memory gate opened by a bias of 5
# (forget gate f_t ≈ σ(5) ≈ 0.993 for the LSTM, update gate z_t ≈ 0.993 for the GRU, as long
# as the other terms inside the sigmoid are small):

# %%
ck.show_code(set_gate_bias)

# %%
started = time.perf_counter()
T = 100
x_long, y_long = adding_problem(64 if ck.QUICK else 256, T, seed=3)
variants = {
    "SimpleRNN": ("rnn", None),
    "LSTM (Keras default)": ("lstm", None),
    "GRU (Keras default)": ("gru", None),
    "LSTM, forget-gate bias 5": ("lstm", 5.0),
    "GRU, update-gate bias 5": ("gru", 5.0),
}
shrink, curves = {}, {}
for name, (kind, gate_bias) in variants.items():
    ratios, logs = [], []
    for seed in range(1 if ck.QUICK else 3):
        keras.utils.set_random_seed(seed)
        model = sequence_regressor((T, 2), kind=kind, units=32)
        if gate_bias is not None:
            set_gate_bias(model.get_layer(kind), gate_bias)
        norms = np.maximum(input_gradient_norms(model, x_long, y_long), 1e-30)
        ratios.append(norms[0] / norms[-1])
        logs.append(np.log(norms / norms[-1]))
    shrink[name] = float(np.median(ratios))
    curves[name] = np.exp(np.mean(logs, axis=0))  # geometric mean over the initialisations
    print(
        f"{name:26s} ||dL/dx_1|| / ||dL/dx_100||: median {shrink[name]:.1e}"
        f"  (from {min(ratios):.1e} to {max(ratios):.1e})"
    )
print(f"time: {time.perf_counter() - started:.0f} s")
ck.claim(
    shrink["SimpleRNN"] < 1e-2,
    "at initialisation, the SimpleRNN's gradient at step 1 is over 100 times smaller than at step 100",
)
ck.claim(
    shrink["LSTM (Keras default)"] < 1e-2 and shrink["GRU (Keras default)"] < 1e-2,
    "with Keras's default initialisation, the LSTM's and the GRU's gradients also shrink over "
    "100 times from step 100 back to step 1",
)
ck.claim(
    max(shrink["LSTM (Keras default)"], shrink["GRU (Keras default)"]) < shrink["SimpleRNN"],
    "with Keras's default initialisation, the LSTM's and the GRU's median ratios are smaller "
    "than the SimpleRNN's",
    full_only=True,  # a median over 3 initialisations; one initialisation can reverse the LSTM's
)
ck.claim(
    min(shrink["LSTM, forget-gate bias 5"], shrink["GRU, update-gate bias 5"]) > 1e-2
    and min(shrink["LSTM, forget-gate bias 5"], shrink["GRU, update-gate bias 5"])
    > 100 * shrink["SimpleRNN"],
    "with the memory gate opened, the LSTM's and the GRU's gradients at step 1 keep more than 1% "
    "of their size at step 100, over 100 times more than the SimpleRNN's",
)
sequence_plots.gradient_norms(curves, relative=True)

# %% [markdown]
# What the measurement shows:
#
# - In the SimpleRNN the gradient reaching step 1 has passed through 99 Jacobians
#   W^T·diag(1 - s_t²) and is more than 100 times smaller than at step 100 (the printed median).
#   The learning signal for remembering step 1 is that much weaker.
# - At Keras's default initialisation the gated cells shrink too: the LSTM's forget gate starts
#   near σ(1) ≈ 0.73 (Keras adds 1 to its bias) and the GRU's update gate near σ(0) = 0.5, and
#   the gradient along the cell is multiplied by that gate at every step.
# - The gates are numbers the network sets. Along the LSTM's cell state
#   c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t, the factor from c_t back to c_{t-1} is f_t. With f_t
#   near 1 (bias 5), at the same depth of 100 steps, the gradient at step 1 keeps more than 1%
#   of its size at step 100, over 100 times more than the SimpleRNN's (the fourth claim). The
#   GRU's h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t does the same with z_t. A SimpleRNN has no
#   gate: its per-step factor W^T·diag(1 - s_t²) is fixed by W and tanh', with no number per
#   unit that can be set near 1.
#
# So at initialisation the default gated cells also lose the signal from step 1 (the second
# claim), in the median even more than the SimpleRNN: their median ratios are smaller than the
# SimpleRNN's (the third claim; the figure shows all five curves). The printed ranges show how
# much each ratio depends on the initialisation, so this ordering holds for these medians, not for
# every initialisation. The gated cells do not start out better at carrying the gradient; what
# differs is that their gate biases are trainable weights, and the bias-5 rows show that with
# opened gates the gradient at step 1 keeps more than 1%. On the adding problem above, the trained
# LSTM and GRU (Keras's default initialisation) reached the low test MSE at T = 30 that the
# SimpleRNN did not; whether training opened their gates is a plausible reading that this chapter
# does not measure (it does not inspect the gates after training).
#
# ## 8. Exploding gradients and gradient clipping
#
# When the factors are larger than 1 the product grows instead: exploding gradients
# (梯度爆炸). A SimpleRNN with ReLU and recurrent weights W = 2 · (an orthogonal matrix)
# stretches the gradient up to 2× per step backwards (ReLU's derivative is 0 or 1). With plain
# SGD, oversized gradient steps throw the weights so far that the loss becomes NaN (the claim
# below).
#
# Gradient clipping (梯度裁剪) limits the step, an option of every Keras optimizer:
#
# - `clipnorm=1.0`: each weight's gradient g is rescaled to g · 1/||g|| when ||g|| > 1 (the
#   direction is kept; `global_clipnorm` does the same with the norm over all weights together);
# - `clipvalue=0.1`: every component is cut to [-0.1, 0.1] (the direction can change).

# %%
ck.show_code(exploding_rnn)

# %%
started = time.perf_counter()
T_explode = 20
x_ex, y_ex = adding_problem(500 if ck.QUICK else 2000, T_explode, seed=4)
keras.utils.set_random_seed(0)
gradient = gradients_by_sgd_step(exploding_rnn((T_explode, 2)), x_ex[:256], y_ex[:256], loss="mse")
initial_norm = float(np.sqrt(sum((g.astype(float) ** 2).sum() for g in gradient.values())))
print(f"gradient norm at initialisation (all weights): {initial_norm:,.0f}")
clip_losses = {}
for name, options in [
    ("no clipping", {}),
    ("clipnorm=1.0", {"clipnorm": 1.0}),
    ("clipvalue=0.1", {"clipvalue": 0.1}),
]:
    keras.utils.set_random_seed(0)
    model = exploding_rnn((T_explode, 2))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, **options), loss="mse")
    history = model.fit(x_ex, y_ex, batch_size=64, epochs=3 if ck.QUICK else 8, verbose=0)
    clip_losses[name] = history.history["loss"]
    print(f"{name:14s} training loss per epoch: " + " ".join(f"{v:.3g}" for v in clip_losses[name]))
print(f"time: {time.perf_counter() - started:.0f} s")
ck.claim(initial_norm > 1000, "the gradient norm at initialisation is above 1,000")
ck.claim(
    not np.isfinite(clip_losses["no clipping"][-1]),
    "without clipping, SGD's training loss becomes NaN",
)
ck.claim(
    all(
        np.all(np.isfinite(clip_losses[name])) and clip_losses[name][-1] < 0.3
        for name in ("clipnorm=1.0", "clipvalue=0.1")
    ),
    "with clipnorm=1.0 and with clipvalue=0.1 the loss stays finite and ends below 0.3",
    full_only=True,
)
ck.claim(
    min(clip_losses["clipnorm=1.0"][-1], clip_losses["clipvalue=0.1"][-1]) > 0.15,
    "with clipnorm=1.0 and with clipvalue=0.1 the final training loss stays above 0.15 "
    "(always answering 1.0 gives 0.167)",
)
sequence_plots.loss_curves(clip_losses)

# %% [markdown]
# Clipping does not remove the cause (the network's gradient is still huge); it keeps one bad
# step from destroying the weights, so training goes on. What clipping buys is stability, not
# learning: the third claim checks only that the loss stays finite and ends below 0.3, and the
# fourth that it stays above 0.15, while always answering 1.0 already gives 0.167. In these
# epochs the clipped SimpleRNN has not learned the adding problem: its final loss is not clearly
# below that of the constant answer (compare the printed final losses with 0.167).
#
# ## 9. State across batches: `stateful=True` and its reset
#
# By default a Keras recurrent layer starts every sequence from s_0 = 0. With `stateful=True`
# the last state of one batch becomes the first state of the next: sample i of each batch
# continues sample i of the previous batch. That lets a long sequence be fed in chunks, and it
# means **the state must be reset** (`layer.reset_states()`; Keras 3 has no
# `model.reset_states()`, hence the helper that loops over the layers) before an independent
# sequence, or the new sequence is read as if it continued the old one.

# %%
ck.show_code(stateful_reader, read_chunk, reset_recurrent_states)

# %%
keras.utils.set_random_seed(0)
reader = stateful_reader((None, 3), units=4, batch_size=2)
U, W, b = reader.get_layer("rnn").get_weights()
long_sequences = rng.normal(size=(2, 10, 3)).astype("float32")  # 2 sequences of 10 steps
in_one_go = simple_rnn_forward(long_sequences, U, W, b, return_sequences=False)  # s_10

read_chunk(reader, long_sequences[:, :5])  # steps 1-5: the state s_5 is kept
in_chunks = read_chunk(reader, long_sequences[:, 5:])  # steps 6-10 start from s_5
print("s_10 read in one go  :", np.round(in_one_go[0], 4))
print("s_10 read in 2 chunks:", np.round(in_chunks[0], 4))
_ = ck.claim(
    np.abs(in_chunks - in_one_go).max() < 1e-5,
    "a stateful layer fed two chunks of 5 steps ends in the same state as one pass over 10 steps",
)

# %% [markdown]
# Now two new, independent sequences. Read fresh, they start from s_0 = 0. Fed to the stateful
# layer without a reset, they start from the state the long sequences left behind:

# %%
new_sequences = rng.normal(size=(2, 5, 3)).astype("float32")
fresh = simple_rnn_forward(new_sequences, U, W, b, return_sequences=False)
without_reset = read_chunk(reader, new_sequences)
reset_recurrent_states(reader)
with_reset = read_chunk(reader, new_sequences)
print("read fresh (s_0 = 0):", np.round(fresh[0], 4))
print("without reset       :", np.round(without_reset[0], 4))
print("after reset_states():", np.round(with_reset[0], 4))
ck.claim(
    np.abs(without_reset - fresh).max() > 1e-3,
    "without a reset, the new sequences end in a different state than when read fresh",
)
_ = ck.claim(
    np.abs(with_reset - fresh).max() < 1e-5,
    "after reset_states() the stateful layer reads the new sequences exactly as fresh ones",
)

# %% [markdown]
# Without the reset, the answer for a sequence depends on whatever was read before it: in
# training, the first steps of every new sequence would be learned from a wrong starting state,
# and in prediction the same input would get different outputs. Reset at every boundary between
# independent sequences (for example at the end of each epoch with a callback, or before each
# new text); keep the state only where the next batch really continues the previous one.
#
# ## Recap
#
# - An RNN reads one step at a time: s_t = f(U·x_t + W·s_{t-1} + b), o_t = g(V·s_t), with the
#   same U, W, V at every step; NumPy and Keras agree to 1e-5 on the same weights, for
#   SimpleRNN, LSTM (gates i, f, o and the cell c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t) and GRU
#   (gates z, r and h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t).
# - BPTT: the chain rule on the unrolled graph; the gradient of the shared W is the sum of one
#   term per time step, and the hand computation equals Keras's gradient to 1e-5.
# - Parameters do not depend on the sequence length: SimpleRNN n(m+n)+n, LSTM 4× that,
#   GRU 3·(n(m+n)+2n) with Keras's `reset_after=True`.
# - A feed-forward network needs the whole sequence as one vector: a multi-hot review loses
#   the word order, and "good, not bad" gets the same vector as "bad, not good"; on the
#   generated reviews the dense network stays below 60% and a GRU reading in order exceeds 95%.
# - On the forecasting window the dense network beat "repeat the last value" by more than 5%
#   and the SimpleRNN ended within 5% of it, with less than a quarter of the parameters.
# - At initialisation, over 100 steps, the gradient reaching step 1 shrinks more than 100 times in a
#   SimpleRNN (median of 3 initialisations), and in LSTM/GRU with Keras's defaults too; with the
#   memory gate open (bias 5) the LSTM and GRU keep more than 1% of it. Trained on the adding
#   problem with T = 30, the gated cells reached a test MSE below 0.05 and the SimpleRNN stayed
#   above 0.1.
# - With an exploding gradient (norm above 1,000) plain SGD's loss became NaN; with `clipnorm`
#   or `clipvalue` it stayed finite and ended below 0.3, but above 0.15: stable, yet not
#   clearly better than always answering 1.0 (0.167).
# - `stateful=True` carries the state across batches; reset it (`layer.reset_states()`)
#   between independent sequences.
#
# Practice: `exercises/05_rnn.ipynb` (parameter counts, one RNN step in NumPy, choosing the
# model, BPTT's sum over time, gradient clipping, the state after `reset_states()`).
