"""The unit tests and every notebook in quick mode under the JAX and PyTorch backends.

    python benchmarks/backend_tests.py                       # both backends, tests + notebooks
    python benchmarks/backend_tests.py --subset ci --parallel --no-save   # what CI runs
    python benchmarks/backend_tests.py --backends jax --notebooks notebooks/06_gan.ipynb --no-unit

Each backend runs in its own virtual environment, cached in ~/.cache/cnnkit/backend-venv-<name>,
that sees the packages of the environment running this script (TensorFlow, Keras and the test
tools): the base interpreter's site-packages (``--system-site-packages``) and, when this script
runs in a virtual environment (``make test``'s own .venv, or one the user activated), that
environment's site-packages too (a ``.pth`` file; ``--system-site-packages`` alone reaches only the
base interpreter's packages, which hold no Keras there). It is rebuilt when the extra's pins in
pyproject.toml or the environment it extends change. Every notebook runs
alone under nbval (``--nbval-lax``), so a failing notebook does not hide the others. The results
(per backend, per notebook: pass/fail and seconds; unit-test counts) are merged into
benchmarks/backends.json. `make test-backends` runs this.

``--subset ci`` is what `make test` adds in CI (``CI=true``; `make test-backends-ci`): per
backend, the comparison tests (``pytest -m comparison``: NumPy, a formula or a parameter count
against what Keras computes, hypothesis capped at CI_HYPOTHESIS_EXAMPLES examples), every
exercise and solution notebook, and chapters CI_CHAPTERS. ``--parallel`` builds the backends'
environments side by side and then runs ``--jobs`` (2) test runs at once from one queue of both
backends' runs (JAX's unit tests, the longest, first), each on one CPU thread: XLA's compiles are
mostly single-threaded, and two thread pools sized for the whole machine slowed each other
down. The exit status is 1 when anything failed, and the end of every failing run's output is
printed.

The unit tests whose subject does not depend on the Keras backend and that cost minutes (a
browser, a web server, a book build, a second virtual environment) run once, under TensorFlow,
in `make test`; the backend passes leave them out (BACKEND_INDEPENDENT says why for each).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import site
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "backends.json"
BACKENDS = ("jax", "torch")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cnnkit"

#: Test files left out of the backend passes, and why: none computes with Keras.
BACKEND_INDEPENDENT = {
    "tests/test_browser_lab.py": "drives JupyterLab in Chromium (the lab's pages, no Keras)",
    "tests/test_site.py": "builds the website from the committed notebooks (nothing executed)",
    "tests/test_book.py": "prints the book from the committed notebooks (nothing executed)",
    "tests/colab_stack": "runs every notebook on Colab's stack in its own TensorFlow venv",
    "tests/test_install_pins.py": "resolves the pins with pip on the oldest Python (no Keras)",
    "tests/test_lab_server.py": "starts JupyterLab and a kernel through make lab's launcher",
    "tests/test_make_venv.py": "the Makefile's choice of Python (a venv made with pip)",
}

#: What CI runs per backend: every exercise and solution notebook and these chapters.
CI_CHAPTERS = ("01", "02", "03", "08")
#: CI's unit tests per backend: the Keras comparisons (the issue's "every NumPy-vs-Keras and
#: formula-vs-Keras comparison passes on each backend"); the rest of tests/ runs under TensorFlow.
CI_MARKER = "comparison"
#: Hypothesis examples per test in CI (tests/hypothesis_budget.py): on JAX every new random shape
#: is a new XLA compile; the fixed examples (the syllabus's numbers, every model) all still run.
CI_HYPOTHESIS_EXAMPLES = 5


def extra_pins(backend: str) -> list[str]:
    """The requirement lines of the extra ``backend`` in pyproject.toml."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return list(project["optional-dependencies"][backend])


#: The CPU build to install where the extra's pin alone would bring another: PyPI's Linux torch
#: wheels are the CUDA build (pip fetched several GB of nvidia-* packages for ``torch>=2.3``); the
#: CPU build is a local version ("+cpu") from pip's find-links (this machine's /opt/wheels) or
#: PyTorch's CPU index (set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu).
#: CNNKIT_TORCH_CPU chooses another, e.g. "torch==2.5.1+cpu".
CPU_BUILDS = {"torch": os.environ.get("CNNKIT_TORCH_CPU", "torch==2.13.0+cpu")}


def active_site_packages() -> list[str]:
    """The site-packages folders of the virtual environment running this script ([] outside one)."""
    if sys.prefix == sys.base_prefix:
        return []
    return [path for path in site.getsitepackages([sys.prefix]) if Path(path).is_dir()]


