"""One source of truth: every notebook starts with the generated template and matches its source."""

import re
from pathlib import Path

import nbformat
import pytest

from cnnkit.authoring import backend_status
from cnnkit.authoring import notebooks as authoring
from cnnkit.authoring.template import badge_markdown, setup_cell_source


def cell_sources(notebook) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


ROOT = authoring.REPOSITORY_ROOT
CHAPTER_NOTEBOOKS = sorted(authoring.NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted(authoring.SOURCE_DIR.glob("[0-9][0-9]_*.py"))
EXERCISE_NOTEBOOKS = sorted(authoring.EXERCISE_DIR.glob("*.ipynb")) + sorted(
    authoring.SOLUTION_DIR.glob("*.ipynb")
)
ALL_NOTEBOOKS = CHAPTER_NOTEBOOKS + EXERCISE_NOTEBOOKS


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_there_are_notebooks():
    assert CHAPTER_NOTEBOOKS and EXERCISE_NOTEBOOKS


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_notebook_starts_with_the_template(path):
    notebook = nbformat.read(path, as_version=4)
    badge_cell, setup_cell = notebook.cells[0], notebook.cells[1]
    assert badge_cell.cell_type == "markdown"
    assert badge_cell.source.startswith(badge_markdown(relative(path))), (
        "badge drifted: run make notebooks"
    )
    assert setup_cell.cell_type == "code"
    assert setup_cell.source == setup_cell_source(), (
        "setup cell drifted: run make notebooks / make exercises"
    )


def test_every_source_has_its_notebook_and_back():
    assert [path.stem for path in SOURCES] == [path.stem for path in CHAPTER_NOTEBOOKS]


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_chapter_notebook_matches_its_source(source):
    built = authoring.chapter_notebook(source)
    committed = nbformat.read(authoring.NOTEBOOK_DIR / f"{source.stem}.ipynb", as_version=4)
    assert cell_sources(committed) == cell_sources(built), (
        f"{source.stem}.ipynb drifted from notebooks/src/{source.name}: run `make notebooks`"
    )


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=relative)
def test_chapter_notebook_has_committed_outputs_and_points_to_exercises(path):
    notebook = nbformat.read(path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    unexecuted = [index for index, cell in enumerate(code_cells) if cell.execution_count is None]
    assert not unexecuted, f"code cells without outputs: {unexecuted} (run `make outputs`)"
    assert any(
        "image/png" in output.get("data", {}) for cell in code_cells for output in cell.outputs
    ), "no figure in the committed outputs"
    tail = "\n".join(cell.source for cell in notebook.cells[-3:] if cell.cell_type == "markdown")
    assert "exercises/" in tail, "a chapter ends with a recap that points to its exercises"


@pytest.mark.parametrize("chapter", authoring.exercise_chapters(), ids=lambda chapter: chapter.slug)
def test_exercise_notebooks_equal_what_the_source_generates(chapter):
    for with_solutions, folder in ((False, authoring.EXERCISE_DIR), (True, authoring.SOLUTION_DIR)):
        generated = authoring.exercise_notebook(chapter, with_solutions=with_solutions)
        committed = nbformat.read(folder / f"{chapter.slug}.ipynb", as_version=4)
        assert cell_sources(committed) == cell_sources(generated), (
            f"{folder.name}/{chapter.slug}.ipynb drifted from cnnkit/exercises/{chapter.module_name}.py: "
            "run `make exercises`"
        )


def test_percent_parser_round_trip():
    text = "# %% [markdown]\n# # Title\n#\n# Prose (卷积).\n\n# %%\nx = 1\n\n# %%\nprint(x)\n"
    assert authoring.parse_percent_source(text) == [
        ("markdown", "# Title\n\nProse (卷积)."),
        ("code", "x = 1"),
        ("code", "print(x)"),
    ]
    with pytest.raises(ValueError, match="must start with"):
        authoring.parse_percent_source("# %% [markdown]\nnot a comment\n")


def test_gan_chapter_shows_the_code_it_runs_and_no_sketch_of_it():
    """Chapter 06 displays the package's GAN, its train_step and its builders; no copy in Markdown."""
    source = (authoring.SOURCE_DIR / "06_gan.py").read_text(encoding="utf-8")
    # a show_code call may span lines (ruff wraps long ones): take each call up to its ")" line
    calls = re.findall(r"^ck\.show_code\((.*?)\)$", source, flags=re.MULTILINE | re.DOTALL)
    for shown in (
        "GAN.train_step",
        "train_step_for_backend()",  # the step of the active backend (TF, JAX or PyTorch)
        "dcgan_generator",
        "dcgan_discriminator",
        "discriminator_loss",
    ):
        assert any(shown in call for call in calls), shown
    assert "```python" not in source and "tf.GradientTape()" not in source


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=relative)
def test_backends_line_agrees_with_backends_json(path):
    """The first Markdown cell names exactly the backends benchmarks/backends.json records as passing."""
    notebook = nbformat.read(path, as_version=4)
    found = backend_status.line_in(notebook.cells[0].source)
    assert found == backend_status.backends_line(relative(path)), (
        "the backends line under the title and benchmarks/backends.json disagree: "
        "run `make notebooks` after `make test-backends`"
    )


def test_backends_line_names_only_the_backends_that_passed():
    results = {
        "jax": {"notebooks": {"notebooks/x.ipynb": {"result": "pass"}}},
        "torch": {"notebooks": {"notebooks/x.ipynb": {"result": "fail"}}},
    }
    line = backend_status.backends_line("notebooks/x.ipynb", results)
    assert "TensorFlow (full mode, committed outputs), JAX (quick mode, tested)" in line
    assert "not yet passing on PyTorch" in line
    results["torch"]["notebooks"]["notebooks/x.ipynb"]["result"] = "pass"
    line = backend_status.backends_line("notebooks/x.ipynb", results)
    assert "JAX and PyTorch (quick mode, tested)" in line and "not yet" not in line
    untested = backend_status.backends_line("notebooks/y.ipynb", results)
    assert "not yet passing on JAX or PyTorch" in untested
    assert backend_status.line_in(f"# Title\n\n{line}\n\nProse") == line
