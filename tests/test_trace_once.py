"""cnnkit.trace_once: one trace of the train step per new model, the same numbers as Keras's own fit."""

import keras
import numpy as np
import pytest

from cnnkit import trace_once

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the double trace is TensorFlow's"
)


def _data(samples=64):
    rng = np.random.default_rng(0)
    return rng.normal(size=(samples, 8, 8, 1)).astype("float32"), rng.integers(0, 3, samples)


def _compiled_cnn():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
        ]
    )
    model.compile(
        keras.optimizers.Adam(0.01),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def _fit_counting_traces(model, *args, **kwargs):
    """Fit and count how often TensorFlow traced (ran the Python of) the train step."""
    traces = []
    keras_train_step = model.train_step

    def counted_train_step(data):
        traces.append(1)
        return keras_train_step(data)

    model.train_step = counted_train_step
    history = model.fit(*args, **kwargs)
    return history.history, len(traces)


@pytest.fixture
def keras_fit():
    """Keras's own fit for the test, whatever an earlier ck.setup() installed."""
    installed = keras.Model.fit is not trace_once._ORIGINAL_FIT
    trace_once.uninstall()
    yield
    if installed:
        trace_once.install()


def test_keras_alone_traces_twice_and_trace_once_traces_once_with_the_same_numbers(keras_fit):
    x, y = _data()
    keras_history, keras_traces = _fit_counting_traces(
        _compiled_cnn(), x, y, batch_size=16, epochs=3, verbose=0, validation_data=(x, y)
    )
    trace_once.install()
    ours_history, ours_traces = _fit_counting_traces(
        _compiled_cnn(), x, y, batch_size=16, epochs=3, verbose=0, validation_data=(x, y)
    )
    assert keras_traces == 2  # if Keras stops doing this, trace_once can go
    assert ours_traces == 1
    assert ours_history.keys() == keras_history.keys()
    for key, values in keras_history.items():
        np.testing.assert_allclose(ours_history[key], values, rtol=1e-6, err_msg=key)


def test_fit_on_a_dataset_builds_the_optimizer_only(keras_fit):
    import tensorflow as tf

    x, y = _data()
    model = _compiled_cnn()
    metric_variables = len(model.metrics_variables)
    assert trace_once.build_before_fit(model, tf.data.Dataset.from_tensor_slices((x, y)), None)
    assert model.optimizer.built
    assert len(model.metrics_variables) == metric_variables  # left to the first trace, as Keras
    trace_once.install()
    history, _ = _fit_counting_traces(
        model,
        tf.data.Dataset.from_tensor_slices((x, y)).batch(16),
        epochs=1,
        verbose=0,
        shuffle=False,
    )
    assert np.isfinite(history["loss"][0])


def test_models_it_leaves_alone(keras_fit):
    x, y = _data()
    uncompiled = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten()])
    assert not trace_once.build_before_fit(uncompiled, x, y)

    class CustomStep(keras.Model):
        def train_step(self, data):
            return super().train_step(data)

    inputs = keras.Input((8, 8, 1))
    custom = CustomStep(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(inputs)))
    custom.compile("adam", "sparse_categorical_crossentropy")
    assert not trace_once.build_before_fit(custom, x, y)
    assert not custom.optimizer.built


def test_stateful_rnn_keeps_its_state(keras_fit):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((5, 2), batch_size=4), keras.layers.SimpleRNN(3, stateful=True)]
    )
    model.compile("sgd", "mse")
    x = np.ones((4, 5, 2), "float32")
    model.predict(x, batch_size=4, verbose=0)
    state_before = [keras.ops.convert_to_numpy(v) for v in model.layers[0].states]
    assert trace_once.build_before_fit(model, x, np.zeros((4, 3), "float32"))
    assert model.optimizer.built
    for before, after in zip(state_before, model.layers[0].states, strict=True):
        np.testing.assert_array_equal(before, keras.ops.convert_to_numpy(after))


def test_fit_keeps_keras_signature_and_positional_arguments(keras_fit):
    trace_once.install()
    assert keras.Model.fit.__wrapped__ is trace_once._ORIGINAL_FIT
    x, y = _data(32)
    history = _compiled_cnn().fit(x, y, 16, 2, 0)  # batch_size, epochs, verbose by position
    assert len(history.history["loss"]) == 2
    trace_once.uninstall()
    assert keras.Model.fit is trace_once._ORIGINAL_FIT


def test_multi_input_model_is_left_to_keras_without_a_warning(keras_fit):
    import warnings

    images, labels = keras.Input((4,)), keras.Input((1,))
    joined = keras.layers.Concatenate()([images, labels])
    model = keras.Model([images, labels], keras.layers.Dense(3)(joined))
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.ones((8, 4), "float32")
    y = np.zeros((8,), "int64")
    trace_once.install()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert trace_once.build_before_fit(model, [x, y[:, None]], y)
        model.fit([x, y[:, None]], y, epochs=1, verbose=0)
    assert model.optimizer.built


def test_functional_model_built_with_a_list_of_one_input_gets_no_warning(keras_fit):
    import warnings

    inputs = keras.Input((8, 8, 1))
    model = keras.Model(
        inputs=[inputs], outputs=keras.layers.Dense(3)(keras.layers.Flatten()(inputs))
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = _data(16)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert trace_once.build_before_fit(model, x, y)
