"""Pick the ``tf.distribute`` strategy for this machine, so the same notebook scales from a laptop to a TPU.

- a Colab (or Cloud) TPU runtime: ``TPUStrategy``;
- several GPUs: ``MirroredStrategy`` over all of them (one replica per GPU);
- otherwise (one GPU or a CPU): the default strategy, which adds nothing.

Build and compile the model inside ``with strategy.scope():``; scale the global batch size with
``strategy.num_replicas_in_sync`` (and, as a rule of thumb, the learning rate with it).
"""

from __future__ import annotations

import os


def _tpu_address() -> str | None:
    return os.environ.get("COLAB_TPU_ADDR") or os.environ.get("TPU_NAME")


def strategy(prefer: str | None = None):
    """The right ``tf.distribute.Strategy`` for the devices present.

    Parameters
    ----------
    prefer : {"tpu", "mirrored", "default"} or None
        Force a choice (``"mirrored"`` over every visible GPU, or over the logical CPUs when there
        is no GPU: that is how the tests prove data parallelism on a CPU-only machine).
    """
    from cnnkit.tensorflow_logs import import_tensorflow

    tf = import_tensorflow()
    if prefer not in (None, "tpu", "mirrored", "default"):
        raise ValueError(f"prefer must be None, 'tpu', 'mirrored' or 'default', got {prefer!r}.")
    if prefer == "tpu" or (prefer is None and _tpu_address()):
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=_tpu_address() or "")
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    gpus = tf.config.list_logical_devices("GPU")
    if prefer == "mirrored":
        devices = [device.name for device in gpus] or [
            device.name for device in tf.config.list_logical_devices("CPU")
        ]
        return tf.distribute.MirroredStrategy(devices=devices)
    if prefer is None and len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def split_cpu(count: int = 2) -> None:
    """Expose ``count`` logical CPU devices (call before TensorFlow runs anything)."""
    from cnnkit.tensorflow_logs import import_tensorflow

    tf = import_tensorflow()
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}.")
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
    )


def describe(distribution) -> str:
    """One line: the strategy's class and how many replicas train in sync."""
    return f"{type(distribution).__name__} with {distribution.num_replicas_in_sync} replica(s)"
