"""The practice topics that had none (issue 27) and the formula sheet they need.

Each topic: many seeds; the expected answer equals a computation written here apart from the
generator (the kit's formulas registry, its NumPy scratch code, or plain NumPy); the right
answer is accepted; each typical mistake, recomputed here, is refused with its named message;
garbage is never correct. The sheet: every formula a practice topic asks for is on it."""

from __future__ import annotations

import html
import math
import random

import numpy as np
import pytest

from cnnkit import formulas
from cnnkit.review.practice import REJECTED, make_problem
from cnnkit.review.topics import GENERATORS, TOPIC_INFO, sheet_entries

pytestmark = pytest.mark.comparison

SEEDS = range(25)
GARBAGE = ("abc", 0, -1.5, float("nan"), [1, 2], {"a": 1}, object(), None, "9" * 5000)


@pytest.fixture(autouse=True)
def _progress_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path / "cnnkit_home"))


def _problems(topic, seeds=SEEDS, kind="calculation"):
    generator = next(g for g in GENERATORS[topic] if g.kind == kind)
    return [make_problem(generator, random.Random(seed)) for seed in seeds]


def _refused(problem, value, words):
    result = problem.check(value)
    assert result.status == "incorrect", (problem.statement, value, result)
    assert words in result.message, (problem.statement, value, result.message)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --------------------------------------------------------------------------- one per topic


def _side(d):
    return formulas.conv_transpose_output_size(d["size"], d["kernel"], d["stride"], d["padding"])


def test_conv_transpose_size_against_the_formulas_registry():
    problems = _problems("conv_transpose_size")
    for problem in problems:
        d = problem.data
        side = _side(d)
        assert problem.answer == (side, side, d["filters"])
        assert problem.check(list(problem.answer)).status == "correct"
        _refused(problem, (side, side, d["filters"] + 1), "depth")
    # 'same' read as the painted strip (W1 - 1)·S + F, where the two differ
    same = [
        p for p in problems if p.data["padding"] == "same" and p.data["kernel"] != p.data["stride"]
    ]
    assert same
    for problem in same:
        d = problem.data
        strip = (d["size"] - 1) * d["stride"] + d["kernel"]
        _refused(problem, (strip, strip, d["filters"]), "W1·S")
    # an ordinary convolution's size where it is neither the answer nor the strip
    shrinking = [p for p in problems if p.data["kernel"] > 1 and p.data["size"] > 2]
    assert shrinking
    for problem in shrinking:
        d = problem.data
        ordinary = (d["size"] - d["kernel"]) // d["stride"] + 1
        _refused(problem, (ordinary, ordinary, d["filters"]), "ordinary convolution")


def test_conv_macs_against_the_formulas_registry():
    for problem in _problems("conv_macs"):
        d = problem.data
        padding = "same" if 'padding="same"' in problem.statement else "valid"
        side = formulas.conv_output_size(d["size"], d["kernel"], d["stride"], padding)
        macs = formulas.conv_macs(side, side, d["kernel"], d["channels"], d["filters"])
        assert problem.answer == macs
        assert problem.check(np.int64(macs)).status == "correct"
        _refused(problem, 2 * macs, "FLOPs")
        params = formulas.conv_params(d["kernel"], d["channels"], d["filters"])
        _refused(problem, params, "parameter count")


def test_separable_conv_against_the_registry_and_keras():
    import keras

    for problem in _problems("separable_conv"):
        d = problem.data
        weights = formulas.separable_conv_params(
            d["kernel"], d["channels"], d["filters"], use_bias=False
        )
        assert problem.answer == weights
        assert problem.check(weights).status == "correct"
        _refused(
            problem,
            formulas.conv_params(d["kernel"], d["channels"], d["filters"], use_bias=False),
            "standard convolution",
        )
        _refused(problem, d["kernel"] ** 2 * d["channels"], "pointwise")
    layer = keras.layers.SeparableConv2D(64, 3, use_bias=False)
    layer.build((None, 8, 8, 32))
    assert layer.count_params() == formulas.separable_conv_params(3, 32, 64, use_bias=False)


