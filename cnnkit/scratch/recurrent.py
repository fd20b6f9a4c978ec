"""Recurrent layers (循环神经网络) in NumPy with Keras's weight layout: SimpleRNN, LSTM, GRU.

The recurrence of the course, s_t = f(U x_t + W s_{t-1} + b), written with row vectors as
Keras stores it: s_t = f(x_t @ kernel + s_{t-1} @ recurrent_kernel + bias), where
``kernel = U^T`` has shape (inputs, units) and ``recurrent_kernel = W^T`` has shape
(units, units). The same weights are used at every time step (weight sharing through time).

Sequences are ``(T, inputs)`` for one sequence or ``(N, T, inputs)`` for a batch; the state
starts at zeros unless ``initial_state`` is given (it is reset for every new sequence).
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch._checks import as_float_array, check_ndim
from cnnkit.scratch.activations import get_activation, sigmoid


def _sequence(x_seq, kernel, units_per_gate: int | None = None, gates: int = 1):
    x = as_float_array(x_seq, "x_seq")
    check_ndim(x, (2, 3), "x_seq", "(T, inputs) for one sequence or (N, T, inputs) for a batch")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(kernel, (2,), "kernel", "(inputs, units) as in Keras")
    if kernel.shape[0] != x.shape[-1]:
        raise ValueError(
            f"kernel has {kernel.shape[0]} rows but each x_t has {x.shape[-1]} features; "
            f"kernel must have shape (inputs, {gates} * units)"
        )
    if kernel.shape[1] % gates:
        raise ValueError(f"kernel must have {gates} * units columns, got {kernel.shape[1]}")
    batched = x.ndim == 3
    return (x if batched else x[None]), kernel, batched


def _state(initial_state, n, units, dtype, name="initial_state"):
    if initial_state is None:
        return np.zeros((n, units), dtype=dtype)
    s = as_float_array(initial_state, name)
    s = np.broadcast_to(s, (n, units)) if s.shape in {(units,), (n, units)} else None
    if s is None:
        raise ValueError(f"{name} must have shape ({n}, {units}) or ({units},)")
    return s.astype(dtype, copy=True)


def _finish(outputs, batched, return_sequences):
    out = np.stack(outputs, axis=1) if return_sequences else outputs[-1]
    return out if batched else out[0]


def simple_rnn_forward(
    x_seq,
    U,
    W,
    b=None,
    activation="tanh",
    initial_state=None,
    return_sequences: bool = True,
):
    """SimpleRNN: s_t = f(x_t @ U + s_{t-1} @ W + b), Keras's ``SimpleRNN`` with its weights.

    ``U`` is Keras's ``kernel`` (inputs, units), ``W`` its ``recurrent_kernel`` (units, units),
    ``b`` its ``bias`` (units,). ``activation`` is a name or a function (default tanh).
    Returns every s_t, shape (N, T, units), or only the last, (N, units).
    """
    x, U, batched = _sequence(x_seq, U)
    units = U.shape[1]
    W = as_float_array(W, "W")
    if W.shape != (units, units):
        raise ValueError(f"W (recurrent_kernel) must have shape ({units}, {units}), got {W.shape}")
    b = np.zeros(units) if b is None else as_float_array(b, "b")
    if b.shape != (units,):
        raise ValueError(f"b must have shape ({units},), got {b.shape}")
    f = get_activation(activation)[0] if isinstance(activation, str) else activation
    s = _state(initial_state, x.shape[0], units, np.result_type(x, U))
    outputs = []
    for t in range(x.shape[1]):
        s = f(x[:, t] @ U + s @ W + b)
        outputs.append(s)
    return _finish(outputs, batched, return_sequences)


def _gate_weights(recurrent_kernel, bias, units: int, gates: int, bias_shape, note: str = ""):
    """Check a gated cell's recurrent kernel, shape (u, gates*u), and bias (zeros when None)."""
    recurrent_kernel = as_float_array(recurrent_kernel, "recurrent_kernel")
    if recurrent_kernel.shape != (units, gates * units):
        raise ValueError(
            f"recurrent_kernel must have shape ({units}, {gates * units}), "
            f"got {recurrent_kernel.shape}"
        )
    bias = np.zeros(bias_shape) if bias is None else as_float_array(bias, "bias")
    if bias.shape != bias_shape:
        raise ValueError(f"bias must have shape {bias_shape}{note}, got {bias.shape}")
    return recurrent_kernel, bias


