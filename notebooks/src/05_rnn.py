# %% [markdown]
# # 05 Recurrent networks (循环神经网络)
#
# Sequence data (序列数据) and time series (时间序列) have an order: later items depend on earlier
# ones. A word in a review depends on the words before it; tomorrow's temperature on today's.
# This chapter builds the recurrent neural network (RNN) from its one equation, checks it
# against Keras number for number, and then asks what it can and cannot remember.
#
# 1. The recurrence in NumPy and in Keras, on the same weights
# 2. The network unrolled in time (按时间展开) and weight sharing through time (权值共享)
# 3. Fashion-MNIST read row by row: the hidden state (隐藏状态) along a real image
# 4. Parameter counts of SimpleRNN, LSTM and GRU
# 5. Feed-forward vs recurrent on a forecasting task
# 6. Long memory: the adding problem, vanishing gradients (梯度消失), LSTM and GRU
# 7. Text: IMDB movie reviews (optional, needs the download)

# %%
import keras
import numpy as np

import cnnkit as ck
from cnnkit.datasets.sequences import (
    ADDING_BASELINE_MSE,
    adding_problem,
    forecasting_windows,
    image_rows,
    time_series,
)
from cnnkit.models.rnn import (
    dense_sequence_regressor,
    input_gradient_norms,
    row_classifier,
    sequence_regressor,
)
from cnnkit.plots import sequences as sequence_plots
from cnnkit.scratch import gru_forward, lstm_forward, simple_rnn_forward

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
keras_states = np.asarray(rnn_layer(x_seq))
keras_outputs = np.asarray(output_layer(keras_states))

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
assert np.abs(numpy_states - keras_states).max() < 1e-5
assert np.abs(numpy_outputs - keras_outputs).max() < 1e-5

# %% [markdown]
# The loop is the whole idea. Here it is without any helper, for the first sequence:

# %%
s = np.zeros(4)  # s_0 = 0
for t in range(5):
    s = np.tanh(x_seq[0, t] @ U + s @ W + b)  # the same U, W, b at every step
print("s_5 by hand:", np.round(s, 5))
assert np.allclose(s, keras_states[0, -1], atol=1e-5)

# %% [markdown]
# The same check for the gated cell LSTM (long short-term memory, 长短期记忆网络), whose step
# computes four gates (input, forget, cell candidate, output) from the same x_t and s_{t-1}:

# %%
lstm_layer = keras.layers.LSTM(4, return_sequences=True)
keras_lstm = np.asarray(lstm_layer(x_seq))
numpy_lstm = lstm_forward(x_seq, *lstm_layer.get_weights())
print("LSTM weights:", [w.shape for w in lstm_layer.get_weights()])
print("max |NumPy - Keras| =", np.abs(numpy_lstm - keras_lstm).max())
assert np.abs(numpy_lstm - keras_lstm).max() < 1e-5

# %% [markdown]
# ## 2. Unrolled in time
#
# Drawn with its loop, an RNN is three boxes. Unrolled (展开) over T steps it looks like a
# T-layer feed-forward network in which **every layer has the same weights**. Backpropagation
# through this unrolled graph is called backpropagation through time (BPTT).

# %%
sequence_plots.unrolled_rnn(steps=4)

# %% [markdown]
# ## 3. Fashion-MNIST read row by row
#
# An image is a sequence too: read it top to bottom, one row of 28 pixels per time step. The
# network sees row 1, updates its state, sees row 2, ... and after row 28 classifies the image
# from its last state s_28 alone. We use a GRU (gated recurrent unit, 门控循环单元) with
# 128 units; the next sections explain why a gated cell rather than a SimpleRNN.

