"""Progress that lasts: recorded atomically, seen by a new process, robust to a corrupted file."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cnnkit as ck
from cnnkit.exercises import ch01

# `from cnnkit import progress` may give the function ck.progress; the module is this:
progress_module = importlib.import_module("cnnkit.progress")
store = importlib.import_module("cnnkit.progress_store")  # the file behind the report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cnnkit_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path))
    monkeypatch.setattr(store, "_memory", None)
    monkeypatch.setattr(store, "_warned", set())
    for problem in ch01.CHAPTER.problems:  # as in a student's notebook, not the solution one
        monkeypatch.setattr(problem, "_checks_are_solution_views", False)
    return tmp_path


def row_of(report, key):
    return next(row for row in report.chapters if row["chapter"] == key)


def test_checks_hints_and_solutions_are_recorded(cnnkit_home):
    ch01.q1.check(784 * 128)  # wrong
    ch01.q1.check(784 * 128 + 128)  # right
    ch01.q3.check(...)  # blank: not counted
    ch01.q1._hints_shown = 0
    ch01.q1.hint()
    ch01.q1.hint()
    ch01.q1._hints_shown = 0
    ch01.q5.solution()
    row = row_of(ck.progress(), "ch01")
    assert row["problems"] == len(ch01.CHAPTER.problems)
    assert (row["solved"], row["attempted"], row["hints"], row["solutions"]) == (1, 1, 2, 1)
    assert row["last"] is not None
    stored = json.loads((cnnkit_home / "progress.json").read_text())
    assert stored["exercises"]["ch01"]["q1"]["checks"] == 2
    assert "q3" not in stored["exercises"]["ch01"]


def test_progress_survives_a_new_process(cnnkit_home):
    ch01.q1.check(784 * 128 + 128)
    code = (
        "import cnnkit as ck, json\n"
        "from cnnkit.exercises import ch01\n"
        "ch01.q8.check(123.0)\n"  # the child adds an attempt
        "row = ck.progress('ch01').chapters[0]\n"
        "print(json.dumps([row['solved'], row['attempted']]))\n"
    )
    env = dict(os.environ, CNNKIT_HOME=str(cnnkit_home), PYTHONPATH=str(ROOT))
    child = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout.strip().splitlines()[-1]) == [1, 2]
    # and this process sees what the child recorded
    assert row_of(ck.progress(), "ch01")["attempted"] == 2


def test_a_corrupted_file_gives_one_line_and_checking_goes_on(cnnkit_home, capsys):
    (cnnkit_home / "progress.json").write_text('{"exercises": {"ch01": [1, 2', encoding="utf-8")
    result = ch01.q1.check(784 * 128 + 128)
    assert result.status == "correct"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unreadable" in err
    (aside,) = cnnkit_home.glob("progress.json.corrupt-*")
    assert aside.read_text() == '{"exercises": {"ch01": [1, 2'  # kept as it was
    assert row_of(ck.progress(), "ch01")["solved"] == 1
    json.loads((cnnkit_home / "progress.json").read_text())  # a valid file again


@pytest.mark.parametrize("content", ["[]", '{"exercises": 5}', '{"seed": "x"}', ""])
def test_valid_json_of_the_wrong_shape_counts_as_corrupted(cnnkit_home, content, capsys):
    (cnnkit_home / "progress.json").write_text(content, encoding="utf-8")
    assert ch01.q1.check(1).status == "incorrect"
    assert "unreadable" in capsys.readouterr().err
    assert row_of(ck.progress(), "ch01")["attempted"] == 1


def test_the_solution_notebook_counts_as_solution_views(cnnkit_home):
    ch01.CHAPTER.record_checks_as_solution_views()
    assert ch01.q1.check(784 * 128 + 128).status == "correct"
    row = row_of(ck.progress(), "ch01")
    assert (row["solved"], row["solutions"]) == (0, 1)


def test_the_write_is_atomic_no_temporary_files_left(cnnkit_home):
    for _ in range(5):
        ch01.q1.check(3)
    assert sorted(p.name for p in cnnkit_home.iterdir()) == ["progress.json", "progress.json.lock"]


def test_reset_of_one_chapter_and_of_everything_keeps_the_seed(cnnkit_home):
    progress_module.store_seed(1234)
    ch01.q1.check(784 * 128 + 128)
    progress_module.record("practice", "conv_output_size", "p1", "correct")
    assert row_of(ck.progress(reset=True, chapter="ch01"), "ch01")["solved"] == 0
    assert ck.progress().topics  # practice history kept by a chapter reset
    ck.progress(reset=True)
    report = ck.progress()
    assert not report.topics and all(row["attempted"] == 0 for row in report.chapters)
    assert progress_module.stored_seed() == 1234


def test_practice_and_mock_exam_topics_weakest_first(cnnkit_home):
    record = progress_module.record
    for status in ("correct", "correct", "incorrect"):
        record("practice", "pooling", "p", status)
    record("practice", "receptive_field", "p", "incorrect")
    record("mock_exam", "rnn_params", "q1", "correct")
    record("practice", "pooling", "p", None)  # a solution view
    topics = ck.progress().topics
    assert [row["topic"] for row in topics] == ["receptive_field", "pooling", "rnn_params"]
    assert topics[1]["checks"] == 3 and topics[1]["correct"] == 2
    html = ck.progress()._repr_html_()
    assert "<table" in html and "weakest first" in html and "receptive_field" in html


def test_chapter_filter_and_bad_arguments(cnnkit_home):
    for key in (1, "1", "01", "ch01", "01_nn_basics", "Chapter 1"):
        report = ck.progress(key)
        assert [row["chapter"] for row in report.chapters] == ["ch01"]
        assert str(report).startswith("Chapter 01: 0/9 solved")
    assert [row["chapter"] for row in ck.progress(np.int64(2)).chapters] == ["ch02"]
    with pytest.raises(ValueError, match="choose one of ch01"):
        ck.progress("ch99")
    for text in ("1e3", "1.5", "2x", "01-nn", "", "ch"):  # not read as chapter 01 or 02
        with pytest.raises(ValueError, match="No exercises for chapter"):
            ck.progress(text)
    for value in (1.5, 2.0, True, None.__class__, [1]):
        with pytest.raises(TypeError, match="chapter must be a chapter number"):
            ck.progress(value)
    with pytest.raises(ValueError, match="No exercises for chapter"):
        ck.progress(-1)
    with pytest.raises(ValueError, match="event must be one of"):
        progress_module.record("peek", "ch01", "q1")
    with pytest.raises(TypeError, match="reset must be"):
        ck.progress(reset="yes")


def test_ck_progress_is_callable_whichever_import_came_first():
    import cnnkit.progress

    assert callable(cnnkit.progress) and callable(ck.progress)
    assert isinstance(cnnkit.progress(1), progress_module.ProgressReport)


def test_tests_never_write_the_real_home():
    assert Path(os.environ["CNNKIT_HOME"]).resolve() != (Path.home() / ".cnnkit").resolve()


def test_suggestions_name_the_weakest_topic_then_unfinished_chapters(cnnkit_home):
    record = progress_module.record
    record("practice", "receptive_field", "p", "incorrect")
    record("practice", "pooling", "p", "correct")
    ch01.q1.check(3)
    advice = ck.progress().suggestions()
    assert advice[0].startswith("practice topic receptive_field")
    assert any(item.startswith("chapter 01") for item in advice)
    assert "Review next: practice topic receptive_field" in str(ck.progress())
    record("mock_exam", "conv_params", "q1", "incorrect")
    record("mock_exam", "conv_params", "q2", "incorrect")
    assert "mock-exam topic conv_params (0/2 correct)" in ck.progress().suggestions()
    ck.progress(reset=True)
    assert ck.progress().suggestions()[0].endswith("(not started)")


def test_a_fresh_home_gives_the_same_report_on_every_machine(tmp_path, monkeypatch):
    """Committed outputs built with a fresh CNNKIT_HOME show no date, path or history."""
    shown = []
    for name in ("one", "two"):
        monkeypatch.setenv("CNNKIT_HOME", str(tmp_path / name))
        monkeypatch.setattr(store, "_memory", None)
        report = ck.progress()
        shown.append((str(report), report._repr_html_()))
    assert shown[0] == shown[1]
    assert str(tmp_path) not in shown[0][0] + shown[0][1]
    assert "last activity -." in shown[0][0] and "(not started)" in shown[0][0]
