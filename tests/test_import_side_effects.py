"""``import cnnkit`` changes no global state, and its one lazy loader serves every package.

Each check runs in a fresh interpreter, which records the process state, imports cnnkit (and
touches ``ck.QUICK`` and ``dir(ck)``), then records it again. Quieting TensorFlow belongs to
``ck.setup()`` only (``tests/test_settings.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cnnkit as ck

ROOT = Path(__file__).resolve().parents[1]

STATE = textwrap.dedent(
    """
    import json, logging, os, sys, warnings

    def state():
        stderr = os.fstat(2)
        return {
            "environ": dict(os.environ),
            "meta_path": [repr(finder) for finder in sys.meta_path],
            "path_hooks": [repr(hook) for hook in sys.path_hooks],
            "root_level": logging.getLogger().level,
            "logger_levels": {
                name: logger.level
                for name, logger in logging.root.manager.loggerDict.items()
                if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET
            },
            "fd2": [stderr.st_dev, stderr.st_ino, stderr.st_mode],
            "stderr": [id(sys.stderr), id(sys.__stderr__)],
            "warning_filters": len(warnings.filters),
            "heavy_modules": sorted(
                name for name in ("tensorflow", "keras", "jax", "torch", "matplotlib")
                if name in sys.modules
            ),
        }

    before = state()
    import cnnkit as ck

    ck.QUICK, dir(ck)
    print(json.dumps({"before": before, "after": state()}))
    """
)


def _import_in_fresh_process(**environment) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CNNKIT_")}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(environment)
    completed = subprocess.run(
        [sys.executable, "-c", STATE], capture_output=True, text=True, env=env, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    return json.loads(completed.stdout)


@pytest.mark.parametrize("quick", ["", "1"])
def test_import_changes_no_global_state(quick):
    states = _import_in_fresh_process(CNNKIT_QUICK=quick)
    before, after = states["before"], states["after"]
    assert "TF_CPP_MIN_LOG_LEVEL" not in after["environ"]
    for key in before:
        assert after[key] == before[key], key
    assert after["heavy_modules"] == []


def test_quick_mode_is_read_at_each_access(monkeypatch):
    monkeypatch.setenv("CNNKIT_QUICK", "1")
    assert ck.QUICK is True
    monkeypatch.setenv("CNNKIT_QUICK", "off")
    assert ck.QUICK is False
    monkeypatch.delenv("CNNKIT_QUICK")
    assert ck.QUICK is False
    assert "QUICK" in dir(ck)


@pytest.mark.parametrize(
    "package", ["cnnkit", "cnnkit.plots", "cnnkit.training", "cnnkit.exercises"]
)
def test_every_package_loads_lazily_through_the_one_loader(package):
    """One mechanism (cnnkit.lazy): the hook comes from lazy_package, unknown names list modules."""
    import importlib

    module = importlib.import_module(package)
    assert module.__getattr__.__module__ == "cnnkit.lazy"
    with pytest.raises(AttributeError, match="has no module or attribute 'ch99'; its modules: "):
        module.ch99  # noqa: B018


def test_lazy_names_resolve_to_what_they_name():
    from cnnkit.claims import claim
    from cnnkit.exercises import ch01
    from cnnkit.layer_table import explain
    from cnnkit.settings import setup

    assert (ck.claim, ck.explain, ck.setup, ck.exercises.ch01) == (claim, explain, setup, ch01)
    assert {"setup", "claim", "exercises", "formulas", "QUICK"} <= set(dir(ck))
    assert "ch01" in dir(ck.exercises)