# %%
(x_train_img, y_train), (x_test_img, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
x_train_rows, x_test_rows = image_rows(x_train_img), image_rows(x_test_img)
print("training sequences:", x_train_rows.shape, "= (images, 28 steps, 28 features per step)")

units = 32 if ck.QUICK else 128
row_model = row_classifier("gru", units=units)
ck.explain(row_model)

# %%
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
assert row_accuracy > (0.5 if ck.QUICK else 0.85)

# %% [markdown]
# ### The hidden state along a real image
#
# What does the state do while the network reads? We feed one test image to the NumPy GRU
# (`cnnkit.scratch.gru_forward`) with the **trained** weights and keep every s_t. The last one,
# passed through the trained output layer, must give the same prediction as Keras.

# %%
image = x_test_rows[0]
states = gru_forward(image, *row_model.get_layer("gru").get_weights())  # (28 steps, units)
V_out, c_out = row_model.get_layer("classes").get_weights()
numpy_probabilities = keras.ops.softmax(states[-1] @ V_out + c_out).numpy()
keras_probabilities = row_model.predict(image[None], verbose=0)[0]
assert np.abs(numpy_probabilities - keras_probabilities).max() < 1e-4
names = ck.datasets.class_names("fashion_mnist")
print(f"true class: {names[y_test[0]]}, predicted: {names[keras_probabilities.argmax()]}")
sequence_plots.hidden_state(states, image=image)

# %% [markdown]
# Rows of black background (the top and bottom of the image) barely move the state; the state
# changes where the garment's outline changes. Each unit is a feature computed over everything
# read so far.
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
t, series = time_series(1200, seed=0)
window, split = 48, 1000
x_fc_train, y_fc_train = forecasting_windows(series[:split], window)
x_fc_test, y_fc_test = forecasting_windows(series[split - window :], window)

dense_fc = dense_sequence_regressor(window, hidden=32)
rnn_fc = sequence_regressor("rnn", units=16, steps=None)  # any length: weights shared through time
forecasts, errors = {}, {}
for name, model in [("dense (flattened)", dense_fc), ("SimpleRNN (step by step)", rnn_fc)]:
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mse")
    model.fit(x_fc_train, y_fc_train, batch_size=32, epochs=3 if ck.QUICK else 30, verbose=0)
    forecasts[name] = model.predict(x_fc_test, verbose=0)
    errors[name] = float(np.abs(forecasts[name][:, 0] - y_fc_test).mean())
    print(f"{name:26s} parameters {model.count_params():5,d}   test MAE {errors[name]:.3f}")
naive_mae = float(np.abs(x_fc_test[:, -1, 0] - y_fc_test).mean())
print(f"{'repeat the last value':26s} parameters     0   test MAE {naive_mae:.3f}")
assert rnn_fc.count_params() < dense_fc.count_params() / 4
if not ck.QUICK:
    assert errors["SimpleRNN (step by step)"] < naive_mae

# %%
sequence_plots.forecast(t, series, split, forecasts)

# %% [markdown]
# Both beat "repeat the last value". On this short window the dense network, which sees all 48
# values at once, reaches the lower error; the recurrent one gets close with about a fifth of
# the parameters, reading one value at a time. And its count does not grow with the window,
# while the dense network's first layer does:

# %%
# NBVAL_CHECK_OUTPUT
for length in (12, 48, 200, 1000):
    dense_count = ck.formulas.dense_params(length, 32) + ck.formulas.dense_params(32, 1)
    rnn_count = ck.formulas.simple_rnn_params(1, 16) + ck.formulas.dense_params(16, 1)
    print(f"window {length:5d}: dense {dense_count:7,d} parameters   SimpleRNN {rnn_count:4,d}")

# %% [markdown]
# ## 6. Long memory: the adding problem
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
# a short and a longer sequence.

# %%
lengths = (10, 30)
train_count, epochs = (500, 1) if ck.QUICK else (4000, 10)
adding_results, trained = {"SimpleRNN": {}, "LSTM": {}, "GRU": {}}, {}
for length in lengths:
    x_add, y_add = adding_problem(train_count, length, seed=1)
    x_add_test, y_add_test = adding_problem(1000, length, seed=2)
    for name, kind in [("SimpleRNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru")]:
        keras.utils.set_random_seed(0)
        model = sequence_regressor(kind, units=32, steps=length, features=2)
        model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
        model.fit(x_add, y_add, batch_size=64, epochs=epochs, verbose=0)
        adding_results[name][length] = model.evaluate(x_add_test, y_add_test, verbose=0)
        trained[name] = model  # the last one kept is the T = 30 model
        print(f"T = {length:3d}  {name:9s} test MSE {adding_results[name][length]:.4f}")
if not ck.QUICK:  # the quick run is too short to learn anything
    assert adding_results["SimpleRNN"][30] > 0.1 and adding_results["GRU"][30] < 0.05
sequence_plots.adding_results(adding_results, ADDING_BASELINE_MSE)

# %% [markdown]
# With T = 10 the SimpleRNN can learn the task; with T = 30 it stays at the baseline, while
# the gated cells learn it. Why? Look at the gradient of the loss (computed after the last
# step) with respect to each input x_t, measured with `tf.GradientTape` on the three networks
# just trained with T = 30:

# %%
norms = {}
for name, model in trained.items():
    norms[name] = input_gradient_norms(model, x_add_test[:256], y_add_test[:256])
    print(
        f"{name:9s} ||dL/dx_t|| at t = 1: {norms[name][0]:.1e}   at t = 30: {norms[name][-1]:.1e}"
    )
sequence_plots.gradient_norms(norms)

# %% [markdown]
# In a SimpleRNN the gradient reaching step t is a product of 100 - t Jacobians
# W^T·diag(tanh'), each usually shrinking it: the **vanishing gradient** (梯度消失). Early steps
# get almost no learning signal, so the network cannot learn to remember them. (When the
# factors are larger than 1 the product explodes instead: exploding gradients, 梯度爆炸.)
#
# LSTM and GRU add a **gated** path: the cell state is updated additively,
# c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t, and with the forget gate f_t near 1 the gradient flows back
# almost unchanged. That is exactly what the adding problem needs.
#
# ## 7. Text: IMDB movie reviews (optional)
#
# The syllabus's example: 50,000 movie reviews labelled positive or negative. A feed-forward
# network must turn a review into one fixed vector (here: which of the 10,000 most frequent
# words occur, "multi-hot"), losing the order; a recurrent one reads the words in order.
#
# The cells below need `imdb.npz` (17 MB, downloaded on first use or found in the Keras cache,
# see the README for mirrors). **Without it they print one line and do nothing**; they are the
# only optional cells of the chapter.

# %%
try:
    (imdb_train, imdb_y_train), (imdb_test, imdb_y_test) = ck.datasets.load(
        "imdb", num_words=10_000
    )
    HAVE_IMDB = True
except ck.datasets.DatasetNotFoundError:
    HAVE_IMDB = False
    print("IMDB is not available offline (imdb.npz not found): skipping the optional IMDB cells.")

# %%
if HAVE_IMDB:
    count = 2_000 if ck.QUICK else 25_000
    maxlen = 200
    multi_hot = np.zeros((count, 10_000), dtype="float32")
    for row, review in enumerate(imdb_train[:count]):
        multi_hot[row, review] = 1.0
    padded = keras.utils.pad_sequences(imdb_train[:count], maxlen=maxlen)
    padded_test = keras.utils.pad_sequences(imdb_test[:count], maxlen=maxlen)
    multi_hot_test = np.zeros((count, 10_000), dtype="float32")
    for row, review in enumerate(imdb_test[:count]):
        multi_hot_test[row, review] = 1.0
    bag = keras.Sequential(
        [
            keras.Input((10_000,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    reader = keras.Sequential(
        [
            keras.Input((maxlen,)),
            keras.layers.Embedding(10_000, 32),
            keras.layers.LSTM(32),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    for name, model, x, x_eval in [
        ("dense on multi-hot", bag, multi_hot, multi_hot_test),
        ("Embedding + LSTM", reader, padded, padded_test),
    ]:
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(x, imdb_y_train[:count], batch_size=128, epochs=1 if ck.QUICK else 3, verbose=0)
        accuracy = model.evaluate(x_eval, imdb_y_test[:count], verbose=0)[1]
        print(f"{name:20s} parameters {model.count_params():9,d}   test accuracy {accuracy:.3f}")

# %% [markdown]
# ## Recap
#
# - An RNN reads one step at a time: s_t = f(U·x_t + W·s_{t-1} + b), o_t = g(V·s_t), with the
#   same U, W, V at every step; NumPy and Keras agree to 1e-5 on the same weights.
# - Parameters do not depend on the sequence length: SimpleRNN n(m+n)+n, LSTM 4× that,
#   GRU 3·(n(m+n)+2n) with Keras's `reset_after=True`.
# - A dense network must see the whole sequence flattened, and its size grows with the length;
#   the recurrent network reads step by step with far fewer parameters.
# - Reading Fashion-MNIST row by row, a GRU classifies images from its last state.
# - Gradients through a SimpleRNN vanish over long sequences, so it cannot learn long memory;
#   the gates of LSTM and GRU keep the gradient alive and solve the adding problem.
#
# Practice: `exercises/05_rnn.ipynb` (parameter counts, one RNN step in NumPy, choosing the model).
