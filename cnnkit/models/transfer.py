"""A ``keras.applications`` backbone for transfer learning (迁移学习) that also works offline.

:func:`backbone` asks for ImageNet weights; when they cannot be downloaded (no internet, a
filtered network) it says so in one line and builds the same network with random weights, so
the rest of the notebook runs the same code path either way. Only download failures are
caught: any other error (a wrong input shape, an unknown name) still stops with its message.
"""

from __future__ import annotations

import urllib.error

__all__ = ["backbone", "is_download_failure"]


def is_download_failure(error: BaseException) -> bool:
    """True when ``error`` means "the weights file could not be fetched".

    ``keras.utils.get_file`` turns ``urllib`` errors into a bare ``Exception`` whose message
    starts with "URL fetch failure"; a socket error or a ``URLError`` may also come through.
    """
    if isinstance(error, (urllib.error.URLError, ConnectionError, TimeoutError)):
        return True
    if type(error) is Exception and "URL fetch failure" in str(error):
        return True
    cause = error.__cause__ or error.__context__
    return cause is not None and cause is not error and is_download_failure(cause)


def backbone(
    name: str = "MobileNetV2",
    input_shape: tuple[int, int, int] = (32, 32, 3),
    weights: str | None = "imagenet",
    verbose: bool = True,
    **kwargs,
):
    """``keras.applications.<name>(include_top=False, weights=weights, input_shape=...)``.

    Returns ``(model, weights_used)`` where ``weights_used`` is ``"imagenet"`` or ``None``
    (random initialisation, after a failed download; one line is printed when ``verbose``).
    Extra keyword arguments go to the application (e.g. ``alpha=0.35`` for MobileNetV2).
    """
    import keras

    application = getattr(keras.applications, name, None)
    if application is None or not callable(application):
        raise ValueError(
            f"keras.applications has no model {name!r} (try 'MobileNetV2', 'ResNet50')"
        )
    arguments = dict(include_top=False, input_shape=input_shape, **kwargs)
    if weights is not None:
        try:
            return application(weights=weights, **arguments), weights
        except Exception as error:  # noqa: BLE001 -- re-raised below unless it is a failed download
            if not is_download_failure(error):
                raise
            if verbose:
                print(
                    f"{name}: could not download the {weights} weights "
                    f"({str(error).splitlines()[0][:80]}...); using random weights instead."
                )
    return application(weights=None, **arguments), None
