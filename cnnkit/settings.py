"""Run-time settings of the course: quick mode, seeding, quiet TensorFlow, environment report."""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import platform
import random
import sys
from dataclasses import dataclass

import numpy as np

from cnnkit._version import __version__

_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("", "0", "false", "no", "off")


class SettingWarning(UserWarning):
    """An environment variable of the kit has a value the kit does not understand."""


def _env_flag(name: str) -> bool:
    """True/False from an environment variable; an unknown value warns and means False."""
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE_WORDS:
        return True
    if value not in _FALSE_WORDS:
        import warnings

        warnings.warn(
            f"{name}={os.environ[name]!r} is neither true nor false, so the course runs in full "
            f"mode. Use one of {', '.join(_TRUE_WORDS)} for quick mode or "
            f"{', '.join(w for w in _FALSE_WORDS if w)} (or leave it unset) for full mode.",
            SettingWarning,
            stacklevel=2,
        )
    return False


#: True when the environment variable ``CNNKIT_QUICK=1``: small data, few epochs (CI, impatient students).
QUICK: bool = _env_flag("CNNKIT_QUICK")


@dataclass(frozen=True)
class Settings:
    """What :func:`setup` decided and found."""

    seed: int
    quick: bool
    python_version: str
    backend: str
    keras_version: str
    device: str
    in_colab: bool
    threads: int | None

    def report(self) -> str:
        """The one-line environment report that :func:`setup` prints."""
        where = "Colab" if self.in_colab else "local"
        mode = "quick mode (CNNKIT_QUICK=1)" if self.quick else "full mode"
        return (
            f"cnnkit {__version__} | Keras {self.keras_version} on {self.backend}, "
            f"Python {self.python_version} | {self.device} | "
            f"{where} | {mode} | seed {self.seed}"
        )


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


@contextlib.contextmanager
def _silenced_stderr():
    """Send file descriptor 2 to /dev/null: TensorFlow's C++ start-up lines bypass Python's sys.stderr."""
    try:
        stderr_fd = sys.__stderr__.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved_fd = os.dup(stderr_fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), stderr_fd)
            yield
    finally:
        os.dup2(saved_fd, stderr_fd)
        os.close(saved_fd)


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Silence fd 2 while TensorFlow's top-level module executes, whoever imports it first.

    TensorFlow 2.2x prints its oneDNN/CUDA/CPU-feature lines through absl before reading
    ``TF_CPP_MIN_LOG_LEVEL``, so a student's ``import keras`` after ``import cnnkit`` would put
    them into the notebook. Python errors of the import still propagate unchanged.
    """

    _searching = False  # our own find_spec call below must not come back here

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow" or self._searching:
            return None
        self._searching = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._searching = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        real_exec_module = spec.loader.exec_module
        finder = self

        def quiet_exec_module(module):
            with contextlib.suppress(ValueError):  # TensorFlow is importing: step aside for good
                sys.meta_path.remove(finder)
            with _silenced_stderr():
                real_exec_module(module)

        spec.loader.exec_module = quiet_exec_module
        return spec


def install_quiet_tensorflow_import() -> None:
    """Make the first import of TensorFlow (by keras, by the student, by the kit) silent."""
    if "tensorflow" in sys.modules:
        return
    if not any(isinstance(finder, _QuietTensorFlowImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


def quiet_tensorflow():
    """Import TensorFlow without its absl, oneDNN and CUDA start-up noise and return the module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
    else:
        with _silenced_stderr():
            import tensorflow as tf
    import logging

    tf.get_logger().setLevel(logging.ERROR)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:  # absl ships with TensorFlow, but be tolerant
        pass
    return tf


BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def describe_backend(backend: str) -> str:
    """'TensorFlow 2.20.0', 'JAX 0.10.2' or 'PyTorch 2.13.0': the Keras backend and its version."""
    module = importlib.import_module(backend)
    return f"{BACKEND_NAMES.get(backend, backend)} {getattr(module, '__version__', '?')}"


def describe_device(backend: str) -> str:
    """'CPU (2 cores)', 'GPU x1' or 'TPU': the accelerator the Keras backend will use."""
    if "COLAB_TPU_ADDR" in os.environ or os.environ.get("TPU_NAME"):
        return "TPU"
    gpus = 0
    with _silenced_stderr():  # probing for CUDA logs a cuInit failure line on CPU-only machines
        if backend == "tensorflow":
            gpus = len(sys.modules["tensorflow"].config.list_physical_devices("GPU"))
        elif backend == "jax":
            import jax

            gpus = sum(device.platform == "gpu" for device in jax.devices())
        elif backend == "torch":
            import torch

            gpus = torch.cuda.device_count()
    if gpus:
        return f"GPU x{gpus}"
    return f"CPU ({os.cpu_count()} cores)"


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and Keras (which seeds the TensorFlow backend)."""
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)


def setup(seed: int = 42, *, threads: int | None = None, verbose: bool = True) -> Settings:
    """Prepare a notebook: quiet TensorFlow, seed everything, print a one-line report.

    On TensorFlow it also makes ``fit`` build the optimizer before tracing the train step,
    which halves the tracing of each new model (`cnnkit.trace_once`), and in quick mode turns
    off grappler's graph optimisation (a few steps per model do not repay it).

    The Keras backend is fixed when Keras is first imported: choose it with
    ``%env KERAS_BACKEND=jax`` (or ``torch``, ``tensorflow``) before the first import.

    Parameters
    ----------
    seed : int
        Seed for Python, NumPy and Keras, so that reruns give the same numbers.
    threads : int or None
        Limit TensorFlow's intra- and inter-op thread pools (None keeps TensorFlow's choice).
    verbose : bool
        Print the environment report.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {seed!r} of type {type(seed).__name__}.")
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}.")
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        tf = quiet_tensorflow()
        from cnnkit import trace_once

        trace_once.install()  # one trace per new model instead of two (see cnnkit/trace_once.py)
        if QUICK:
            # Quick mode fits each model for a few steps: grappler's graph optimisation (about a
            # second per new model here) costs more than it saves. Full mode keeps it (fused ops).
            tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
        if threads is not None:
            with contextlib.suppress(RuntimeError):  # already initialised: keep the running pools
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)

    seed_everything(int(seed))
    from cnnkit.style import apply_course_style

    apply_course_style()
    settings = Settings(
        seed=int(seed),
        quick=QUICK,
        python_version=platform.python_version(),
        backend=describe_backend(backend),
        keras_version=keras.__version__,
        device=describe_device(backend),
        in_colab=in_colab(),
        threads=threads,
    )
    if verbose:
        print(settings.report())
    return settings
