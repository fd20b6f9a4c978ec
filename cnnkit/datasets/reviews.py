"""Generated movie reviews where word ORDER decides the label: "good, not bad" vs "bad, not good".

Each review praises with one word and, negated by "not", dismisses with another:
a positive review asserts a positive word and negates a negative one ("the movie was good , not
bad"); a negative review does the opposite ("the movie was bad , not good"). Both classes contain
one positive word, one negative word and one "not", drawn from the same lists with the same
templates and fillers, so WHICH words occur says nothing about the label: only their order
(which word follows "not") does. A bag of words (multi-hot vector) cannot tell the classes apart;
a network that reads the words in order can.

Made on the spot (no download); the same ``seed`` gives the same reviews.
"""

from __future__ import annotations

import numpy as np

from cnnkit.validation import check_int

__all__ = [
    "NEGATIVE_WORDS",
    "POSITIVE_WORDS",
    "VOCABULARY",
    "decode",
    "encode",
    "multi_hot",
    "negation_reviews",
]

POSITIVE_WORDS = ("good", "great", "fine", "excellent", "wonderful", "superb", "brilliant", "fun")
NEGATIVE_WORDS = ("bad", "awful", "boring", "dull", "terrible", "weak", "poor", "tedious")

# {a}: the asserted word (its class is the label), {n}: the word after "not".
_TEMPLATES = (
    "the movie was {a} , not {n}",
    "it is not {n} . it is {a}",
    "not {n} at all , really {a}",
    "the plot was not {n} and the acting was {a}",
    "the acting was {a} and the plot was not {n}",
    "i found it {a} , not {n}",
    "a {a} film , not a {n} one",
    "not {n} but {a}",
)
_OPENINGS = ("", "well ,", "honestly ,", "so", "i think", "in short ,")
_CLOSINGS = ("", ".", "overall .", "i would say .", "for me .")

#: Word ids: 0 is padding, then every word the generator uses, in a fixed order.
VOCABULARY = ("<pad>",) + tuple(
    sorted(
        {word for text in _TEMPLATES + _OPENINGS + _CLOSINGS for word in text.split()}
        - {"{a}", "{n}"}
        | set(POSITIVE_WORDS)
        | set(NEGATIVE_WORDS)
    )
)
_INDEX = {word: index for index, word in enumerate(VOCABULARY)}


def encode(text: str, length: int | None = None) -> np.ndarray:
    """Word ids of ``text`` (words separated by spaces), left-padded with 0 to ``length``."""
    words = str(text).split()
    unknown = [word for word in words if word not in _INDEX]
    if unknown:
        raise ValueError(
            f"unknown words {unknown}: the generated reviews use only cnnkit.datasets.reviews.VOCABULARY."
        )
    ids = [_INDEX[word] for word in words]
    length = len(ids) if length is None else int(length)
    if len(ids) > length:
        raise ValueError(f"the text has {len(ids)} words, more than length={length}.")
    return np.array([0] * (length - len(ids)) + ids, dtype=np.int32)


def decode(ids) -> str:
    """The words of a row of ids, padding dropped."""
    return " ".join(VOCABULARY[int(i)] for i in np.asarray(ids).reshape(-1) if int(i) != 0)


def negation_reviews(n_samples: int, *, length: int = 20, seed: int = 0):
    """``n_samples`` reviews as word ids ``(n_samples, length)`` (left-padded) and labels (1 = positive).

    Half the reviews are positive (assert a positive word, negate a negative one), half negative.
    """
    n_samples = check_int("n_samples", n_samples, 1)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_samples) % 2).astype(np.int32)
    rows = np.zeros((n_samples, length), dtype=np.int32)
    for row, label in enumerate(labels):
        good, bad = rng.choice(POSITIVE_WORDS), rng.choice(NEGATIVE_WORDS)
        asserted, negated = (good, bad) if label == 1 else (bad, good)
        text = " ".join(
            [
                rng.choice(_OPENINGS),
                rng.choice(_TEMPLATES).format(a=asserted, n=negated),
                rng.choice(_CLOSINGS),
            ]
        )
        rows[row] = encode(text, length)
    return rows, labels


def multi_hot(ids, vocabulary_size: int = len(VOCABULARY)) -> np.ndarray:
    """One vector per review: entry w is 1 when word w occurs (anywhere, any number of times).

    This is how a feed-forward network is given a whole review (IMDB-style); padding (0) is left out.
    """
    ids = np.atleast_2d(np.asarray(ids))
    vectors = np.zeros((len(ids), vocabulary_size), dtype=np.float32)
    for row, review in enumerate(ids):
        vectors[row, review[review > 0]] = 1.0
    return vectors
