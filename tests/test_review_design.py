"""Design and analysis questions graded on the real Keras graph: the receptive field through
parallel branches, the required layer kinds, one message per constraint and partial credit;
every template's own answer accepted, its typical mistake and garbage refused."""

from __future__ import annotations

import functools
import random

import keras
import pytest

from cnnkit.review.practice import REJECTED, make_problem
from cnnkit.review.topics import GENERATORS
from cnnkit.review.topics.analysis import diagnose
from cnnkit.review.topics.design import receptive_field_of

L = keras.layers
GARBAGE = ("abc", 42, None, [1, 2, 3], {"a": 1}, object(), [[None]], float("nan"), "y" * 10_000)


@pytest.fixture(autouse=True)
def _progress_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path / "cnnkit_home"))


def _design_generators():
    return [g for gs in GENERATORS.values() for g in gs if g.kind == "design"]


@functools.cache
def _cnn_problem(field_at_least=32):
    """A CNN design problem on 64×64×3 whose field is at least ``field_at_least`` (drawn without
    verifying, to keep the search cheap; the template test verifies the template)."""
    for seed in range(200):
        problem = make_problem(
            next(g for g in GENERATORS["cnn_design"] if g.kind == "design"),
            random.Random(seed),
            verify=False,
        )
        if problem.data["input_shape"] == (64, 64, 3) and problem.data["field"] >= field_at_least:
            return problem
    raise AssertionError("no 64×64×3 problem with a field ≥ 32 in 200 seeds")


# --------------------------------------------------------------------------- receptive field


def _functional(branches_of):
    x = keras.Input((64, 64, 3))
    return keras.Model(x, branches_of(x))


def test_receptive_field_counts_parallel_branches_as_branches():
    six = _functional(lambda x: L.Concatenate()([L.Conv2D(2, 5)(x) for _ in range(6)]))
    assert receptive_field_of(six) == 5
    added = _functional(
        lambda x: L.Add()([L.Conv2D(2, 5, padding="same")(x), L.Conv2D(2, 3, padding="same")(x)])
    )
    assert receptive_field_of(added) == 5
    stacked = keras.Sequential([keras.Input((64, 64, 3)), L.Conv2D(2, 5), L.Conv2D(2, 5)])
    assert receptive_field_of(stacked) == 9


def test_receptive_field_follows_strides_dilation_and_nested_models():
    # 3×3 (r 3), pool 2 (r 4, jump 2), 3×3 (r 8), 3×3 dilated 2 with jump 2 (r 8 + 2·2·2 = 16)
    model = keras.Sequential(
        [
            keras.Input((64, 64, 3)),
            L.Conv2D(4, 3),
            L.MaxPooling2D(2),
            L.Conv2D(4, 3),
            L.Conv2D(4, 3, dilation_rate=2),
            L.GlobalAveragePooling2D(),
            L.Dense(3),
        ]
    )
    assert receptive_field_of(model) == 16
    block = keras.Sequential([keras.Input((64, 64, 3)), L.Conv2D(4, 3), L.Conv2D(4, 3)])
    x = keras.Input((64, 64, 3))
    outer = keras.Model(x, L.Conv2D(4, 3)(block(x)))
    assert receptive_field_of(outer) == 7
    # a 32×1 kernel sees 32 rows but one column: its square field is 1
    tall = keras.Sequential([keras.Input((64, 64, 3)), L.Conv2D(4, (32, 1))])
    assert receptive_field_of(tall) == 1


def test_the_found_failures_are_refused_with_one_message_per_constraint():
    problem = _cnn_problem()
    classes = problem.data["classes"]
    pooling_only = [
        L.AveragePooling2D(32, strides=1),
        L.GlobalAveragePooling2D(),
        L.Dense(classes, activation="softmax"),
    ]
    result = problem.check(pooling_only)
    assert result.status == "incorrect"
    assert "Constraint 5 fails" in result.message and "not a CNN" in result.message
    assert "Constraint 6 fails" in result.message and "activation" in result.message
    assert "Partial credit 4/6" in result.message

    single_tall = [
        L.Conv2D(8, (32, 1)),
        L.GlobalAveragePooling2D(),
        L.Dense(classes, activation="softmax"),
    ]
    result = problem.check(single_tall)
    assert result.status == "incorrect"
    assert "Constraint 4 fails: receptive field 1×1" in result.message
    assert "Constraint 6 fails" in result.message

    x = keras.Input((64, 64, 3))
    y = L.Concatenate()([L.Conv2D(4, 5, activation="relu")(x) for _ in range(6)])
    y = L.Dense(classes, activation="softmax")(L.GlobalAveragePooling2D()(y))
    result = problem.check(keras.Model(x, y))
    assert result.status == "incorrect"
    assert "Constraint 4 fails: receptive field 5×5" in result.message
    assert "Partial credit 5/6" in result.message

    linear = [L.Conv2D(16, 3), L.MaxPooling2D(2)] * 3 + [
        L.Conv2D(16, 3),
        L.GlobalAveragePooling2D(),
        L.Dense(classes, activation="softmax"),
    ]
    result = problem.check(linear)
    assert result.status == "incorrect" and "Partial credit 5/6" in result.message
    assert "Constraint 6 fails: no hidden activation" in result.message


def test_grade_gives_one_constraint_each_and_the_answer_passes_all():
    problem = _cnn_problem()
    constraints = problem.checker.grade(problem.answer)
    assert [c.number for c in constraints] == [1, 2, 3, 4, 5, 6]
    assert all(c.holds for c in constraints)
    failing = problem.checker.grade([L.Flatten(), L.Dense(problem.data["classes"])])
    assert [c.number for c in failing if not c.holds] == [2, 4, 5, 6]
    assert all(c.message.startswith(f"Constraint {c.number} fails") for c in failing if not c.holds)


