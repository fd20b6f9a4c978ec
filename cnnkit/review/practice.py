"""Endless exam-style practice problems of six kinds, calculation answers verified by Keras.

    from cnnkit.review import practice
    problems = practice("conv_output_size", n=5, seed=1)
    problems[0]                       # the statement (Markdown in a notebook), never the answer
    problems[0].check((28, 28, 6))    # correct / incorrect with a teaching message / not attempted
    problems[0].show_solution()       # worked step by step, and the section that teaches it
    practice(kind="choice", n=5)      # only one kind: calculation, choice, true_false, ordering,
                                      # short_answer, design

Every calculation answer is computed by hand-written arithmetic (shown in the solution) and then
verified by Keras itself (building the layer and reading its output shape / ``count_params()``,
or running the op) or NumPy. A problem on which they disagree is never shown: it is regenerated,
counted in ``REJECTED`` and logged. The generators live in :mod:`cnnkit.review.topics`.
"""

from __future__ import annotations

import logging
import random
from collections import deque
from collections.abc import Sequence

from cnnkit.review.problem import KINDS, PracticeProblem
from cnnkit.validation import check_int, check_seed

log = logging.getLogger(__name__)

#: The last problems whose hand-computed answer Keras disagreed with (never shown to students);
#: bounded, so a long-running kernel does not grow it without end.
REJECTED: deque[dict] = deque(maxlen=100)

#: The most problems one call draws (each is verified; thousands would take minutes).
MAX_PROBLEMS = 1000
_MAX_ATTEMPTS = 20


def check_count(n, limit: int = MAX_PROBLEMS, what: str = "practice") -> int:
    """``n`` as a whole number from 1 to ``limit``, or a ValueError/TypeError naming ``n``."""
    hint = f"It draws 1 to {limit:,} problems per call; call it again (with another seed) for more."
    return check_int(f"{what}(n=...)", n, 1, maximum=limit, hint=hint)


def _names(value, allowed: Sequence[str], argument: str, hint: str = "") -> list[str]:
    """One name, a list of names, or None (all) -> list; errors name the argument."""
    if value is None:
        return list(allowed)
    if isinstance(value, str):
        names = [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        names = list(value)
    else:
        raise TypeError(
            f"{argument} must be a name, a list of names or None; got {type(value).__name__} "
            f"{str(value)[:40]!r}.{hint}"
        )
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        shown = [str(name)[:40] for name in (unknown or names)]
        raise ValueError(f"Unknown {argument}(s) {shown}; choose from: {', '.join(allowed)}.")
    return names


def _generators(topic, kind) -> list:
    from cnnkit.review.topics import GENERATORS, TOPICS

    hint = (
        " To ask for a number of problems, write practice(n=...)."
        if isinstance(topic, (int, float))
        else ""
    )
    topics = _names(topic, TOPICS, "topic", hint)
    kinds = _names(kind, KINDS, "kind")
    chosen = [g for name in topics for g in GENERATORS[name] if g.kind in kinds]
    if not chosen:
        raise ValueError(
            f"No {'/'.join(kinds)} problems on {', '.join(topics)}; leave out kind= or pick "
            "another topic (cnnkit.review.topics.kinds_of(topic) lists a topic's kinds)."
        )
    return chosen


def make_problem(generator, rng: random.Random, verify: bool = True) -> PracticeProblem:
    """One problem from ``generator`` (a :class:`cnnkit.review.topics.Generator` or a topic
    name) drawn with ``rng``; regenerated until Keras/NumPy agrees with its answer."""
    if isinstance(generator, str):
        from cnnkit.review.topics import GENERATORS

        generator = rng.choice(GENERATORS[generator])
    for _ in range(_MAX_ATTEMPTS):
        draft = generator.make(rng)
        if verify:
            agrees, computed = draft.verify()
            if not agrees:
                REJECTED.append(
                    {
                        "topic": generator.topic,
                        "data": draft.data,
                        "answer": draft.answer,
                        "keras": computed,
                    }
                )
                log.warning(
                    "practice: Keras disagrees on a %s problem (answer %r, Keras %r); regenerating.",
                    generator.topic,
                    draft.answer,
                    computed,
                )
                continue
        return PracticeProblem(
            topic=generator.topic,
            statement=draft.statement,
            answer=draft.answer,
            solution=draft.solution,
            checker=draft.checker,
            data=draft.data,
            verified=verify,
            kind=draft.kind,
            source=draft.source or generator.source,
            options=draft.options,
            justification=draft.justification,
        )
    raise RuntimeError(
        f"Keras disagreed with {_MAX_ATTEMPTS} generated {generator.topic!r} problems in a row; "
        "see cnnkit.review.practice.REJECTED (a bug in the generator or a Keras change)."
    )


def practice(
    topic: str | Sequence[str] | None = None,
    n: int = 10,
    seed: int | None = None,
    verify: bool = True,
    kind: str | Sequence[str] | None = None,
    record: bool = True,
) -> list[PracticeProblem]:
    """``n`` practice problems on ``topic`` (a name, a list, or None for all of TOPICS).

    ``kind`` keeps only some kinds (see :data:`cnnkit.review.problem.KINDS`). The same ``seed``
    gives the same problems; ``seed=None`` gives fresh ones. With ``verify=True`` (the default)
    each calculation answer is checked by Keras or NumPy before the problem is returned.
    ``record=False`` keeps the checks out of the progress file (for demonstrations).
    """
    generators = _generators(topic, kind)
    check_count(n)
    rng = random.Random(check_seed(seed))
    topics = list(dict.fromkeys(g.topic for g in generators))
    problems = []
    for number in range(1, n + 1):
        name = topics[0] if len(topics) == 1 else rng.choice(topics)
        generator = rng.choice([g for g in generators if g.topic == name])
        problem = make_problem(generator, rng, verify=verify)
        problem.number = number
        problem.event = "practice" if record else None
        problems.append(problem)
    return problems