def test_conv_values_against_numpy_sliding_windows():
    from numpy.lib.stride_tricks import sliding_window_view

    for problem in _problems("conv_values"):
        image = np.array(problem.data["image"])
        kernel = np.array(problem.data["kernel"])
        windows = sliding_window_view(image, (3, 3))
        values = (windows * kernel).sum(axis=(-1, -2)) + problem.data["bias"]
        assert problem.answer == values.reshape(-1).tolist()
        assert problem.check(values).status == "correct"  # a 2×2 array works too
        _refused(problem, values.reshape(-1).tolist()[:3], "4 values")
    problems = _problems("conv_values")
    flips = [p for p in problems if _flipped(p) != p.answer]
    assert len(flips) > len(problems) // 2
    for problem in flips:
        _refused(problem, _flipped(problem), "flipped the kernel")
    biased = [p for p in problems if p.data["bias"]]
    assert biased
    for problem in biased:
        _refused(problem, [v - problem.data["bias"] for v in problem.answer], "bias")


def _flipped(problem):
    from numpy.lib.stride_tricks import sliding_window_view

    windows = sliding_window_view(np.array(problem.data["image"]), (3, 3))
    kernel = np.array(problem.data["kernel"])[::-1, ::-1]
    return ((windows * kernel).sum(axis=(-1, -2)) + problem.data["bias"]).reshape(-1).tolist()


def _forward_backward(d):
    """(kind, exact answer, a typical wrong value, the words its message must contain)."""
    if "activation" in d:
        z = float(np.dot(d["w"], d["x"]) + d["b"])
        exact = float(_sigmoid(z)) if d["activation"] == "sigmoid" else max(z, 0.0)
        without_bias = z - d["b"]
        wrong = (
            float(_sigmoid(without_bias))
            if d["activation"] == "sigmoid"
            else max(without_bias, 0.0)
        )
        return "neuron", exact, wrong, "bias"
    if "w1" in d:
        z = np.array(d["w1"]) @ np.array(d["x"], float) + np.array(d["b1"])
        exact = float(np.array(d["w2"]) @ np.maximum(z, 0) + d["b2"])
        return "two_layer", exact, float(np.array(d["w2"]) @ z + d["b2"]), "ReLU"
    a = _sigmoid(d["w"] * d["x"] + d["b"])
    exact = float(2 * (a - d["y"]) * a * (1 - a) * d["x"])
    return "backprop", exact, float(2 * (a - d["y"]) * d["x"]), "derivative"


def test_forward_backward_against_numpy():
    kinds = set()
    problems = _problems("forward_backward", range(40))
    for problem in problems:
        kind, exact, _, _ = _forward_backward(problem.data)
        kinds.add(kind)
        assert abs(problem.answer - exact) < 6e-4, (problem.statement, exact)
        assert problem.check(exact).status == "correct"
    assert kinds == {"neuron", "two_layer", "backprop"}
    # each named mistake where it differs from the answer (a ReLU neuron's bias can be 0)
    distinct = [p for p in problems if abs(_forward_backward(p.data)[2] - p.answer) > 0.01]
    assert {_forward_backward(p.data)[0] for p in distinct} == kinds
    for problem in distinct:
        _, _, wrong, words = _forward_backward(problem.data)
        _refused(problem, wrong, words)


def test_mse_and_kl_against_numpy():
    kinds = set()
    for problem in _problems("mse_kl"):
        d = problem.data
        if "y" in d:
            kinds.add("mse")
            errors = np.array(d["y"], float) - np.array(d["p"], float)
            exact = float(np.mean(errors**2))
            _refused(problem, float(np.sum(errors**2)), "divide")
            _refused(problem, math.sqrt(exact), "RMSE")
        else:
            kinds.add("kl")
            p, q = np.array(d["p"]), np.array(d["q"])
            exact = float(np.sum(p * np.log(p / q)))
            _refused(problem, float(np.sum(q * np.log(q / p))), "not symmetric")
            _refused(problem, float(-np.sum(p * np.log(q))), "cross-entropy")
        assert abs(problem.answer - exact) < 6e-4
        assert problem.check(exact).status == "correct"
    assert kinds == {"mse", "kl"}


def test_adagrad_and_nesterov_against_the_kits_numpy_optimizers():
    from cnnkit.scratch import optimizers

    kinds = set()
    for problem in _problems("adagrad_nesterov"):
        d = problem.data
        nesterov = "Nesterov" in problem.statement
        kinds.add("nesterov" if nesterov else "adagrad")
        optimizer = (
            optimizers.Nesterov(learning_rate=d["lr"], momentum=0.9)
            if nesterov
            else optimizers.AdaGrad(learning_rate=d["lr"])
        )
        weights = [np.array([d["w0"]])]
        for g in d["g"]:
            optimizer.step(weights, [np.array([g])])
        exact = float(weights[0][0])
        assert abs(problem.answer - exact) < 1e-4, (problem.statement, exact)
        assert problem.check(exact).status == "correct"
    assert kinds == {"adagrad", "nesterov"}
    problems = _problems("adagrad_nesterov")
    plain = [
        p
        for p in problems
        if abs(_plain_sgd(p.data) - p.answer) > 5e-4
        and abs(_plain_sgd(p.data) - _adagrad_restarted(p)) > 5e-4
    ]
    assert len(plain) > len(problems) // 2
    for problem in plain:
        _refused(problem, _plain_sgd(problem.data), "plain SGD")


