"""The committed full-mode outputs are the pages students read: check them as a reviewer would.

Every chapter's stated results are claims that held in the run that produced the page
(``Claim holds:`` lines, never ``Claim FAILS``), and the page carries no traceback, warning,
download message or path of the machine that ran it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cnnkit.claims import ClaimError, claim

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))
MIN_CLAIMS = 5

# Chapters whose prose has been rewritten so that every measured result is a claim. Each chapter
# joins this set when its claims pass lands; when all of 01-07 are here, the set goes away.
CLAIMED_CHAPTERS: set[str] = {"01", "02", "03", "04", "05", "06", "07"}

FORBIDDEN = {
    "a failed claim": re.compile(r"Claim FAILS"),
    "a traceback": re.compile(r"Traceback \(most recent call last\)|^\w+Error: ", re.M),
    "a machine path": re.compile(
        r"(?<![\w.])(/root/|/home/|/tmp/|/work/|/usr/|/opt/|/var/|[A-Za-z]:\\\\Users\\\\)"
        r"|site-packages|dist-packages"
    ),
    "a download message": re.compile(r"Downloading data from|could not download|URL fetch failure"),
    "a warning": re.compile(r"\b\w*Warning\b: |\bwarnings\.warn\b"),
}


def output_texts(notebook_path: Path):
    """(cell index, text) of every output of every code cell."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                yield index, "Traceback (most recent call last): " + output.get("ename", "")
                continue
            text = output.get("text")
            if text is None:
                text = output.get("data", {}).get("text/plain", "")
            yield index, "".join(text) if isinstance(text, list) else text


@pytest.mark.parametrize("notebook_path", CHAPTERS, ids=lambda path: path.stem)
def test_committed_output_is_clean(notebook_path):
    problems = []
    for index, text in output_texts(notebook_path):
        for what, pattern in FORBIDDEN.items():
            match = pattern.search(text)
            if match:
                line = text[text.rfind("\n", 0, match.start()) + 1 :].split("\n", 1)[0]
                problems.append(f"cell {index}: {what}: {line[:160]!r}")
    assert not problems, f"{notebook_path.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "notebook_path",
    [path for path in CHAPTERS if path.stem[:2] in CLAIMED_CHAPTERS],
    ids=lambda path: path.stem,
)
def test_chapter_states_its_results_as_claims(notebook_path):
    holds = [
        text
        for _, text in output_texts(notebook_path)
        for line in text.splitlines()
        if line.startswith("Claim holds: ")
    ]
    assert len(holds) >= MIN_CLAIMS, (
        f"{notebook_path.name} shows {len(holds)} 'Claim holds:' lines in its committed "
        f"full-mode outputs; a chapter states at least {MIN_CLAIMS} measured results as claims."
    )


# What changes from run to run and so cannot be in a cell whose output nbval checks: a pandas
# Styler's random table id, and an object's memory address in its default repr.
RUN_DEPENDENT = re.compile(r'id="T_[0-9a-f]{5}[_"]| at 0x[0-9a-f]{6,}>')
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("exercises/**/*.ipynb"))


def rich_texts(cell):
    for output in cell.get("outputs", []):
        for text in output.get("data", {}).values():
            if isinstance(text, (str, list)):
                yield "".join(text)


@pytest.mark.parametrize("notebook_path", NOTEBOOKS, ids=lambda path: str(path.relative_to(ROOT)))
def test_checked_outputs_are_the_same_on_every_run(notebook_path):
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    unstable = [
        index
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code"
        and "NBVAL_CHECK_OUTPUT" in "".join(cell["source"])
        and any(RUN_DEPENDENT.search(text) for text in rich_texts(cell))
    ]
    assert not unstable, (
        f"{notebook_path.name}: cells {unstable} check their output but show something that "
        "changes from run to run (a pandas Styler's random id, an object's memory address); "
        "show a DataFrame or text instead"
    )


