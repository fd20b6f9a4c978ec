"""Every module that cnnkit/ imports at run time is a declared dependency of the package.

A Colab notebook gets only what `pip install cnnkit` brings (issue: chapter 07 failed there with
`No module named 'keras_tuner'`, which sat in requirements.txt but not in pyproject.toml). This
test reads every import of cnnkit/ with `ast` (top-level and inside functions alike), leaves out
the standard library, cnnkit itself, imports with an `except ImportError` fallback and the other
Keras backends (jax, torch), maps each module to the distribution that provides it, and requires
that distribution in `[project] dependencies`. Files that only developers run (the
notebook authoring tools, the PDF formula sheet) may rely on the `dev` extra instead.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPOSITORY_ROOT / "cnnkit"

#: Files whose imports may come from an extra, and that extra (developer tools, never a notebook).
EXTRA_ALLOWED = {
    "cnnkit/authoring/": "dev",  # building and running notebooks, make lab
    "cnnkit/review/sheet.py": "dev",  # the PDF formula sheet (weasyprint, pypdf); HTML needs none
}
#: Modules that a declared dependency installs itself (checked below against its metadata).
PROVIDED_BY = {"absl": "tensorflow"}
#: Keras backends other than TensorFlow: imported only when KERAS_BACKEND names them, and
#: whoever chooses that backend installs it.
OTHER_BACKENDS = {"jax", "torch"}
#: Import name -> distribution, where the environment cannot tell (module not installed here).
KNOWN = {
    "sklearn": "scikit-learn",
    "keras_tuner": "keras-tuner",
    "IPython": "ipython",
    "yaml": "pyyaml",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(
        isinstance(name, ast.Name) and name.id in ("ImportError", "ModuleNotFoundError")
        for name in names
    )


def _guarded_imports(tree: ast.AST) -> set[ast.AST]:
    """Imports inside ``try:`` blocks that fall back on ImportError: optional by construction."""
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(map(_catches_import_error, node.handlers)):
            for statement in node.body:
                guarded |= {
                    inner
                    for inner in ast.walk(statement)
                    if isinstance(inner, ast.Import | ast.ImportFrom)
                }
    return guarded


def runtime_imports() -> dict[str, set[str]]:
    """Top-level module name -> files of cnnkit/ that import it without an ImportError fallback."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        guarded = _guarded_imports(tree)
        for node in ast.walk(tree):
            if node in guarded:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "cnnkit" or top in sys.stdlib_module_names or top == "__future__":
                    continue
                found.setdefault(top, set()).add(path.relative_to(REPOSITORY_ROOT).as_posix())
    return found


def distribution_of(module: str) -> str:
    installed = importlib.metadata.packages_distributions().get(module)
    if installed:
        return _normalise(installed[0])
    if module in KNOWN:
        return _normalise(KNOWN[module])
    return _normalise(module)


def declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((REPOSITORY_ROOT / "pyproject.toml").read_text())["project"]
    required = {_normalise(Requirement(line).name) for line in project["dependencies"]}
    extras = {
        extra: {_normalise(Requirement(line).name) for line in lines}
        for extra, lines in project.get("optional-dependencies", {}).items()
    }
    return required, extras


def test_the_scan_finds_the_known_imports():
    imports = runtime_imports()
    for module in ("numpy", "keras", "matplotlib", "keras_tuner", "ipywidgets", "nbformat"):
        assert module in imports, f"the import scan missed {module}; is the ast walk broken?"


def test_imports_with_an_import_error_fallback_are_optional():
    tree = ast.parse(
        "try:\n    import rare_module\nexcept ImportError:\n    rare_module = None\n"
        "try:\n    import needed_module\nexcept ValueError:\n    pass\n"
    )
    guarded = {node.names[0].name for node in _guarded_imports(tree)}
    assert guarded == {"rare_module"}


def test_every_runtime_import_is_a_declared_dependency():
    required, extras = declared()
    missing = []
    for module, files in sorted(runtime_imports().items()):
        if module in PROVIDED_BY or module in OTHER_BACKENDS:
            continue
        distribution = distribution_of(module)
        if distribution in required:
            continue
        for file in sorted(files):
            extra = next(
                (extra for prefix, extra in EXTRA_ALLOWED.items() if file.startswith(prefix)),
                None,
            )
            if extra is None or distribution not in extras.get(extra, set()):
                missing.append(f"{file} imports {module} ({distribution})")
    assert not missing, (
        "imports of cnnkit/ that `pip install cnnkit` does not bring; add them to "
        "[project] dependencies in pyproject.toml:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("module, provider", sorted(PROVIDED_BY.items()))
def test_transitive_providers_really_require_the_module(module, provider):
    required, _ = declared()
    assert _normalise(provider) in required
    requirements = importlib.metadata.requires(provider) or []
    names = {_normalise(Requirement(line).name) for line in requirements}
    assert distribution_of(module) in names, f"{provider} no longer requires {module}: declare it"


def test_requirements_txt_holds_every_dependency():
    """`make lab` installs requirements.txt first: it must not miss what the package needs."""
    required, _ = declared()
    lines = (REPOSITORY_ROOT / "requirements.txt").read_text().splitlines()
    listed = {
        _normalise(Requirement(line).name) for line in lines if line.strip() and line[0] != "#"
    }
    assert required <= listed, f"missing in requirements.txt: {sorted(required - listed)}"


def test_each_other_backend_has_an_extra_that_installs_it():
    """`pip install cnnkit[jax]` / `cnnkit[torch]` bring the backend KERAS_BACKEND names."""
    _, extras = declared()
    for backend in sorted(OTHER_BACKENDS):
        assert backend in extras.get(backend, set()), f"no extra [{backend}] installing {backend}"
