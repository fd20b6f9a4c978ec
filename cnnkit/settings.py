"""``ck.setup()``: prepare a notebook (quiet TensorFlow, seed everything, print one line).

It changes nothing that a student's own Keras code does: no Keras function is replaced, and
``import cnnkit`` alone changes no global state. The jobs live in their own modules:
:mod:`cnnkit.quick_mode`, :mod:`cnnkit.seeding`, :mod:`cnnkit.tensorflow_logs`,
:mod:`cnnkit.environment_report`.
"""

from __future__ import annotations

import contextlib
import platform
from dataclasses import dataclass

from cnnkit._version import __version__
from cnnkit.environment_report import describe_backend, describe_device, in_colab
from cnnkit.quick_mode import quick_mode
from cnnkit.seeding import seed_everything
from cnnkit.tensorflow_logs import quiet_tensorflow_logs, startup_lines_filtered
from cnnkit.validation import check_bool, check_int

#: Seeds NumPy's global generator accepts (0 <= seed < 2**32).
MAX_SEED = 2**32 - 1
#: More threads than this is a typo (TensorFlow would accept it and oversubscribe the CPU).
MAX_THREADS = 4096


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


def setup(seed: int = 42, *, threads: int | None = None, verbose: bool = True) -> Settings:
    """Prepare a notebook: quiet TensorFlow's logs, seed everything, print a one-line report.

    Quieting (:mod:`cnnkit.tensorflow_logs`) sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless the student
    chose a level, so TensorFlow's errors still show, and filters TensorFlow's start-up lines
    out of the first import (call ``ck.setup()`` before ``import keras`` for that; the setup cell
    does). In quick mode on TensorFlow it also turns off grappler's graph optimisation (a few
    steps per model do not repay it).

    The Keras backend is fixed when Keras is first imported: choose it with
    ``%env KERAS_BACKEND=jax`` (or ``torch``, ``tensorflow``) before the first import.

    Parameters
    ----------
    seed : int
        Seed for Python, NumPy and Keras (0 <= seed < 2**32), so that reruns give the same numbers.
    threads : int or None
        Limit TensorFlow's intra- and inter-op thread pools (None keeps TensorFlow's choice).
    verbose : bool
        Print the environment report.
    """
    seed = check_int("seed", seed, 0, maximum=MAX_SEED)
    if threads is not None:
        threads = check_int("threads", threads, 1, maximum=MAX_THREADS, hint="Or pass None.")
    check_bool("verbose", verbose)
    quick = quick_mode()

    quiet_tensorflow_logs()  # before TensorFlow's first import: it reads the log level then
    with startup_lines_filtered() as startup:
        import keras

        backend = keras.backend.backend()
        if backend == "tensorflow":
            _configure_tensorflow(quick, threads)
        device = describe_device(backend)
        if not device.startswith("GPU"):
            # CUDA builds of TensorFlow log "failed call to cuInit" on every machine without a
            # GPU; the report says CPU, which is all that error means here.
            startup.drop_containing("failed call to cuInit")
    quiet_tensorflow_logs()  # now that TensorFlow is imported: its Python loggers too

    seed_everything(seed)
    from cnnkit.style import apply_course_style

    apply_course_style()
    settings = Settings(
        seed=seed,
        quick=quick,
        python_version=platform.python_version(),
        backend=describe_backend(backend),
        keras_version=keras.__version__,
        device=device,
        in_colab=in_colab(),
        threads=threads,
    )
    if verbose:
        print(settings.report())
    return settings


def _configure_tensorflow(quick: bool, threads: int | None) -> None:
    """Quick mode without grappler; ``threads`` for TensorFlow's pools (before it runs anything)."""
    import tensorflow as tf

    if quick:
        # Quick mode fits each model for a few steps: grappler's graph optimisation (about a
        # second per new model here) costs more than it saves. Full mode keeps it (fused ops).
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    if threads is not None:
        with contextlib.suppress(RuntimeError):  # already initialised: keep the running pools
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