# --------------------------------------------------------------------------- every template


def test_at_least_three_design_and_three_analysis_templates():
    names = {g.make.__name__ for g in _design_generators()}
    assert {"cnn_design", "sequence_design", "gan_design"} <= names
    assert {"training_curves", "find_the_bug", "parameter_table"} <= names


@pytest.mark.parametrize("generator", _design_generators(), ids=lambda g: g.make.__name__)
def test_each_template_accepts_its_answer_refuses_its_mistake_and_garbage(generator):
    for seed in range(2):
        problem = make_problem(generator, random.Random(seed))
        assert problem.kind == "design" and problem.source is not None
        assert "**Answer:**" in problem.solution
        assert problem.check(problem.answer).status == "correct", problem.statement
        mistake = problem.check(problem.typical_mistake())
        assert mistake.status == "incorrect"
        assert "Partial credit" in mistake.message, mistake.message
        assert len(mistake.message) < 600
        for garbage in GARBAGE:
            result = problem.check(garbage)
            assert result.status != "correct", (generator.make.__name__, garbage)
            assert "Traceback" not in result.message
        keras.backend.clear_session()
    assert not REJECTED, list(REJECTED)


def _find(make_name, condition=lambda p: True, seeds=range(60)):
    generator = next(g for g in _design_generators() if g.make.__name__ == make_name)
    for seed in seeds:
        problem = make_problem(generator, random.Random(seed))
        if condition(problem):
            return problem
    raise AssertionError(f"no {make_name} problem matched in {len(seeds)} seeds")


def test_sequence_design_needs_recurrence_and_a_gate_for_long_spans():
    problem = _find("sequence_design", lambda p: p.data["steps"] >= 100)
    classes = problem.data["classes"]
    simple = [L.SimpleRNN(16), L.Dense(classes, activation="softmax")]
    result = problem.check(simple)
    assert result.status == "incorrect" and "Constraint 5 fails" in result.message
    assert "Constraint 4" not in result.message
    assert problem.check([L.GRU(16), L.Dense(classes, activation="softmax")]).status == "correct"
    conv = [
        L.Conv1D(8, 3, activation="relu"),
        L.GlobalAveragePooling1D(),
        L.Dense(classes, activation="softmax"),
    ]
    result = problem.check(conv)
    assert "Constraint 4 fails: no recurrent layer" in result.message


def test_gan_design_checks_each_network():
    problem = _find("gan_design")
    generator, discriminator = problem.answer
    result = problem.check((generator, [L.Flatten(), L.Dense(1, activation="sigmoid")]))
    assert result.status == "incorrect" and "Constraint 4 fails" in result.message
    no_tanh = generator[:-1] + [
        L.Conv2DTranspose(problem.data["image"][2], 4, strides=2, padding="same")
    ]
    result = problem.check((no_tanh, discriminator))
    assert "Constraint 2 fails" in result.message and "tanh" in result.message
    assert problem.check((discriminator, generator)).status == "incorrect"  # swapped: refused


def test_training_curves_diagnosis_recomputed_and_each_part_marked():
    for scenario in ("overfitting", "underfitting", "learning_rate"):
        problem = _find("training_curves", lambda p, s=scenario: p.data["scenario"] == s)
        assert diagnose(problem.data["train"], problem.data["val"]) == scenario
        letter, remedies = problem.answer
        assert problem.check((letter.lower(), ",".join(map(str, remedies)))).status == "correct"
        half = problem.check((letter, []))
        assert "Partial credit 2/3" in half.message and "missing" in half.message
        wrong = "D" if letter != "D" else "A"
        result = problem.check((wrong, remedies))
        assert "Partial credit 2/3" in result.message and "Part 1 wrong" in result.message
        assert problem.check((letter, [99])).status == "incorrect"


def test_find_the_bug_symptoms_are_real_and_parts_marked():
    seen = set()
    for seed in range(40):
        problem = _find("find_the_bug", seeds=[seed])
        seen.add(problem.data["bug"])
        line, fix = problem.answer
        assert problem.check([line, fix.lower()]).status == "correct"
        half = problem.check((line, "A" if fix != "A" else "B"))
        assert "Partial credit 1/2" in half.message and "Part 2 wrong" in half.message
        if len(seen) == 5:
            break
    assert seen == {"units", "activation", "flatten", "loss", "sign"}


def test_parameter_table_blanks_agree_with_keras_and_are_marked_one_by_one():
    problem = _find("parameter_table")
    expected = problem.answer
    assert problem.check(tuple(expected.values())).status == "correct"
    wrong = dict(expected, c=expected["c"] + 1)
    result = problem.check(wrong)
    assert "Partial credit 2/3" in result.message and "Blank (c) wrong" in result.message
    d = problem.data
    model = keras.Sequential(
        [
            keras.Input((d["size"], d["size"], 1 if d["size"] == 28 else 3)),
            L.Conv2D(d["f1"], d["k1"]),
            L.MaxPooling2D(2),
            L.Conv2D(d["f2"], 3),
            L.MaxPooling2D(2),
            L.Flatten(),
            L.Dense(d["units"]),
            L.Dense(d["classes"]),
        ]
    )
    params = [layer.count_params() for layer in model.layers]
    shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert expected in (
        {"a": params[2], "b": shapes[3], "c": params[5]},
        {"a": params[0], "b": shapes[4], "c": params[5]},
    )