def _plain_sgd(d):
    return d["w0"] - d["lr"] * sum(d["g"])


def _adagrad_restarted(problem):
    """AdaGrad's second step with G restarted at 0.1 (another named mistake; inf for Nesterov)."""
    if "Nesterov" in problem.statement:
        return math.inf
    d = problem.data
    (g1, g2), lr = d["g"], d["lr"]
    return d["w0"] - lr * g1 / math.sqrt(0.1 + g1 * g1) - lr * g2 / math.sqrt(0.1 + g2 * g2)


def test_l2_against_numpy():
    kinds = set()
    for problem in _problems("l2_regularization"):
        d = problem.data
        if "weights" in d:
            kinds.add("penalty")
            w = np.array(d["weights"], float)
            exact = float(d["lam"] * np.sum(w**2))
            assert problem.check(float(f"{exact:.3g}")).status == "correct"  # 3 significant figures
            if abs(exact) >= 0.1:  # asked to 3 decimals from 0.1 up
                assert problem.check(round(exact, 3)).status == "correct"
            _refused(problem, exact / 2, "1/2")
        else:
            kinds.add("step")
            exact = d["w0"] - d["lr"] * (d["g"] + 2 * d["lam"] * d["w0"])
            _refused(problem, d["w0"] - d["lr"] * (d["g"] + d["lam"] * d["w0"]), "factor 2")
            _refused(problem, d["w0"] - d["lr"] * d["g"], "penalty's gradient")
        # The answer as the question asks for it: 3 or 4 decimals, or 3 significant figures.
        assert abs(problem.answer - exact) <= 5e-4 * max(1, abs(exact)) + 1e-12
        assert problem.check(exact).status == "correct"
    assert kinds == {"penalty", "step"}


def test_iou_variants_against_the_kits_numpy_box_losses():
    from cnnkit.scratch import box_losses

    kinds = set()
    for problem in _problems("iou_variants", range(40)):
        d = problem.data
        kinds.add(d["kind"])
        box, target = np.array([d["box"]], float), np.array([d["target"]], float)
        exact = float(np.ravel(box_losses.IOU_METRICS[d["kind"]](box, target))[0])
        assert abs(problem.answer - exact) < 6e-5, (problem.statement, exact)
        assert problem.check(exact).status == "correct"
        _refused(problem, 1 - exact, "loss")
        plain = float(np.ravel(box_losses.iou(box, target))[0])
        _refused(problem, plain, "plain IoU")
    assert kinds == {"GIoU", "DIoU", "CIoU"}


def test_softmax_overflow_and_min_pooling_against_numpy():
    for problem in _problems("softmax_overflow"):
        z = np.array(problem.data["z"], dtype=np.longdouble)  # long double: e^1200 still overflows
        shifted = np.exp(z - z.max())
        exact = float(shifted[-1] / shifted.sum())
        assert abs(problem.answer - exact) < 6e-4
        assert problem.check(exact).status == "correct"
        _refused(problem, 1 / 3, "differences")
    for problem in _problems("min_pooling"):
        grid = np.array(problem.data["grid"])
        blocks = grid.reshape(2, 2, 2, 2)
        assert problem.answer == blocks.min(axis=(1, 3)).reshape(-1).tolist()
        assert problem.check(blocks.min(axis=(1, 3))).status == "correct"
        _refused(problem, blocks.max(axis=(1, 3)).reshape(-1).tolist(), "max pooling")
        _refused(problem, blocks.mean(axis=(1, 3)).reshape(-1).tolist(), "average pooling")


def _lstm(d):
    """(c_t, h_t) of one LSTM step from the gates' pre-activations (i, f, g, o)."""
    a_i, a_f, a_g, a_o = d["pre"]
    c = _sigmoid(a_f) * d["c_prev"] + _sigmoid(a_i) * np.tanh(a_g)
    return float(c), float(_sigmoid(a_o) * np.tanh(c))