#: The .pth file that puts the running environment's packages on a backend environment's path.
INHERIT_PTH = "_cnnkit_inherited_environment.pth"


def create_environment(venv: Path, inherited: list[str], *, with_pip: bool = True) -> Path:
    """A fresh virtual environment at ``venv`` that also imports from ``inherited`` folders.

    Its own packages come first, then ``inherited`` (``site.addsitedir``, so their own .pth
    files, such as an editable install's, work too), then the base interpreter's. Returns its
    Python.
    """
    command = [sys.executable, "-m", "venv", "--clear", "--system-site-packages", str(venv)]
    subprocess.run(command + ([] if with_pip else ["--without-pip"]), check=True)
    python = venv / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lines = [f"import site; site.addsitedir({folder!r})" for folder in inherited]
    (Path(own) / INHERIT_PTH).write_text("\n".join(lines) + "\n")
    return python


def backend_python(backend: str) -> Path:
    """The Python of the cached environment for ``backend``, (re)built when its pins change."""
    venv = CACHE / f"backend-venv-{backend}"
    pins = extra_pins(backend) + ([CPU_BUILDS[backend]] if backend in CPU_BUILDS else [])
    inherited = active_site_packages()
    key = hashlib.sha256(json.dumps([sys.version, pins, inherited]).encode()).hexdigest()[:16]
    stamp = venv / ".cnnkit-pins"
    python = venv / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    print(f"building {venv} for {backend}: {' '.join(pins)}", flush=True)
    python = create_environment(venv, inherited)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins],
        check=True,
    )
    stamp.write_text(key)
    return python


def jax_compilation_cache() -> dict[str, str]:
    """JAX's persistent compilation cache, kept next to the environments.

    Most of a JAX notebook's time is XLA compiling Keras's train and predict functions; an
    exercise notebook compiles what its solution notebook compiled, and a rerun what the last run
    compiled. The cache is keyed by JAX's version and the computation, so a stale entry is never
    used. Compilations shorter than 0.1 s are not worth a file.
    """
    return {
        "JAX_COMPILATION_CACHE_DIR": os.environ.get(
            "JAX_COMPILATION_CACHE_DIR", str(CACHE / "jax-compilation-cache")
        ),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": os.environ.get(
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.1"
        ),
    }


def one_thread(backend: str) -> dict[str, str]:
    """The environment that keeps ``backend`` on one CPU thread.

    With --parallel, two runs share 2 cores; each backend's own thread pool sized for the whole
    machine made them fight (PyTorch's chapter 03 took 397 s beside a JAX run, 78 s alone).
    """
    env = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if backend == "jax":
        flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        env["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip()
    return env


def _run(
    python: Path, backend: str, arguments: list[str], timeout: float, **extra_env: str
) -> tuple[int, str, float]:
    if backend == "jax":
        extra_env = {**jax_compilation_cache(), **extra_env}
    env = dict(
        os.environ, KERAS_BACKEND=backend, CNNKIT_QUICK="1", PYTHONPATH=str(ROOT), **extra_env
    )
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        code, output = done.returncode, done.stdout
    except subprocess.TimeoutExpired:
        code, output = -1, f"timed out after {timeout:.0f} s"
    return code, output, round(time.perf_counter() - started, 1)


def _counts(output: str) -> dict[str, int]:
    """{'passed': n, 'failed': n, ...} from pytest's last line."""
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", summary)}


def notebooks(subset: str = "all") -> list[str]:
    """Every chapter, exercise and solution notebook; with ``subset="ci"`` only CI_CHAPTERS."""
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if subset == "ci":
        paths = [path for path in paths if path.name[:2] in CI_CHAPTERS]
    paths += sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
    paths += sorted((ROOT / "exercises" / "solutions").glob("[0-9][0-9]_*.ipynb"))
    return [str(path.relative_to(ROOT)) for path in paths]


_SAVING = threading.Lock()


def _save(backend: str, entry: dict, machine: str) -> None:
    """Merge this backend's results into the file (another backend may be running alongside)."""
    with _SAVING:
        saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        saved[backend], saved["machine"] = entry, machine
        RESULTS.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")


def unit_arguments(subset: str, workers: str) -> tuple[list[str], dict[str, str]]:
    """pytest's arguments and extra environment for the unit tests of ``subset``."""
    if subset == "ci":
        # one process per backend: the backends themselves run side by side (--parallel);
        # a fixed hypothesis seed: CI tries the same few examples every run, so a backend's
        # difference shows up in `make test-backends` (every example), never as a flaky CI
        return ["-p", "no:xdist", "-rfE", "--hypothesis-seed=0", "-m", CI_MARKER, "tests"], {
            "CNNKIT_HYPOTHESIS_EXAMPLES": str(CI_HYPOTHESIS_EXAMPLES)
        }
    ignored = [f"--ignore={path}" for path in BACKEND_INDEPENDENT]
    return ["-n", workers, "-rfE", *ignored, "tests"], {}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--notebooks", nargs="*", default=None, help="default: every notebook")
    parser.add_argument("--no-unit", action="store_true", help="skip the unit tests")
    parser.add_argument(
        "--subset",
        choices=("all", "ci"),
        default="all",
        help="ci: exercise and solution notebooks and chapters " + ", ".join(CI_CHAPTERS),
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not write benchmarks/backends.json (CI)"
    )
    parser.add_argument("--workers", default=os.environ.get("PYTEST_WORKERS", "2"))
    parser.add_argument(
        "--python", help="use this Python (with jax and torch) instead of the cache"
    )
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="run --jobs test runs at once (default 2), one CPU thread each, backends mixed",
    )
    parser.add_argument("--jobs", type=int, default=2, help="with --parallel: runs at once")
    args = parser.parse_args(argv)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    started = time.perf_counter()
    with ThreadPoolExecutor(len(args.backends) if args.parallel else 1) as pool:
        pythons = dict(
            zip(
                args.backends,
                pool.map(lambda b: prepare(b, args, results), args.backends),
                strict=True,
            )
        )
    jobs = [(backend, None) for backend in args.backends if not args.no_unit]
    chosen = args.notebooks if args.notebooks is not None else notebooks(args.subset)
    jobs += [(backend, notebook) for notebook in chosen for backend in args.backends]
    workers = min(args.jobs, os.cpu_count() or 1) if args.parallel else 1
    extra_env = one_thread if workers > 1 else (lambda backend: {})
    with ThreadPoolExecutor(workers) as pool:
        failures = sum(
            pool.map(
                lambda job: run_job(*job, pythons[job[0]], args, results, extra_env(job[0])), jobs
            )
        )
    print(f"backend passes: {time.perf_counter() - started:.0f} s", flush=True)
    if failures:
        print(f"FAILED: {failures} backend run(s) failed (see above)", flush=True)
    return 1 if failures else 0


