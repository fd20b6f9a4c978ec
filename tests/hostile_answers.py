"""Generated hostile answers for the exercise checkers (the attack suite's generator).

For each problem the generator starts from the right answer (the problem's solution code) and
makes wrong answers a checker might be fooled by: liars at every leaf (objects whose ``==`` always
says True, or ``==`` and ``!=`` both False, lying ``int``/``float``/``str`` subclasses holding a
wrong value, object arrays of liars) wrapped in random nesting depths, containers whose ``len``
or ``values`` raise, huge objects (``range(10**9)``, a broadcast array of 10**9 zeros, nesting
100,000 deep), and, for a function problem, functions that return such values, uninitialised
arrays (``np.empty``) or raise ``SystemExit``/``KeyboardInterrupt``. Every answer here is wrong:
a checker that calls one of them "correct" has been fooled.
"""

from __future__ import annotations

import random

import numpy as np

# --- liars ------------------------------------------------------------------------------------


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0

    def __lt__(self, other):
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def __float__(self):
        return 1.0

    def __int__(self):
        return 1

    __index__ = __int__


class CallableLiar(AlwaysEqual):
    """A liar that is also callable (so it looks like a function to a careless checker)."""

    def __call__(self, *args, **kwargs):
        return AlwaysEqual()

    def strip(self):
        return self

    lower = strip


class NeverEqual:
    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 1


class LyingLength(list):
    """A list whose ``len`` raises and whose items claim to be anything."""

    def __len__(self):
        raise RuntimeError("no length")

    def __iter__(self):
        raise RuntimeError("no items")

    def __eq__(self, other):
        return True


class LyingDict(dict):
    def values(self):
        raise RuntimeError("no values")

    def __getitem__(self, key):
        return AlwaysEqual()

    def __contains__(self, key):
        return True

    def __eq__(self, other):
        return True


class ExitOnCompare:
    def __eq__(self, other):
        raise SystemExit(3)

    def __ne__(self, other):
        raise KeyboardInterrupt

    def __hash__(self):
        return 2

    def __float__(self):
        raise SystemExit(4)

    def __repr__(self):
        raise KeyboardInterrupt


class LyingInt(int):
    """An int holding one value that claims (==, int(), float(), repr) to be another."""

    claimed = 0

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__

    def __int__(self):
        return self.claimed

    def __index__(self):
        return self.claimed

    def __float__(self):
        return float(self.claimed)

    def __repr__(self):
        return repr(self.claimed)


class LyingFloat(float):
    claimed = 0.0

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__

    def __float__(self):
        return float(self.claimed)

    def __repr__(self):
        return repr(self.claimed)


class LyingStr(str):
    claimed = ""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__

    def __str__(self):
        return self.claimed

    def strip(self, *args):
        return self.claimed

    def lower(self):
        return self.claimed

    def upper(self):
        return self.claimed.upper()

    def casefold(self):
        return self.claimed


def lying_int(true_value, claimed):
    value = LyingInt(true_value)
    value.claimed = claimed
    return value


def lying_float(true_value, claimed):
    value = LyingFloat(true_value)
    value.claimed = claimed
    return value


def lying_str(true_value, claimed):
    value = LyingStr(true_value)
    value.claimed = claimed
    return value


# --- hostile leaves ---------------------------------------------------------------------------


def hostile_leaves(right, rng: random.Random) -> list:
    """Wrong values for one leaf whose right value is ``right``, many of them liars."""
    leaves = [
        AlwaysEqual(),
        NeverEqual(),
        ExitOnCompare(),
        CallableLiar(),
        np.array([AlwaysEqual()], dtype=object),
        np.array(AlwaysEqual(), dtype=object),
        np.array([[NeverEqual()]], dtype=object),
        LyingLength([1]),
        LyingDict(),
        range(10**9),
        np.broadcast_to(0.0, (10**9,)),
        (x for x in range(3)),
        float("nan"),
    ]
    if isinstance(right, (int, float, np.number)) and not isinstance(right, bool):
        wrong = float(right) + 1.0 + abs(float(right)) * 0.5
        leaves += [
            lying_float(wrong, float(right)),
            lying_int(int(wrong) + 1, int(right) if float(right).is_integer() else 0),
            lying_str(str(wrong), str(right)),
            np.array([wrong, right], dtype=object),
            float(right) + 0.5,  # never truncated to the right whole number
            -float(right) if right else 1.0,
        ]
    if isinstance(right, str):
        leaves += [lying_str("z" + right + "z", right), lying_str("", right)]
    if isinstance(right, np.ndarray) and right.size:
        empty = np.empty(right.shape)
        empty.fill(np.nan)
        liar_array = np.empty(right.shape, dtype=object)
        liar_array.fill(AlwaysEqual())
        leaves += [empty, liar_array, right + 1.0]
    return leaves


def nest(value, depth: int, rng: random.Random):
    """``value`` wrapped ``depth`` times in random containers (list, tuple, object array, dict)."""
    for _ in range(depth):
        kind = rng.randrange(4)
        if kind == 0:
            value = [value]
        elif kind == 1:
            value = (value,)
        elif kind == 2:
            holder = np.empty(1, dtype=object)
            holder[0] = value
            value = holder
        else:
            value = {"value": value}
    return value


