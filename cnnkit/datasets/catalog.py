"""The files of every downloadable dataset: names, canonical URLs and accepted checksums."""

from __future__ import annotations

from cnnkit.datasets.sources import RemoteFile

KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def _fashion(
    name: str, upstream_md5: str, content_sha256: str, size: int, decompressed_size: int
) -> RemoteFile:
    # md5 and size: the gzip files as Zalando publishes them; content: the decompressed bytes,
    # which Debian's re-compressed copies share (IDX: 16 header bytes + 784 per image, or
    # 8 + 1 per label).
    return RemoteFile(
        name=name,
        url=KERAS_DATASETS_URL + name,
        md5=(upstream_md5,),
        gzip_content_sha256=(content_sha256,),
        keras_cache_subdir="fashion-mnist",
        size=size,
        decompressed_size=decompressed_size,
    )


FASHION_MNIST_FILES = {
    "train_images": _fashion(
        "train-images-idx3-ubyte.gz",
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        26_421_880,
        16 + 60_000 * 784,
    ),
    "train_labels": _fashion(
        "train-labels-idx1-ubyte.gz",
        "25c81989df183df01b3e8a0aad5dffbe",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        29_515,
        8 + 60_000,
    ),
    "test_images": _fashion(
        "t10k-images-idx3-ubyte.gz",
        "bef4ecab320f06d8554ea6380940ec79",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        4_422_102,
        16 + 10_000 * 784,
    ),
    "test_labels": _fashion(
        "t10k-labels-idx1-ubyte.gz",
        "bb300cfdad3c16e7a12a480ee83cd310",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        5_148,
        8 + 10_000,
    ),
}

MNIST_FILE = RemoteFile(
    name="mnist.npz",
    url=KERAS_DATASETS_URL + "mnist.npz",
    sha256=("731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",),
    size=11_490_434,
)

CIFAR10_FILE = RemoteFile(
    name="cifar-10-python.tar.gz",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    sha256=("6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",),
    size=170_498_071,
)

IMDB_FILE = RemoteFile(
    name="imdb.npz",
    url=KERAS_DATASETS_URL + "imdb.npz",
    sha256=("69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",),
    size=17_464_789,
)

IMDB_WORD_INDEX_FILE = RemoteFile(
    name="imdb_word_index.json",
    url=KERAS_DATASETS_URL + "imdb_word_index.json",
    md5=("bfafd718b763782e994055a2d397834f",),
    size=1_641_221,
)

#: The shipped Fashion-MNIST sample (see data/README.md for provenance and data/make_samples.py).
FASHION_MNIST_SAMPLE_FILE = RemoteFile(
    name="fashion_mnist_sample.npz",
    url="",
    sha256=("ff363a63d276fd6c2931b6969598bdf24f23f67e47ed1fbfbd24eb4677514876",),
)

FASHION_MNIST_CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

CIFAR10_CLASS_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