def prepare(backend: str, args: argparse.Namespace, results: dict) -> Path:
    """The Python for ``backend`` (its cached environment, built if needed) and its versions."""
    started = time.perf_counter()
    python = Path(args.python) if args.python else backend_python(backend)
    print(f"{backend}: environment ready in {time.perf_counter() - started:.0f} s", flush=True)
    entry = results.setdefault(backend, {"notebooks": {}})
    entry["versions"] = subprocess.run(
        [
            str(python),
            "-c",
            f"import {backend}, keras; print({backend}.__version__, keras.__version__)",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, KERAS_BACKEND=backend),
    ).stdout.strip()
    return python


def run_job(
    backend: str,
    notebook: str | None,
    python: Path,
    args: argparse.Namespace,
    results: dict,
    extra_env: dict[str, str],
) -> int:
    """The unit tests (``notebook`` None) or one notebook on ``backend``: 1 when it failed."""
    entry = results[backend]
    if notebook is None:
        arguments, unit_env = unit_arguments(args.subset, args.workers)
        code, output, seconds = _run(python, backend, arguments, 7200, **extra_env, **unit_env)
        result = {
            "result": "pass" if code == 0 else "fail",
            "seconds": seconds,
            "tests": _counts(output),
        }
        if args.subset == "ci":
            result["selection"] = f"-m {CI_MARKER}"
        entry["unit_tests_ci" if args.subset == "ci" else "unit_tests"] = result
        print(f"{backend} unit tests ({args.subset}): {result}", flush=True)
    else:
        code, output, seconds = _run(python, backend, ["--nbval-lax", notebook], 1200, **extra_env)
        entry["notebooks"][notebook] = {
            "result": "pass" if code == 0 else "fail",
            "seconds": seconds,
            "cells": _counts(output),
        }
        print(f"{backend} {notebook}: {'pass' if code == 0 else 'FAIL'} ({seconds} s)", flush=True)
    if code != 0:
        print(_failure_report(output, backend), flush=True)
    if not args.no_save:
        _save(backend, entry, results["machine"])
    return int(code != 0)


def _failure_report(output: str, backend: str, lines: int = 60) -> str:
    """The end of pytest's output (the short summary of what failed), each line marked."""
    tail = output.strip().splitlines()[-lines:]
    return "\n".join(f"    [{backend}] " + line for line in tail)


if __name__ == "__main__":
    sys.exit(main())
