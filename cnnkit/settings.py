"""Run-time settings of the course: quick mode, seeding, quiet TensorFlow, environment report."""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sys
from dataclasses import dataclass

import numpy as np


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


#: True when the environment variable ``CNNKIT_QUICK=1``: small data, few epochs (CI, impatient students).
QUICK: bool = _env_flag("CNNKIT_QUICK")


@dataclass(frozen=True)
class Settings:
    """What :func:`setup` decided and found."""

    seed: int
    quick: bool
    python_version: str
    tensorflow_version: str
    keras_version: str
    device: str
    in_colab: bool
    threads: int | None

    def report(self) -> str:
        """The one-line environment report that :func:`setup` prints."""
        where = "Colab" if self.in_colab else "local"
        mode = "quick mode (CNNKIT_QUICK=1)" if self.quick else "full mode"
        from cnnkit import __version__

        return (
            f"cnnkit {__version__} | TensorFlow {self.tensorflow_version}, "
            f"Keras {self.keras_version}, Python {self.python_version} | {self.device} | "
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


def describe_device(tf) -> str:
    """'CPU (2 cores)', 'GPU x1 (name)' or 'TPU': the accelerator TensorFlow will use."""
    if "COLAB_TPU_ADDR" in os.environ or os.environ.get("TPU_NAME"):
        return "TPU"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return f"GPU x{len(gpus)}"
    return f"CPU ({os.cpu_count()} cores)"


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and Keras (which seeds the TensorFlow backend)."""
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)


def setup(seed: int = 42, *, threads: int | None = None, verbose: bool = True) -> Settings:
    """Prepare a notebook: quiet TensorFlow, seed everything, print a one-line report.

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
    tf = quiet_tensorflow()
    if threads is not None:
        with contextlib.suppress(RuntimeError):  # already initialised: keep the running pools
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras

    seed_everything(int(seed))
    from cnnkit.plots.style import apply_course_style

    apply_course_style()
    settings = Settings(
        seed=int(seed),
        quick=QUICK,
        python_version=platform.python_version(),
        tensorflow_version=tf.__version__,
        keras_version=keras.__version__,
        device=describe_device(tf),
        in_colab=in_colab(),
        threads=threads,
    )
    if verbose:
        print(settings.report())
    return settings