def test_lstm_and_gru_steps_against_numpy():
    problems = _problems("lstm_gru_gates")
    lstm = [p for p in problems if "pre" in p.data]
    gru = [p for p in problems if "a_z" in p.data]
    assert lstm and gru and len(lstm) + len(gru) == len(problems)
    for problem in lstm:
        c, h = _lstm(problem.data)
        assert abs(problem.answer - h) < 6e-5
        assert problem.check(h).status == "correct"
    for problem in gru:
        d = problem.data
        z = _sigmoid(d["a_z"])
        exact = float(z * d["h_prev"] + (1 - z) * d["candidate"])
        assert abs(problem.answer - exact) < 6e-5
        assert problem.check(exact).status == "correct"
        _refused(problem, float((1 - z) * d["h_prev"] + z * d["candidate"]), "Keras's convention")
    distinct = [p for p in lstm if abs(_lstm(p.data)[0] - p.answer) > 5e-4]
    assert distinct
    for problem in distinct:
        _refused(problem, _lstm(problem.data)[0], "cell state")


def test_center_loss_arcface_gd_variants_and_pruning_against_numpy():
    for problem in _problems("center_arcface"):
        d = problem.data
        if "lam" in d:
            exact = float(d["lam"] / 2 * np.sum((np.array(d["f"]) - np.array(d["c"])) ** 2))
            _refused(problem, 2 * exact, "½")
        else:
            exact = float(d["scale"] * np.cos(np.arccos(d["cos_theta"]) + d["margin"]))
            _refused(problem, d["scale"] * d["cos_theta"], "plain logit")
        assert abs(problem.answer - exact) < 6e-3 * max(1, abs(exact))
        assert problem.check(exact).status == "correct"
    for problem in _problems("gd_variants"):
        d = problem.data
        batch = {"batch": d["samples"], "stochastic": 1, "mini-batch": d["batch"]}[d["variant"]]
        expected = formulas.iterations_per_epoch(d["samples"], batch) * d["epochs"]
        assert problem.answer == expected
        assert problem.check(expected).status == "correct"
    for problem in _problems("pruning"):
        d = problem.data
        kernel = np.random.default_rng(1).uniform(0.1, 1, size=d["inputs"] * d["units"])
        ranks = np.argsort(np.argsort(kernel))  # 0 for the smallest |w|
        kept = int(np.sum(ranks >= d["fraction"] * kernel.size))
        assert problem.answer == kept
        _refused(problem, kernel.size - kept, "set to zero")


def test_search_trials_against_itertools_and_the_choice_items():
    import itertools

    from cnnkit.review.topics.training_counts import _SPACES

    for problem in _problems("hyperparameter_search"):
        d = problem.data
        grid = itertools.product(
            *(_SPACES[n][:k] for n, k in zip(d["names"], d["sizes"], strict=True))
        )
        trials = len(list(grid))
        assert problem.answer == trials
        assert problem.check(trials).status == "correct"
        _refused(problem, sum(d["sizes"]), "multiply")
    for topic in ("learning_paradigms", "rnn_vs_feedforward", "hyperparameter_search"):
        for problem in _problems(topic, range(8), kind="choice"):
            assert problem.source is not None and len(problem.options) == 4
            assert problem.check(problem.answer).status == "correct"
            assert problem.check(problem.typical_mistake()).status == "incorrect"


# --------------------------------------------------------------------------- all new topics


NEW_CALCULATIONS = (
    "conv_transpose_size",
    "conv_macs",
    "separable_conv",
    "conv_values",
    "forward_backward",
    "mse_kl",
    "adagrad_nesterov",
    "l2_regularization",
    "iou_variants",
    "softmax_overflow",
    "min_pooling",
    "lstm_gru_gates",
    "center_arcface",
    "gd_variants",
    "pruning",
    "hyperparameter_search",
)


@pytest.mark.parametrize("topic", NEW_CALCULATIONS)
def test_new_topics_verified_cite_a_section_name_a_mistake_and_refuse_garbage(topic):
    assert topic in TOPIC_INFO
    for problem in _problems(topic, range(10)):
        assert problem.verified and problem.source is not None
        assert "**Answer:**" in problem.solution
        assert problem.check(problem.answer).status == "correct"
        mistake = problem.typical_mistake()
        assert mistake is not None
        result = problem.check(mistake)
        assert result.status == "incorrect" and "Recheck each term" not in result.message
        for garbage in GARBAGE:
            assert problem.check(garbage).status != "correct", (topic, garbage)
    assert not REJECTED, list(REJECTED)