def test_the_checker_catches_each_kind_of_bad_output(tmp_path):
    bad_lines = {
        "a failed claim": "Claim FAILS: momentum wins",
        "a traceback": "Traceback (most recent call last):",
        "a machine path": "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/x.py:3",
        "a download message": "Downloading data from https://example.org/x.npz",
        "a warning": "x.py:53: UserWarning: `input_shape` is undefined",
    }
    for what, line in bad_lines.items():
        assert FORBIDDEN[what].search(line), what
    clean = "Claim holds: the MLP reaches 88 % test accuracy\nepoch 3: loss 0.31"
    assert not any(pattern.search(clean) for pattern in FORBIDDEN.values())


# ck.claim itself -------------------------------------------------------------------------------


def test_claim_holds_prints_one_line(capsys, monkeypatch):
    monkeypatch.setenv("CNNKIT_QUICK", "0")
    assert claim(0.9 > 0.8, "the MLP reaches 80 %")
    assert capsys.readouterr().out == "Claim holds: the MLP reaches 80 %\n"


@pytest.mark.parametrize("quick", [False, True])
def test_false_claim_raises_in_both_modes(capsys, monkeypatch, quick):
    monkeypatch.setenv("CNNKIT_QUICK", "1" if quick else "0")
    with pytest.raises(ClaimError, match="momentum"):
        claim(False, "momentum wins")
    expected = "Claim FAILS: momentum wins\n" if quick else ""
    assert capsys.readouterr().out == expected


def test_full_only_claim_in_quick_mode_does_not_raise(capsys, monkeypatch):
    monkeypatch.setenv("CNNKIT_QUICK", "1")
    assert not claim(False, "VGG-small reaches 91 %", full_only=True)
    assert capsys.readouterr().out == "Claim checked in full mode: VGG-small reaches 91 %\n"


def test_full_only_claim_in_full_mode_still_raises(monkeypatch):
    monkeypatch.setenv("CNNKIT_QUICK", "0")
    with pytest.raises(ClaimError):
        claim(False, "VGG-small reaches 91 %", full_only=True)


def test_claim_shows_nothing_as_a_cells_last_line():
    result = claim(True, "shown once")
    assert result._ipython_display_() is None and "holds=True" in repr(result)


def test_claim_accepts_numpy_booleans(capsys):
    import numpy as np

    assert claim(np.float32(0.3) < 0.5, "loss below 0.5")
    assert claim(np.array([True]), "one-element array")


def test_claim_accepts_a_comparison_tensor_of_the_active_backend(capsys, monkeypatch):
    import keras

    monkeypatch.setenv("CNNKIT_QUICK", "1")
    loss = keras.ops.mean(keras.ops.convert_to_tensor([0.2, 0.4]))  # jax, torch or tf tensor
    assert claim(loss < 0.5, "loss below 0.5")
    assert not claim(loss > 0.5, "loss above 0.5", full_only=True)
    with pytest.raises(TypeError, match="single True/False"):
        claim(keras.ops.convert_to_tensor([0.2, 0.4]) < 0.5, "two conditions")


@pytest.mark.parametrize("condition", [0.93, [True, False], "yes", None])
def test_claim_rejects_conditions_that_are_not_comparisons(condition):
    with pytest.raises(TypeError, match="claim"):
        claim(condition, "accuracy")


@pytest.mark.parametrize("statement", ["", "   ", None, 3])
def test_claim_needs_a_statement(statement):
    with pytest.raises(TypeError, match="statement"):
        claim(True, statement)


def test_claim_reads_quick_mode_at_each_call(capsys, monkeypatch):
    """CNNKIT_QUICK set after import counts: ck.QUICK and claim() read it when used."""
    import cnnkit as ck

    monkeypatch.setenv("CNNKIT_QUICK", "1")
    assert ck.QUICK is True
    assert not claim(False, "needs full data", full_only=True)
    monkeypatch.setenv("CNNKIT_QUICK", "0")
    assert ck.QUICK is False
    with pytest.raises(ClaimError):
        claim(False, "needs full data", full_only=True)


@pytest.mark.parametrize("full_only", ["yes", 1, None])
def test_claim_refuses_a_full_only_that_is_not_a_bool(full_only):
    with pytest.raises(TypeError, match="full_only must be True or False"):
        claim(True, "accuracy", full_only=full_only)