def leaf_paths(answer, path=()):
    """Paths (tuples of keys/indices) to every leaf of a nested dict/list/tuple answer."""
    if isinstance(answer, dict):
        for key, item in answer.items():
            yield from leaf_paths(item, (*path, key))
    elif isinstance(answer, (list, tuple)):
        for index, item in enumerate(answer):
            yield from leaf_paths(item, (*path, index))
    else:
        yield path


def replaced(answer, path, value):
    """A copy of ``answer`` with the leaf at ``path`` replaced by ``value``."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(answer, dict):
        copy = dict(answer)
        copy[head] = replaced(answer[head], rest, value)
        return copy
    items = list(answer)
    items[head] = replaced(answer[head], rest, value)
    return items if isinstance(answer, list) else tuple(items)


def leaf_at(answer, path):
    for key in path:
        answer = answer[key]
    return answer


def deeply_nested(depth: int):
    value = [1.0]
    for _ in range(depth):
        value = [value]
    return value


DEEP = deeply_nested(100_000)  # built once: every answer that uses it shares it

WHOLE_ANSWER_LIARS = [
    AlwaysEqual,
    CallableLiar,
    NeverEqual,
    ExitOnCompare,
    lambda: LyingLength([1, 2]),
    LyingDict,
    lambda: range(10**9),
    lambda: np.broadcast_to(0.0, (10**9,)),
    lambda: DEEP,
    lambda: np.array([AlwaysEqual()], dtype=object),
    lambda: [np.broadcast_to(0.0, (10**9,))],
    lambda: (np.broadcast_to(0.0, (10**9,)), 64),
]


def value_answers(right, rng: random.Random, per_leaf: int):
    """Hostile answers for a value problem: every leaf replaced by a hostile value, nested at a
    random depth (0-4), ``per_leaf`` times; plus whole-answer liars."""
    answers = [make() for make in WHOLE_ANSWER_LIARS]
    paths = list(leaf_paths(right))
    for path in paths:
        leaves = hostile_leaves(leaf_at(right, path), rng)
        for round_ in range(per_leaf):
            leaf = leaves[round_ % len(leaves)] if round_ < len(leaves) else rng.choice(leaves)
            answers.append(replaced(right, path, nest(leaf, rng.randrange(5), rng)))
    if isinstance(right, dict):  # lying containers whose real content is wrong
        answers += [LyingDict({key: NeverEqual() for key in right}), LyingDict()]
        answers.append({key: AlwaysEqual() for key in right})
    if isinstance(right, (list, tuple)):
        answers += [LyingLength([AlwaysEqual()] * len(right)), [AlwaysEqual()] * len(right)]
    return answers


# --- hostile functions ------------------------------------------------------------------------


def _returns(value):
    def student(*args, **kwargs):
        return value

    return student


def _raises(error):
    def student(*args, **kwargs):
        raise error

    return student


def function_answers(right_function, rng: random.Random, count: int):
    """``count`` hostile functions for a function problem: each returns a hostile value, an
    uninitialised array, the right output (of ``right_function``, if given) with one leaf made
    hostile, or raises ``SystemExit``/``KeyboardInterrupt``."""

    def empty_like_first(*args, **kwargs):
        return np.empty_like(np.asarray(args[0], dtype=float))

    def empty_last_axis(*args, **kwargs):
        return np.empty(np.shape(args[0])[-1])

    def relu_left_unwritten(x, *args, **kwargs):
        out = np.empty_like(np.asarray(x, dtype=float))
        out[x > 0] = x[x > 0]
        return out

    def mean_without_last_channel(x, *args, **kwargs):
        x = np.asarray(x, dtype=float)
        out = np.empty(x.shape[-1])
        out[:-1] = x.mean(axis=tuple(range(x.ndim - 1)))[:-1]
        return out

    def empty_pair(*args, **kwargs):
        return np.empty_like(np.asarray(args[0], dtype=float)), np.empty_like(
            np.asarray(args[0], dtype=float)
        )

    def empty_triple(*args, **kwargs):
        shape = np.shape(args[0])
        return np.empty(shape), np.empty(shape), np.empty(shape)

    uninitialised = [
        empty_like_first,
        empty_last_axis,
        relu_left_unwritten,
        mean_without_last_channel,
        empty_pair,
        empty_triple,
        _returns(np.empty(1)),
        _returns(np.empty(())),
    ]
    functions = list(uninitialised) * 3  # each several times: freed memory differs per check
    functions += [
        _raises(SystemExit(0)),
        _raises(KeyboardInterrupt()),
        _raises(RecursionError("deep")),
    ]
    for make in WHOLE_ANSWER_LIARS:
        functions.append(_returns(make()))

    def hostile_leaf_of_right_output(*args, **kwargs):
        right = right_function(*args, **kwargs)
        paths = list(leaf_paths(right)) if isinstance(right, (tuple, list, dict)) else [()]
        path = paths[local.randrange(len(paths))]
        leaf = leaf_at(right, path)
        leaves = hostile_leaves(leaf, local)
        return replaced(right, path, nest(local.choice(leaves), local.randrange(4), local))

    local = random.Random(rng.random())
    basic = list(functions)
    while len(functions) < count:  # without a right function (a Keras model): the basic ones again
        functions.append(hostile_leaf_of_right_output if right_function else rng.choice(basic))
    return functions
