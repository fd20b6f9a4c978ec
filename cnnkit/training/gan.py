"""Watching a GAN learn: a fixed-noise sample-grid callback and a class census of generated samples.

- :class:`SampleGrid`: every ``every`` epochs, G(z) for the same fixed z; redrawn in place in a
  live notebook, silent when headless; keeps every grid for
  :func:`cnnkit.plots.gan.progress_over_epochs`.
- :func:`class_census`: label generated images with a classifier trained on real data; the
  class shares and the mean confidence measure diversity and quality (mode collapse, 模式崩溃,
  shows as a few classes taking almost every sample).
- :func:`mean_pairwise_distance`: how different the samples are from each other (diversity,
  多样性); a collapsed generator gives nearly the same image for every z, so the distance drops
  far below that of real images.
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.training.callbacks import live_plotting_enabled
from cnnkit.validation import check_int

__all__ = ["SampleGrid", "class_census", "mean_pairwise_distance"]


class SampleGrid(keras.callbacks.Callback):
    """Generate images from the same ``samples`` noise vectors every ``every`` epochs and keep them.

    Works with a :class:`cnnkit.models.gan.GAN` (uses its ``generator``) or a bare generator.
    ``grids`` is a list of ``(epoch, images)`` (epoch 0 = before training). ``live=None``
    redraws one output in place when a notebook front end is live and stays silent headless.
    """

    def __init__(self, samples: int = 16, every: int = 1, seed: int = 0, live: bool | None = None):
        super().__init__()
        every = check_int("every", every, 1, hint="every counts epochs between two grids.")
        samples = check_int("samples", samples, 1)
        self.samples = samples
        self.every = every
        self.seed = seed
        self.live = live
        self.grids: list[tuple[int, np.ndarray]] = []
        self._noise = None
        self._handle = None

    def _generator(self):
        return getattr(self.model, "generator", self.model)

    def _record(self, epoch: int):
        generator = self._generator()
        if self._noise is None:
            latent_dim = int(generator.input_shape[-1])
            rng = np.random.default_rng(self.seed)
            self._noise = rng.normal(size=(self.samples, latent_dim)).astype("float32")
        images = keras.ops.convert_to_numpy(generator(self._noise, training=False))
        self.grids.append((epoch, images))
        if self._live():
            self._show(epoch, images)

    def _live(self) -> bool:
        return live_plotting_enabled() if self.live is None else bool(self.live)

    def _show(self, epoch, images):
        from IPython.display import display

        from cnnkit.plots.gan import sample_grid

        fig = sample_grid(images, title=f"G(z) after epoch {epoch}")
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)

    def on_train_begin(self, logs=None):
        if not self.grids:
            self._record(0)

    def on_epoch_end(self, epoch, logs=None):
        finished = epoch + 1
        last = self.params.get("epochs") if self.params else None
        if finished % self.every == 0 or finished == last:
            self._record(finished)

    def figure(self, samples: int = 8):
        """The 'progress over epochs' figure: one row per recorded epoch."""
        from cnnkit.plots.gan import progress_over_epochs

        return progress_over_epochs(self.grids, samples=samples)


def class_census(classifier, images, batch_size: int = 256) -> dict:
    """Label generated images with a classifier trained on real data.

    ``images`` in [-1, 1] (generator output) or [0, 1]; the classifier must take [0, 1] pixels.
    Returns ``probabilities`` (N, classes), ``counts``, ``share``, ``mean_confidence``,
    ``classes_covered`` (classes with at least 2% of the samples) and ``effective_classes``
    (exp of the entropy of the shares: 10 for a perfectly even spread, 1 for total collapse).
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim == 3:
        images = images[..., None]
    if images.min() < 0:
        images = (images + 1) / 2
    probabilities = np.asarray(classifier.predict(images, batch_size=batch_size, verbose=0))
    classes = probabilities.shape[1]
    counts = np.bincount(probabilities.argmax(axis=1), minlength=classes)
    share = counts / counts.sum()
    nonzero = share[share > 0]
    return {
        "probabilities": probabilities,
        "counts": counts,
        "share": share,
        "mean_confidence": float(probabilities.max(axis=1).mean()),
        "classes_covered": int((share >= 0.02).sum()),
        "effective_classes": float(np.exp(-(nonzero * np.log(nonzero)).sum())),
    }


def mean_pairwise_distance(images) -> float:
    """Mean Euclidean distance between two different samples: (1/(N(N-1))) Σ_{i≠j} ||x_i - x_j||.

    ``images`` (N, ...) with N >= 2, each flattened to one vector; pass the same pixel scale for
    the sets you compare ([0, 1] here). Uses ||a - b||² = ||a||² + ||b||² - 2a·b (one matrix
    product instead of N² differences). 0 when every sample is the same image.
    """
    vectors = np.asarray(images, dtype="float64")
    if vectors.ndim < 2 or len(vectors) < 2:
        raise ValueError(
            f"mean_pairwise_distance needs at least 2 samples as an (N, ...) array, got shape "
            f"{vectors.shape}."
        )
    vectors = vectors.reshape(len(vectors), -1)
    squared = (vectors**2).sum(axis=1)
    distances_squared = squared[:, None] + squared[None, :] - 2 * vectors @ vectors.T
    distances = np.sqrt(np.clip(distances_squared, 0, None))  # rounding can give tiny negatives
    np.fill_diagonal(distances, 0.0)
    count = len(vectors)
    return float(distances.sum() / (count * (count - 1)))