def lstm_step(x_t, h, c, kernel, recurrent_kernel, bias):
    """One LSTM step with Keras's gate order (i, f, c, o) in the columns of the weights.

    z = x_t @ kernel + h @ recurrent_kernel + bias, split into four blocks of ``units``:
    i = sigmoid(z_i)  input gate,    f = sigmoid(z_f)  forget gate,
    g = tanh(z_c)     candidate,     o = sigmoid(z_o)  output gate;
    c_new = f * c + i * g,  h_new = o * tanh(c_new). Returns (h_new, c_new).
    """
    z = x_t @ kernel + h @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o)
    c_new = f * c + i * np.tanh(z_c)
    return o * np.tanh(c_new), c_new


def lstm_forward(
    x_seq,
    kernel,
    recurrent_kernel,
    bias=None,
    initial_state=None,
    return_sequences: bool = True,
    return_state: bool = False,
):
    """Run :func:`lstm_step` over a sequence, as ``keras.layers.LSTM`` (default activations).

    Weights have Keras's shapes: kernel (inputs, 4u), recurrent_kernel (u, 4u), bias (4u,).
    ``initial_state`` is ``(h0, c0)`` or None (zeros). With ``return_state=True`` returns
    ``(output, h_T, c_T)`` like Keras.
    """
    x, kernel, batched = _sequence(x_seq, kernel, gates=4)
    units = kernel.shape[1] // 4
    recurrent_kernel, bias = _gate_weights(recurrent_kernel, bias, units, 4, (4 * units,))
    dtype = np.result_type(x, kernel)
    h0, c0 = (None, None) if initial_state is None else initial_state
    h = _state(h0, x.shape[0], units, dtype, "initial h")
    c = _state(c0, x.shape[0], units, dtype, "initial c")
    outputs = []
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t], h, c, kernel, recurrent_kernel, bias)
        outputs.append(h)
    out = _finish(outputs, batched, return_sequences)
    if return_state:
        return out, (h if batched else h[0]), (c if batched else c[0])
    return out


def gru_step(x_t, h, kernel, recurrent_kernel, bias, reset_after: bool = True):
    """One GRU step with Keras's gate order (z, r, h) in the columns of the weights.

    In the chapter's notation (U = ``kernel`` reads x, W = ``recurrent_kernel`` reads h):
    z = sigmoid(x U_z + h W_z + b_z)  update gate,  r = sigmoid(x U_r + h W_r + b_r)  reset gate;
    reset_after=True (Keras's default, cuDNN's form): h~ = tanh(x U_h + b_h + r * (h W_h + b'_h)),
    with bias of shape (2, 3u): row 0 for the input part, row 1 for the recurrent part;
    reset_after=False (the 2014 paper): h~ = tanh(x U_h + (r * h) W_h + b_h), bias (3u,).
    h_new = z * h + (1 - z) * h~.
    """
    if reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros_like(bias)
    x_z, x_r, x_h = np.split(x_t @ kernel + input_bias, 3, axis=-1)
    w_z, w_r, w_h = np.split(recurrent_kernel, 3, axis=-1)
    rb_z, rb_r, rb_h = np.split(recurrent_bias, 3, axis=-1)
    z = sigmoid(x_z + h @ w_z + rb_z)
    r = sigmoid(x_r + h @ w_r + rb_r)
    if reset_after:
        candidate = np.tanh(x_h + r * (h @ w_h + rb_h))
    else:
        candidate = np.tanh(x_h + (r * h) @ w_h)
    return z * h + (1 - z) * candidate