def test_new_sources_are_real_chapter_headings():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "notebooks" / "src"
    headings = {
        path.stem: {
            re.sub(r"^#+ ", "", line[2:]).strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# ##")
        }
        for path in root.glob("0*.py")
    }
    topics = [*NEW_CALCULATIONS, "find_the_bug", "sequence_design", "learning_paradigms"]
    topics += ["rnn_vs_feedforward"]
    sources = {
        p.source for t in topics for g in GENERATORS[t] for p in _problems(t, range(6), g.kind)
    }
    for source in sources:
        assert source.heading in headings[source.notebook], source


# --------------------------------------------------------------------------- the formula sheet


def _sheet_keys():
    from cnnkit.formulas import FORMULAS
    from cnnkit.review.reference import active_review_formulas

    return set(FORMULAS) | set(active_review_formulas())


def test_every_formula_the_practice_asks_for_is_on_the_sheet():
    from cnnkit.formulas import FORMULAS
    from cnnkit.review.reference import active_review_formulas
    from cnnkit.review.sheet import sheet_html

    entries = sheet_entries()
    calculation_topics = {
        t for t, gs in GENERATORS.items() if any(g.kind == "calculation" for g in gs)
    }
    assert calculation_topics <= set(entries), calculation_topics - set(entries)
    page = sheet_html()
    rows = {**FORMULAS, **active_review_formulas()}
    for topic, keys in entries.items():
        assert keys, topic
        for key in keys:
            assert key in _sheet_keys(), (topic, key)
            assert html.escape(rows[key].title) in page, (topic, key)


def test_sheet_has_the_formulas_the_issue_lists_and_prints_exact_decimals():
    from cnnkit.review.sheet import format_value, sheet_html

    for key in (
        "same_padding",
        "leaky_relu",
        "inception_depth",
        "gan_losses",
        "center_loss",
        "lr_decay",
        "fc_as_conv",
        "conv_value",
        "backprop",
        "pooling_values",
    ):
        assert key in _sheet_keys(), key
    assert format_value(1.3125) == "1.3125" and format_value(1 / 7) == "0.1429"
    page = sheet_html()
    assert "<b>1.3125</b>" in page  # smooth L1's worked example, in full
    assert "P = (F - 1)/2" in page and "<b>(2, 32)</b>" in page
    assert "<b>102,764,544</b>" in page  # VGG's 7×7×512 -> 4,096 as a convolution


def test_sheet_triplet_loss_is_the_chapters_squared_distances():
    from pathlib import Path

    from cnnkit.formulas import FORMULAS

    chapter = (
        Path(__file__).resolve().parents[1] / "notebooks/src/07_overfitting_optimizers.py"
    ).read_text(encoding="utf-8")
    assert "L = max(‖a − p‖² − ‖a − n‖² + m, 0)" in chapter
    assert "‖a - p‖² - ‖a - n‖²" in FORMULAS["triplet_margin_loss"].text
    assert "triplet_margin_loss" in _sheet_keys()


def test_no_typical_mistake_lands_within_the_tolerance_of_the_answer(monkeypatch):
    """A mistake that rounds to the right answer would be accepted: the generators redraw such
    cases (a mistake exactly equal to the answer is no mistake and is left out)."""
    from cnnkit.review.topics import by_hand, gates, iou_variants, recognition_losses, update_rules
    from cnnkit.review.topics._checks import float_draft

    close = []

    def spy(statement, exact, solution, pairs, verify, data, *, tol=0.0015, **fields):
        pairs = list(pairs)
        close.extend((statement, v) for v, _ in pairs if 1e-9 < abs(v - exact) <= 2 * tol)
        return float_draft(statement, exact, solution, pairs, verify, data, tol=tol, **fields)

    modules = (by_hand, gates, iou_variants, recognition_losses, update_rules)
    for module in modules:
        monkeypatch.setattr(module, "float_draft", spy)
    makers = [
        by_hand.neuron_output,
        by_hand.two_layer_forward,
        by_hand.backprop_gradient,
        by_hand.mse,
        by_hand.kl,
        by_hand.softmax_overflow,
        update_rules.adagrad,
        update_rules.nesterov,
        update_rules.l2_penalty,
        update_rules.l2_step,
        iou_variants.iou_variants,
        gates.lstm_step,
        gates.gru_step,
        recognition_losses.center_loss,
        recognition_losses.arcface,
    ]
    for make in makers:
        for seed in range(100):
            make(random.Random(seed))
    assert not close, close[:3]
