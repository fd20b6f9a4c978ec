"""The JAX and PyTorch passes in CI (benchmarks/backend_tests.py --subset ci) choose what the issue asks.

Every exercise and solution notebook and chapters 01-03 and 08; as unit tests, the Keras
comparisons (``-m comparison``) with hypothesis capped by tests/hypothesis_budget.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import backend_tests
from tests.hypothesis_budget import examples

ROOT = Path(__file__).resolve().parents[1]


def test_ci_notebooks_are_every_exercise_and_solution_and_the_ci_chapters():
    chosen = set(backend_tests.notebooks("ci"))
    exercises = {str(p.relative_to(ROOT)) for p in (ROOT / "exercises").rglob("[0-9][0-9]_*.ipynb")}
    assert exercises and exercises <= chosen
    assert any("/solutions/" in path for path in exercises)
    chapters = {path for path in chosen if path.startswith("notebooks/")}
    assert {Path(path).name[:2] for path in chapters} == set(backend_tests.CI_CHAPTERS)
    assert chosen == exercises | chapters
    assert set(backend_tests.notebooks("all")) > chosen  # chapters 04-07 only in make test-backends


def test_ci_unit_tests_are_the_comparisons_in_one_process_with_capped_examples():
    arguments, env = backend_tests.unit_arguments("ci", workers="2")
    assert arguments[arguments.index("-m") + 1] == "comparison"
    assert "-n" not in arguments and "no:xdist" in arguments
    assert "--hypothesis-seed=0" in arguments  # the same examples every CI run: no flaky CI
    assert env == {"CNNKIT_HYPOTHESIS_EXAMPLES": str(backend_tests.CI_HYPOTHESIS_EXAMPLES)}
    arguments, env = backend_tests.unit_arguments("all", workers="2")
    assert "-m" not in arguments and env == {}
    assert all(f"--ignore={path}" in arguments for path in backend_tests.BACKEND_INDEPENDENT)


def test_hypothesis_budget_caps_only_when_set(monkeypatch):
    monkeypatch.delenv("CNNKIT_HYPOTHESIS_EXAMPLES", raising=False)
    assert examples(40) == 40
    monkeypatch.setenv("CNNKIT_HYPOTHESIS_EXAMPLES", "8")
    assert examples(40) == 8 and examples(5) == 5
    for bad in ("0", "-3", "many"):
        monkeypatch.setenv("CNNKIT_HYPOTHESIS_EXAMPLES", bad)
        with pytest.raises(ValueError, match="positive whole number"):
            examples(40)


def test_the_comparison_marker_is_registered_and_used_in_the_comparison_files():
    assert '"comparison:' in (ROOT / "pyproject.toml").read_text()
    for name in ("test_formulas", "test_scratch_conv", "test_models", "test_autodiff"):
        assert "pytestmark = pytest.mark.comparison" in (ROOT / "tests" / f"{name}.py").read_text()


def test_parallel_runs_keep_each_backend_on_one_thread(monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
    jax = backend_tests.one_thread("jax")
    assert jax["OMP_NUM_THREADS"] == "1"
    assert jax["XLA_FLAGS"].startswith("--xla_dump_to=/tmp/x ")  # the user's flags are kept
    assert "intra_op_parallelism_threads=1" in jax["XLA_FLAGS"]
    assert "XLA_FLAGS" not in backend_tests.one_thread("torch")


def test_backend_environments_see_the_running_virtual_environments_packages(tmp_path):
    """`make test` in a virtual environment (the project's .venv or the user's): the backend
    environments must import what that environment holds (Keras, pytest), not only what the base
    interpreter has, which is all that ``--system-site-packages`` gives. Reproduced with a
    virtual environment holding one module the base interpreter does not have."""
    import subprocess
    import venv as venv_module

    active = tmp_path / "active"
    venv_module.create(active, with_pip=False)
    active_python = active / "bin" / "python"
    site_dir = subprocess.run(
        [str(active_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site_dir) / "only_in_the_active_env.py").write_text("MARK = 'active'\n")
    build = (
        "import sys; from pathlib import Path; from benchmarks import backend_tests as b; "
        "print(b.active_site_packages()); "
        "b.create_environment(Path(sys.argv[1]), b.active_site_packages(), with_pip=False)"
    )
    backend = tmp_path / "backend"
    made = subprocess.run(
        [str(active_python), "-c", build, str(backend)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert site_dir in made.stdout
    imported = subprocess.run(
        [
            str(backend / "bin" / "python"),
            "-c",
            "import only_in_the_active_env as m; print(m.MARK)",
        ],
        capture_output=True,
        text=True,
    )
    assert imported.returncode == 0 and imported.stdout.strip() == "active", imported.stderr


def test_outside_a_virtual_environment_nothing_more_is_inherited(monkeypatch):
    import sys

    monkeypatch.setattr(sys, "prefix", sys.base_prefix)
    assert backend_tests.active_site_packages() == []