def gru_forward(
    x_seq,
    kernel,
    recurrent_kernel,
    bias=None,
    initial_state=None,
    return_sequences: bool = True,
    reset_after: bool = True,
):
    """Run :func:`gru_step` over a sequence, as ``keras.layers.GRU`` (default activations).

    Weights have Keras's shapes: kernel (inputs, 3u), recurrent_kernel (u, 3u), bias (2, 3u)
    when ``reset_after=True`` (Keras's default) or (3u,) otherwise.
    """
    x, kernel, batched = _sequence(x_seq, kernel, gates=3)
    units = kernel.shape[1] // 3
    bias_shape = (2, 3 * units) if reset_after else (3 * units,)
    recurrent_kernel, bias = _gate_weights(
        recurrent_kernel, bias, units, 3, bias_shape, f" with reset_after={reset_after}"
    )
    h = _state(initial_state, x.shape[0], units, np.result_type(x, kernel))
    outputs = []
    for t in range(x.shape[1]):
        h = gru_step(x[:, t], h, kernel, recurrent_kernel, bias, reset_after)
        outputs.append(h)
    return _finish(outputs, batched, return_sequences)


def simple_rnn_bptt(x_seq, y, U, W, b, V, c):
    """Backpropagation through time (BPTT) for SimpleRNN(tanh) -> Dense(1) on the last state, MSE loss.

    Forward, for n = 1..N sequences of T steps (row vectors, Keras's layout):
        s_t = tanh(x_t U + s_{t-1} W + b),  s_0 = 0;   o = s_T V + c;   L = mean_n (o_n - y_n)².
    Backward, from the last step to the first (the chain rule on the unrolled graph):
        δs_T = dL/do · Vᵀ,  δa_t = δs_t ⊙ (1 - s_t²),  δs_{t-1} = δa_t Wᵀ,
        dL/dW = Σ_t s_{t-1}ᵀ δa_t,  dL/dU = Σ_t x_tᵀ δa_t,  dL/db = Σ_t Σ_n δa_t.
    The same W is used at every step, so its gradient is a SUM over the time steps.

    ``x_seq`` (N, T, inputs), ``y`` (N,). Returns ``(loss, gradients, dW_per_step)`` where
    ``gradients`` maps "U", "W", "b", "V", "c" to arrays shaped like the weights and
    ``dW_per_step`` (T, units, units) holds each step's term of dL/dW (they add up to it).
    """
    x = as_float_array(x_seq, "x_seq")
    check_ndim(x, (3,), "x_seq", "(N, T, inputs)")
    y = as_float_array(y, "y").reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"y has {len(y)} targets for {len(x)} sequences; give one target each.")
    V = as_float_array(V, "V")
    if V.ndim != 2 or V.shape[1] != 1:
        raise ValueError(f"V must have shape (units, 1) (Dense(1)'s kernel), got {V.shape}.")
    states = simple_rnn_forward(x, U, W, b)  # (N, T, units): s_1 .. s_T
    n, steps, units = states.shape
    previous = np.concatenate([np.zeros((n, 1, units)), states[:, :-1]], axis=1)  # s_0 .. s_{T-1}
    output = states[:, -1] @ V + c  # (N, 1)
    error = output[:, 0] - y
    loss = float(np.mean(error**2))
    d_output = (2.0 / n) * error[:, None]  # dL/do, (N, 1)
    gradients = {"V": states[:, -1].T @ d_output, "c": d_output.sum(axis=0)}
    d_state = d_output @ V.T  # δs_T, (N, units)
    dW_per_step = np.zeros((steps, units, units))
    dU, db = np.zeros_like(np.asarray(U, dtype=float)), np.zeros(units)
    for t in reversed(range(steps)):
        d_pre = d_state * (1.0 - states[:, t] ** 2)  # δa_t: through tanh' = 1 - s_t²
        dW_per_step[t] = previous[:, t].T @ d_pre
        dU += x[:, t].T @ d_pre
        db += d_pre.sum(axis=0)
        d_state = d_pre @ np.asarray(W).T  # δs_{t-1}: one more Jacobian Wᵀ·diag(tanh')
    gradients.update(U=dU, W=dW_per_step.sum(axis=0), b=db)
    return loss, gradients, dW_per_step
