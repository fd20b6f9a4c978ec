"""Regenerate the pretrained backbone shipped in cnnkit/data/ (chapter 04's transfer learning).

Source task: the seven Fashion-MNIST classes the target task does not use
(``cnnkit.models.transfer.SOURCE_CLASSES``), all their 42,000 training images. The backbone
(``transfer.fashion_backbone``) with a 7-way softmax head is trained with Adam for a few epochs;
only the backbone's weights are kept. Prints the SHA-256 to record in
``cnnkit/models/transfer.py`` (``BACKBONE_SHA256``) and data/README.md.

    python data/make_backbone.py        # about 5 minutes on 2 CPU cores
"""

from __future__ import annotations

import time

import keras
import numpy as np

SEED = 1
EPOCHS = 4


def main() -> None:
    from cnnkit.datasets import fashion_mnist
    from cnnkit.models import transfer

    (x_train, y_train), (x_test, y_test) = fashion_mnist()
    source = np.array(transfer.SOURCE_CLASSES)
    keep, keep_test = np.isin(y_train, source), np.isin(y_test, source)
    x = x_train[keep][..., None].astype("float32") / 255.0
    y = np.searchsorted(source, y_train[keep])
    x_val = x_test[keep_test][..., None].astype("float32") / 255.0
    y_val = np.searchsorted(source, y_test[keep_test])

    keras.utils.set_random_seed(SEED)
    backbone = transfer.fashion_backbone()
    model = transfer.transfer_classifier(backbone, len(source), name="source_task")
    model.compile(
        keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    start = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=EPOCHS, verbose=2)
    accuracy = model.evaluate(x_val, y_val, verbose=0)[1]
    print(
        f"source task: {len(x):,} images, {EPOCHS} epochs in {time.perf_counter() - start:.0f} s, "
        f"test accuracy {accuracy:.4f} on {len(x_val):,} test images of the 7 source classes"
    )
    digest = transfer.save_backbone(backbone, transfer.BACKBONE_FILE)
    size = transfer.BACKBONE_FILE.stat().st_size / 1e6
    print(f"wrote cnnkit/data/{transfer.BACKBONE_FILE.name} ({size:.2f} MB), sha256 {digest}")


if __name__ == "__main__":
    main()
