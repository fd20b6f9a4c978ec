"""The facts of the one-line environment report ``ck.setup()`` prints: versions, device, Colab."""

from __future__ import annotations

import importlib
import os
import sys

BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def describe_backend(backend: str) -> str:
    """'TensorFlow 2.20.0', 'JAX 0.10.2' or 'PyTorch 2.13.0': the Keras backend and its version."""
    module = importlib.import_module(backend)
    return f"{BACKEND_NAMES.get(backend, backend)} {getattr(module, '__version__', '?')}"


def count_gpus(backend: str) -> int:
    """How many GPUs the Keras backend ``backend`` sees (0 on a CPU-only machine)."""
    if backend == "tensorflow":
        return len(sys.modules["tensorflow"].config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return sum(device.platform == "gpu" for device in jax.devices())
    if backend == "torch":
        import torch

        return torch.cuda.device_count()
    return 0


def describe_device(backend: str) -> str:
    """'CPU (2 cores)', 'GPU x1' or 'TPU': the accelerator the Keras backend will use."""
    if "COLAB_TPU_ADDR" in os.environ or os.environ.get("TPU_NAME"):
        return "TPU"
    gpus = count_gpus(backend)
    if gpus:
        return f"GPU x{gpus}"
    return f"CPU ({os.cpu_count()} cores)"
